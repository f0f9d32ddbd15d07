package io.tagstream.e2e;

import io.tagstream.launcher.Chain;
import io.tagstream.testkit.Cli;
import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.Ports;
import io.tagstream.testkit.RegistryProxy;
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
 * quarter two-platform OCI indexes, 2–10 MiB each) behind the test kit's counting proxy, copied into two empty
 * registries — by Tagstream's mirror (a new ImageMirror picked up by the running chain) and by
 * {@code skopeo sync --all --preserve-digests}; then both once more with nothing new, counting the listings, manifest and
 * blob requests the upstream saw. Run: {@code ./mvnw verify -Pbench -pl e2e -Dtest=MirrorBench}.
 */
@Tag("bench")
class MirrorBench {

    static final int TAGS = 200;
    static final String REPO = "vendor/app";
    static LocalRegistry upstream;
    static LocalRegistry ours;
    static LocalRegistry skopeos;
    static RegistryProxy proxy;
    static Chain chain;

    @AfterAll
    static void stop() {
        E2e.closeAll(chain, proxy, upstream, ours, skopeos);
    }

    @Test
    void twoHundredTagsAgainstSkopeoSync() throws Exception {
        upstream = LocalRegistry.start();
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
        proxy = new RegistryProxy(upstream);

        Path root = WorkDirs.create("mirror-bench");
        Path config = Files.createDirectories(root.resolve("config"));
        Files.writeString(config.resolve("registries.yaml"), """
                apiVersion: tagstream.io/v1alpha1
                kind: Registry
                metadata: {name: upstream, namespace: bench}
                spec: {host: '%s', insecure: true}
                ---
                apiVersion: tagstream.io/v1alpha1
                kind: Registry
                metadata: {name: ours, namespace: bench}
                spec: {host: '%s', insecure: true}
                """.formatted(proxy.host(), ours.host()));
        chain = E2e.start(root, config, E2e.ports(Ports.free()), Map.of("TAGSTREAM_CONFIG_RELOAD_INTERVAL", "1s"));

        // Tagstream: from the moment the mirror is configured until all 200 are copied
        int before = proxy.requests();
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
                """.formatted(proxy.host(), REPO, ours.host(), REPO));
        E2e.await("200 tags mirrored", Duration.ofMinutes(15), () -> copied() == TAGS);
        double tagstream = (System.nanoTime() - start) / 1e9;
        int tagstreamRequests = proxy.requests() - before;

        before = proxy.requests();
        start = System.nanoTime();
        skopeoSync();
        double skopeo = (System.nanoTime() - start) / 1e9;
        int skopeoRequests = proxy.requests() - before;

        // the second run, nothing new: a listing asked for through the API, against skopeo sync again
        int lists = proxy.requests("tags");
        int manifests = proxy.requests("manifests");
        int blobs = proxy.requests("blobs");
        String lastScan = lastScan();
        E2e.post(chain.url("registry-poller") + "/api/v1/repositories/bench/app/scan", "", Map.of());
        E2e.await("the second scan", Duration.ofSeconds(60), () -> !lastScan().equals(lastScan));
        Chain.sleep(6000); // and a mirror check after it
        String second = "listings " + (proxy.requests("tags") - lists) + ", manifest requests " + (proxy.requests("manifests") - manifests)
                + ", blob requests " + (proxy.requests("blobs") - blobs);
        lists = proxy.requests("tags");
        manifests = proxy.requests("manifests");
        blobs = proxy.requests("blobs");
        long s2 = System.nanoTime();
        skopeoSync();
        String skopeoSecond = "listings " + (proxy.requests("tags") - lists) + ", manifest requests " + (proxy.requests("manifests")
                - manifests) + ", blob requests " + (proxy.requests("blobs") - blobs) + ", " + (System.nanoTime() - s2) / 1_000_000 + " ms";

        System.out.printf("first run:  Tagstream %.1f s (%d upstream requests), skopeo sync %.1f s (%d upstream requests), ratio %.2f%n",
                tagstream, tagstreamRequests, skopeo, skopeoRequests, tagstream / skopeo);
        System.out.println("second run: Tagstream " + second + "; skopeo sync " + skopeoSecond);
    }

    static void skopeoSync() {
        Cli.run(null, List.of("skopeo", "sync", "--all", "--preserve-digests", "--src", "docker", "--dest", "docker",
                "--src-tls-verify=false", "--dest-tls-verify=false", proxy.host() + "/" + REPO, skopeos.host() + "/vendor"), Map.of());
    }

    static long copied() {
        var status = E2e.json(E2e.get(chain.url("promoter") + "/api/v1/mirrors/bench/app").body());
        return StreamSupport.stream(status.path("tags").spliterator(), false)
                .filter(t -> t.path("status").asText().equals("copied")).count();
    }

    static String lastScan() {
        return StreamSupport.stream(E2e.json(E2e.get(chain.url("registry-poller") + "/api/v1/repositories").body()).spliterator(), false)
                .filter(r -> r.path("name").asText().equals("bench/app")).map(r -> r.path("lastScan").asText()).findFirst().orElse("");
    }
}
