package io.tagstream.evaluator.bench;

import io.tagstream.common.config.ImagePolicy;
import io.tagstream.evaluator.core.Selections;
import io.tagstream.evaluator.core.Selector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Selection over 100,000 tags, after warm-up, and the heap the evaluator keeps per known tag. Run with
 * {@code ./mvnw verify -Pbench -pl policy-evaluator -am -Dsurefire.failIfNoSpecifiedTests=false}; results go to
 * docs/benchmarks.md.
 */
@Tag("bench")
class SelectionBench {

    static final int TAGS = 100_000;

    static List<String> tags(long seed) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>(TAGS);
        for (int i = 0; i < TAGS; i++) {
            out.add(switch (i % 5) {
                case 0 -> r.nextInt(30) + "." + r.nextInt(100) + "." + r.nextInt(1000);
                case 1 -> "v" + r.nextInt(30) + "." + r.nextInt(100) + "." + r.nextInt(1000) + "-rc." + r.nextInt(20);
                case 2 -> "blog-" + r.nextInt(1_000_000) + "-" + Long.toHexString(r.nextLong()).substring(0, 7);
                case 3 -> "main-" + Long.toHexString(r.nextLong()) + "-" + (1_600_000_000 + r.nextInt(100_000_000));
                default -> "sha-" + Long.toHexString(r.nextLong());
            });
        }
        return out;
    }

    static void measure(String label, Selector selector, List<String> tags) {
        for (int i = 0; i < 100; i++) {
            selector.evaluate(tags); // warm-up
        }
        long[] ms = new long[50];
        String chosen = null;
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            chosen = selector.evaluate(tags).latestTag().orElse("-");
            ms[i] = System.nanoTime() - t0;
        }
        Arrays.sort(ms);
        System.out.printf("BENCH %-44s 100k tags: median %.1f ms, p90 %.1f ms, max %.1f ms (selected %s)%n", label,
                ms[ms.length / 2] / 1e6, ms[(int) (ms.length * 0.9)] / 1e6, ms[ms.length - 1] / 1e6, chosen);
    }

    @Test
    void selectionOver100kTags() throws Exception {
        List<String> tags = tags(1);
        measure("semver >=1.0.0 <20, filter ^v?[0-9]", Selector.of(new ImagePolicy.Semver(">=1.0.0 <20", false),
                Optional.of(new ImagePolicy.FilterTags("^v?[0-9]", ""))), tags);
        measure("semver * (no filter)", Selector.of(new ImagePolicy.Semver("*", false), Optional.empty()), tags);
        measure("numerical asc, filter ^blog-(?P<n>[0-9]+)- extract $n", Selector.of(new ImagePolicy.Numerical(ImagePolicy.Order.ASC),
                Optional.of(new ImagePolicy.FilterTags("^blog-(?P<n>[0-9]+)-", "$n"))), tags);
        measure("alphabetical asc, filter ^main-[0-9a-f]+-(?P<ts>[0-9]+)$ $ts", Selector.of(new ImagePolicy.Alphabetical(ImagePolicy.Order.ASC),
                Optional.of(new ImagePolicy.FilterTags("^main-[0-9a-f]+-(?P<ts>[0-9]+)$", "$ts"))), tags);
    }

    @Test
    void heapPerKnownTag() {
        List<String> tags = tags(2);
        Runtime rt = Runtime.getRuntime();
        long before = used(rt);
        Selections s = new Selections();
        for (String t : tags) {
            s.restoreTag("ns/repo", "registry.example/team/repo", t, new io.tagstream.evaluator.core.TagFacts("sha256:" + Long.toHexString(t.hashCode()) + "0".repeat(56)));
        }
        long after = used(rt);
        System.out.printf("BENCH heap per known tag (tag + digest + map entry): %d bytes over %d tags%n",
                (after - before) / s.knownTags(), s.knownTags());
        if (s.knownTags() != tags.stream().distinct().count()) {
            throw new AssertionError("tags lost");
        }
    }

    static long used(Runtime rt) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

}
