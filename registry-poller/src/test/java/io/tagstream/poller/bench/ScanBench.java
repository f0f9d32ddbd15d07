package io.tagstream.poller.bench;

import com.sun.net.httpserver.HttpServer;
import io.tagstream.common.config.ConfigLoader;
import io.tagstream.common.config.ImageRepository;
import io.tagstream.common.events.TagDiscovered.DiscoverySource;
import io.tagstream.common.registry.RegistryClient;
import io.tagstream.common.registry.RegistrySettings;
import io.tagstream.common.registry.RepositoryName;
import io.tagstream.poller.core.KnownTag;
import io.tagstream.poller.core.Scan;
import io.tagstream.poller.core.TagSource;
import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.TestImages;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Scan cost: one repository of 10,000 tags on Debian's docker-registry (first scan, then a rescan with nothing new),
 * and 1,000 repositories of 100 tags on an in-memory registry (the poller's own cost, without distribution's disk).
 * Run: {@code ./mvnw verify -Pbench -pl registry-poller}.
 */
@Tag("bench")
class ScanBench {

    static ImageRepository repo(String image) {
        return new ConfigLoader().parse(Map.of("r.yaml", """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: bench, namespace: bench}
                spec: {image: %s, interval: 1m, insecure: true}
                """.formatted(image))).config().imageRepositories().get(0);
    }

    static long requests(RegistryClient c) {
        return c.stats().responses().values().stream().mapToLong(Long::longValue).sum();
    }

    @Test
    void tenThousandTagsOnARealRegistry() {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try (LocalRegistry registry = LocalRegistry.start()) {
            var image = TestImages.push(registry, "bench/big", "t-0");
            TestImages.retag(registry, image, IntStream.range(1, 10_000).mapToObj(i -> "t-" + i).toList());
            ImageRepository r = repo(registry.host() + "/bench/big");
            RepositoryName name = RepositoryName.parse(r.image());
            RegistryClient client = new RegistryClient(RegistrySettings.of(registry.host(), true, Optional.empty()).withLimits(100_000, 16));
            Scan.Result first = Scan.full(r, name, Map.of(), TagSource.of(client), DiscoverySource.POLL, pool, Clock.systemUTC());
            long afterFirst = requests(client);
            Scan.Result again = Scan.full(r, name, first.state(), TagSource.of(client), DiscoverySource.POLL, pool, Clock.systemUTC());
            long rescanRequests = requests(client) - afterFirst;
            Scan.Result warm = Scan.full(r, name, first.state(), TagSource.of(client), DiscoverySource.POLL, pool, Clock.systemUTC());
            System.out.printf("BENCH 10,000 tags (docker-registry 2.8): first scan %d ms, %d requests, %d events; "
                    + "no-change rescan %d ms (warm: %d ms), %d requests, %d digests resolved, %d events%n",
                    first.took().toMillis(), afterFirst, first.discovered().size(), again.took().toMillis(), warm.took().toMillis(),
                    rescanRequests, again.resolved(), again.discovered().size());
            if (first.discovered().size() != 10_000 || again.resolved() != 0 || !again.discovered().isEmpty()) {
                throw new AssertionError("wrong scan results");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Issue 19's target: 1,000 git-SHA tags, each its own image, ordered by build time. The first scan reads each new
     * digest's config once (a GET of the manifest instead of a HEAD, plus the config blob: one request more per tag
     * than a scan that does not order by build time); a rescan costs the listing only.
     */
    @Test
    void thousandShaTagsOrderedByBuildTime() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        ExecutorService pushers = Executors.newFixedThreadPool(4);
        try (LocalRegistry registry = LocalRegistry.start()) {
            java.time.Instant base = java.time.Instant.parse("2026-01-01T00:00:00Z");
            List<java.util.concurrent.Future<?>> pushes = new ArrayList<>();
            long p0 = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                int n = i;
                String sha = TestImages.sha256(("commit " + n).getBytes(StandardCharsets.UTF_8)).substring(0, 40);
                pushes.add(pushers.submit(() -> TestImages.pushBuilt(registry, "bench/shas", sha, base.plusSeconds(60L * n))));
            }
            for (var f : pushes) {
                f.get();
            }
            long pushMs = (System.nanoTime() - p0) / 1_000_000;
            ImageRepository r = repo(registry.host() + "/bench/shas");
            RepositoryName name = RepositoryName.parse(r.image());

            RegistryClient plain = new RegistryClient(RegistrySettings.of(registry.host(), true, Optional.empty()).withLimits(100_000, 16));
            Scan.Result unordered = Scan.full(r, name, Map.of(), TagSource.of(plain), DiscoverySource.POLL, pool, Clock.systemUTC(), false);
            long unorderedRequests = requests(plain);

            RegistryClient client = new RegistryClient(RegistrySettings.of(registry.host(), true, Optional.empty()).withLimits(100_000, 16));
            Scan.Result first = Scan.full(r, name, Map.of(), TagSource.of(client), DiscoverySource.POLL, pool, Clock.systemUTC(), true);
            long firstRequests = requests(client);
            long withTimes = first.state().values().stream().filter(k -> k.builtAt().isPresent()).count();
            Scan.Result again = Scan.full(r, name, first.state(), TagSource.of(client), DiscoverySource.POLL, pool, Clock.systemUTC(), true);
            long rescanRequests = requests(client) - firstRequests;
            System.out.printf("BENCH 1,000 SHA tags of 1,000 images (docker-registry, pushed in %d ms): first scan without build "
                    + "times %d ms, %d requests; first scan ordered by build time %d ms, %d requests (%.2f extra per tag), "
                    + "%d build times; rescan %d ms, %d requests, %d events%n", pushMs, unordered.took().toMillis(),
                    unorderedRequests, first.took().toMillis(), firstRequests, (firstRequests - unorderedRequests) / 1000.0,
                    withTimes, again.took().toMillis(), rescanRequests, again.discovered().size());
            if (withTimes != 1000 || rescanRequests != 1 || firstRequests - unorderedRequests > 1000) {
                throw new AssertionError("wrong scan results");
            }
        } finally {
            pool.shutdownNow();
            pushers.shutdownNow();
        }
    }

    @Test
    void thousandRepositoriesOfHundredTags() throws Exception {
        HttpServer fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        fake.setExecutor(Executors.newFixedThreadPool(8));
        String digest = "sha256:" + "ab".repeat(32);
        fake.createContext("/v2/", ex -> {
            try (ex) {
                String path = ex.getRequestURI().getPath();
                if (path.endsWith("/tags/list")) {
                    String repo = path.substring(4, path.length() - "/tags/list".length());
                    StringBuilder b = new StringBuilder("{\"name\":\"" + repo + "\",\"tags\":[");
                    for (int i = 0; i < 100; i++) {
                        b.append(i == 0 ? "" : ",").append("\"1.0.").append(i).append('"');
                    }
                    byte[] body = b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
                    ex.sendResponseHeaders(200, body.length);
                    ex.getResponseBody().write(body);
                } else {
                    ex.getResponseHeaders().add("Docker-Content-Digest", digest);
                    ex.getResponseHeaders().add("Content-Type", RegistryClient.OCI_MANIFEST);
                    ex.sendResponseHeaders(200, -1);
                }
            }
        });
        fake.start();
        String host = "127.0.0.1:" + fake.getAddress().getPort();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        ExecutorService scans = Executors.newFixedThreadPool(4);
        try {
            RegistryClient client = new RegistryClient(RegistrySettings.of(host, true, Optional.empty()).withLimits(100_000, 16));
            Runtime rt = Runtime.getRuntime();
            System.gc();
            long heapBefore = rt.totalMemory() - rt.freeMemory();
            Map<String, Map<String, KnownTag>> state = new java.util.concurrent.ConcurrentHashMap<>();
            long t0 = System.nanoTime();
            List<java.util.concurrent.Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                String id = "r" + i;
                ImageRepository r = repo(host + "/team/" + id);
                all.add(scans.submit(() -> {
                    Scan.Result res = Scan.full(r, RepositoryName.parse(r.image()), Map.of(), TagSource.of(client), DiscoverySource.POLL, pool, Clock.systemUTC());
                    state.put(id, new HashMap<>(res.state()));
                }));
            }
            for (var f : all) {
                f.get();
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            long heap = rt.totalMemory() - rt.freeMemory() - heapBefore;
            System.out.printf("BENCH 1,000 repositories x 100 tags (in-memory registry): first scans %d ms, %d requests, "
                    + "%d known tags, state heap %.1f MB (max heap %d MB)%n", ms, requests(client),
                    state.values().stream().mapToInt(Map::size).sum(), heap / 1e6, rt.maxMemory() / (1024 * 1024));
        } finally {
            fake.stop(0);
            pool.shutdownNow();
            scans.shutdownNow();
        }
    }
}
