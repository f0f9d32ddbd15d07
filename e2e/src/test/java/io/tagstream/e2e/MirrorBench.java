package io.tagstream.e2e;

import io.tagstream.launcher.Chain;
import io.tagstream.testkit.Cli;
import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.Ports;
import io.tagstream.testkit.TestImages;
import io.tagstream.testkit.WorkDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A mirror against {@code skopeo sync}, side by side on the same data in the same run: 200 tags of one repository (a
 * quarter two-platform OCI indexes, 2–10 MiB each), copied into empty registries — by Tagstream's mirror (a new
 * ImageMirror picked up by the running chain) and by {@code skopeo sync --all --preserve-digests}, three rounds in turn
 * (medians reported); then both once more with nothing new. The upstream's own access log counts the listings, manifest and blob requests each made. Both
 * registries are our own, so their Registry resources lift the polite defaults (20 requests/s, 8 at once) as skopeo has
 * none. Run: {@code ./mvnw verify -Pbench -pl e2e -Dtest=MirrorBench}.
 */
@Tag("bench")
class MirrorBench {

    static final int TAGS = 200;
    static final String REPO = "vendor/app";
    static LocalRegistry upstream;
    static final int ROUNDS = 3;
    static final List<LocalRegistry> ours = new ArrayList<>();
    static final List<LocalRegistry> skopeos = new ArrayList<>();
    static Chain chain;

    @AfterAll
    static void stop() {
        List<AutoCloseable> all = new ArrayList<>(Arrays.asList(chain, upstream));
        all.addAll(ours);
        all.addAll(skopeos);
        E2e.closeAll(all.toArray(AutoCloseable[]::new));
    }

    @Test
    void twoHundredTagsAgainstSkopeoSync() throws Exception {
        upstream = LocalRegistry.builder().accessLog().start();
        Random random = new Random(42);
        long bytes = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < TAGS; i++) {
            String tag = "t" + (1000 + i);
            int size = (2 << 20) + random.nextInt(8 << 20); // 2–10 MiB
            if (i % 4 == 0) {
                // the index is built in a scratch repository (its platforms get tags there) and copied whole
                TestImages.Pushed index = TestImages.pushIndex(upstream, "scratch/app", tag, size / 2);
                upstream.skopeo("copy", "--all", "--preserve-digests", "--src-tls-verify=false", "--dest-tls-verify=false",
                        "docker://" + index.reference(), "docker://" + upstream.host() + "/" + REPO + ":" + tag);
            } else {
                TestImages.push(upstream, REPO, tag, 1, size);
            }
            bytes += size;
        }
        System.out.printf("data: %d tags, %d MiB, pushed in %d s%n", TAGS, bytes >> 20, (System.nanoTime() - t0) / 1_000_000_000);

        Path root = WorkDirs.create("mirror-bench");
        Path config = Files.createDirectories(root.resolve("config"));
        StringBuilder registries = new StringBuilder(registry("upstream", upstream));
        for (int r = 0; r < ROUNDS; r++) {
            ours.add(LocalRegistry.start());
            skopeos.add(LocalRegistry.start());
            registries.append("---\n").append(registry("ours-" + r, ours.get(r)));
        }
        Files.writeString(config.resolve("registries.yaml"), registries.toString());
        chain = E2e.start(root, config, E2e.ports(Ports.free()), Map.of("TAGSTREAM_CONFIG_RELOAD_INTERVAL", "1s"));

        // rounds in turn, each into fresh registries: Tagstream from writing a new ImageMirror into the running
        // configuration until all 200 are copied, then skopeo sync
        List<Double> tagstream = new ArrayList<>();
        List<Double> skopeo = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            String name = "app-" + r;
            int mark = upstream.log().length();
            long start = System.nanoTime();
            Files.writeString(config.resolve(name + ".yaml"), """
                    apiVersion: tagstream.io/v1alpha1
                    kind: ImageMirror
                    metadata: {name: %s, namespace: bench}
                    spec:
                      source: %s/%s
                      destination: %s/%s
                      selector: {regex: {pattern: '^t[0-9]+$'}, sortBy: alphabetical, limit: 0}
                      interval: 1h
                      concurrency: 8
                    """.formatted(name, upstream.host(), REPO, ours.get(r).host(), REPO));
            E2e.await("200 tags mirrored", Duration.ofMinutes(15), () -> copied(name) == TAGS);
            tagstream.add((System.nanoTime() - start) / 1e9);
            System.out.printf("round %d: Tagstream %.1f s, upstream requests %s%n", r + 1, tagstream.get(r), upstream.requests(mark));
            mark = upstream.log().length();
            start = System.nanoTime();
            skopeoSync(skopeos.get(r));
            skopeo.add((System.nanoTime() - start) / 1e9);
            System.out.printf("round %d: skopeo sync %.1f s, upstream requests %s%n", r + 1, skopeo.get(r), upstream.requests(mark));
        }
        double t = median(tagstream);
        double k = median(skopeo);
        System.out.printf("first run, median of %d: Tagstream %.1f s, skopeo sync %.1f s, ratio %.2f%n", ROUNDS, t, k, t / k);

        // the second run, nothing new: a listing asked for through the API (and a mirror check after it), against
        // skopeo sync again
        int mark = upstream.log().length();
        String lastScan = lastScan("bench/app-0");
        long s1 = System.nanoTime();
        E2e.post(chain.url("registry-poller") + "/api/v1/repositories/bench/app-0/scan", "", Map.of());
        E2e.await("the second scan", Duration.ofSeconds(60), () -> !lastScan("bench/app-0").equals(lastScan));
        long scanMs = (System.nanoTime() - s1) / 1_000_000;
        Chain.sleep(6000);
        Map<String, Integer> tagstreamSecond = upstream.requests(mark);
        mark = upstream.log().length();
        long s2 = System.nanoTime();
        skopeoSync(skopeos.get(0));
        long skopeoMs = (System.nanoTime() - s2) / 1_000_000;
        Map<String, Integer> skopeoSecond = upstream.requests(mark);
        System.out.printf("second run: Tagstream %d ms, upstream requests %s; skopeo sync %d ms, upstream requests %s%n", scanMs,
                tagstreamSecond, skopeoMs, skopeoSecond);
    }

    /** Our own registries: the polite defaults (20 requests/s, 8 at once) lifted, as skopeo has none. */
    static String registry(String name, LocalRegistry r) {
        return """
                apiVersion: tagstream.io/v1alpha1
                kind: Registry
                metadata: {name: %s, namespace: bench}
                spec: {host: '%s', insecure: true, requestsPerSecond: 1000, maxConcurrency: 32}
                """.formatted(name, r.host());
    }

    static double median(List<Double> xs) {
        List<Double> sorted = xs.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    static void skopeoSync(LocalRegistry to) {
        Cli.run(null, List.of("skopeo", "sync", "--all", "--preserve-digests", "--src", "docker", "--dest", "docker",
                "--src-tls-verify=false", "--dest-tls-verify=false", upstream.host() + "/" + REPO, to.host() + "/vendor"), Map.of());
    }

    static long copied(String mirror) {
        var status = E2e.json(E2e.get(chain.url("promoter") + "/api/v1/mirrors/bench/" + mirror).body());
        return StreamSupport.stream(status.path("tags").spliterator(), false)
                .filter(t -> t.path("status").asText().equals("copied")).count();
    }

    static String lastScan(String id) {
        return StreamSupport.stream(E2e.json(E2e.get(chain.url("registry-poller") + "/api/v1/repositories").body()).spliterator(), false)
                .filter(r -> r.path("id").asText().equals(id)).map(r -> r.path("lastScan").asText()).findFirst().orElse("");
    }
}
