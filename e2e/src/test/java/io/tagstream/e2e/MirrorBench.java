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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A mirror against {@code skopeo sync}, side by side on the same data in the same run: 200 tags of one repository (a
 * quarter two-platform OCI indexes, 2–10 MiB each), copied into two empty registries — by Tagstream's mirror (a new
 * ImageMirror picked up by the running chain) and by {@code skopeo sync --all --preserve-digests}; then both once more
 * with nothing new. The upstream's own access log counts the listings, manifest and blob requests each made. Both
 * registries are our own, so their Registry resources lift the polite defaults (20 requests/s, 8 at once) as skopeo has
 * none. Run: {@code ./mvnw verify -Pbench -pl e2e -Dtest=MirrorBench}.
 */
@Tag("bench")
class MirrorBench {

    static final int TAGS = 200;
    static final String REPO = "vendor/app";
    static LocalRegistry upstream;
    static LocalRegistry ours;
    static LocalRegistry skopeos;
    static Chain chain;

    @AfterAll
    static void stop() {
        E2e.closeAll(chain, upstream, ours, skopeos);
    }

    @Test
    void twoHundredTagsAgainstSkopeoSync() throws Exception {
        upstream = LocalRegistry.builder().accessLog().start();
        ours = LocalRegistry.start();
        skopeos = LocalRegistry.start();
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
        Files.writeString(config.resolve("registries.yaml"), """
                apiVersion: tagstream.io/v1alpha1
                kind: Registry
                metadata: {name: upstream, namespace: bench}
                spec: {host: '%s', insecure: true, requestsPerSecond: 1000, maxConcurrency: 32}
                ---
                apiVersion: tagstream.io/v1alpha1
                kind: Registry
                metadata: {name: ours, namespace: bench}
                spec: {host: '%s', insecure: true, requestsPerSecond: 1000, maxConcurrency: 32}
                """.formatted(upstream.host(), ours.host()));
        chain = E2e.start(root, config, E2e.ports(Ports.free()), Map.of("TAGSTREAM_CONFIG_RELOAD_INTERVAL", "1s"));

        // Tagstream: from the moment the mirror is configured until all 200 are copied
        int mark = upstream.log().length();
        long start = System.nanoTime();
        Files.writeString(config.resolve("mirror.yaml"), """
                apiVersion: tagstream.io/v1alpha1
                kind: ImageMirror
                metadata: {name: app, namespace: bench}
                spec:
                  source: %s/%s
                  destination: %s/%s
                  selector: {regex: {pattern: '^t[0-9]+$'}, sortBy: alphabetical, limit: 0}
                  interval: 1h
                  concurrency: 8
                """.formatted(upstream.host(), REPO, ours.host(), REPO));
        E2e.await("200 tags mirrored", Duration.ofMinutes(15), () -> copied() == TAGS);
        double tagstream = (System.nanoTime() - start) / 1e9;
        Map<String, Integer> tagstreamFirst = upstream.requests(mark);
        System.out.printf("first run: Tagstream %.1f s, upstream requests %s%n", tagstream, tagstreamFirst);

        mark = upstream.log().length();
        start = System.nanoTime();
        skopeoSync();
        double skopeo = (System.nanoTime() - start) / 1e9;
        Map<String, Integer> skopeoFirst = upstream.requests(mark);
        System.out.printf("first run: skopeo sync %.1f s, upstream requests %s; ratio %.2f%n", skopeo, skopeoFirst, tagstream / skopeo);

        // the second run, nothing new: a listing asked for through the API (and a mirror check after it), against
        // skopeo sync again
        mark = upstream.log().length();
        String lastScan = lastScan();
        long s1 = System.nanoTime();
        E2e.post(chain.url("registry-poller") + "/api/v1/repositories/bench/app/scan", "", Map.of());
        E2e.await("the second scan", Duration.ofSeconds(60), () -> !lastScan().equals(lastScan));
        long scanMs = (System.nanoTime() - s1) / 1_000_000;
        Chain.sleep(6000);
        Map<String, Integer> tagstreamSecond = upstream.requests(mark);
        mark = upstream.log().length();
        long s2 = System.nanoTime();
        skopeoSync();
        long skopeoMs = (System.nanoTime() - s2) / 1_000_000;
        Map<String, Integer> skopeoSecond = upstream.requests(mark);
        System.out.printf("second run: Tagstream %d ms, upstream requests %s; skopeo sync %d ms, upstream requests %s%n", scanMs,
                tagstreamSecond, skopeoMs, skopeoSecond);
    }

    static void skopeoSync() {
        Cli.run(null, List.of("skopeo", "sync", "--all", "--preserve-digests", "--src", "docker", "--dest", "docker",
                "--src-tls-verify=false", "--dest-tls-verify=false", upstream.host() + "/" + REPO, skopeos.host() + "/vendor"), Map.of());
    }

    static long copied() {
        var status = E2e.json(E2e.get(chain.url("promoter") + "/api/v1/mirrors/bench/app").body());
        return StreamSupport.stream(status.path("tags").spliterator(), false)
                .filter(t -> t.path("status").asText().equals("copied")).count();
    }

    static String lastScan() {
        return StreamSupport.stream(E2e.json(E2e.get(chain.url("registry-poller") + "/api/v1/repositories").body()).spliterator(), false)
                .filter(r -> r.path("id").asText().equals("bench/app")).map(r -> r.path("lastScan").asText()).findFirst().orElse("");
    }
}
