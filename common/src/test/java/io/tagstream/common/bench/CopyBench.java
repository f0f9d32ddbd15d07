package io.tagstream.common.bench;

import io.tagstream.common.registry.ImageCopier;
import io.tagstream.common.registry.RegistryClient;
import io.tagstream.common.registry.RegistrySettings;
import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.TestImages;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Our copy against {@code skopeo copy --all --preserve-digests} between two local registries, a same-registry copy
 * (mount) of a 500 MiB image, and the heap while a 1 GiB layer streams through. Run with a 256 MB heap:
 * {@code ./mvnw verify -Pbench -pl common -Dtests.heap=256m}.
 */
@Tag("bench")
class CopyBench {

    static final int MIB = 1024 * 1024;

    static RegistryClient client(LocalRegistry r) {
        return new RegistryClient(RegistrySettings.of(r.host(), true, Optional.empty()));
    }

    /** Every copy goes to a registry of its own, so neither tool finds blobs the other (or an earlier run) left. */
    @Test
    void copyVersusSkopeo() {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (LocalRegistry src = LocalRegistry.start()) {
            TestImages.push(src, "bench/app", "50m", 2, 25 * MIB);
            TestImages.pushIndex(src, "bench/multi", "idx", 10 * MIB);
            for (String[] c : new String[][] {{"bench/app", "50m", "50 MiB, 2 layers"}, {"bench/multi", "idx", "2-platform index, 2 x 10 MiB"}}) {
                long[] ours = new long[5];
                long[] skopeo = new long[5];
                for (int i = 0; i < ours.length; i++) {
                    try (LocalRegistry a = LocalRegistry.start(); LocalRegistry b = LocalRegistry.start()) {
                        long t0 = System.nanoTime();
                        var r = ImageCopier.copy(client(src), c[0], c[1], client(a), c[0], List.of(c[1]), pool);
                        ours[i] = System.nanoTime() - t0;
                        t0 = System.nanoTime();
                        b.skopeo("copy", "--quiet", "--all", "--preserve-digests", "--src-tls-verify=false", "--dest-tls-verify=false",
                                "docker://" + src.host() + "/" + c[0] + ":" + c[1], "docker://" + b.host() + "/" + c[0] + ":" + c[1]);
                        skopeo[i] = System.nanoTime() - t0;
                        if (!r.digest().equals("sha256:" + TestImages.sha256(b.rawManifest(c[0] + ":" + c[1])))) {
                            throw new AssertionError("skopeo and we disagree on the digest");
                        }
                    }
                }
                Arrays.sort(ours);
                Arrays.sort(skopeo);
                System.out.printf("BENCH copy %s: ours median %d ms, skopeo median %d ms, ratio %.2f%n", c[2], ours[2] / 1_000_000,
                        skopeo[2] / 1_000_000, (double) ours[2] / skopeo[2]);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void sameRegistryMountAndHeapWhileStreamingAGigabyte() {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (LocalRegistry src = LocalRegistry.start(); LocalRegistry dst = LocalRegistry.start()) {
            TestImages.push(src, "bench/big", "500m", 2, 250 * MIB);
            long t0 = System.nanoTime();
            var mounted = ImageCopier.copy(client(src), "bench/big", "500m", client(src), "prod/big", List.of("500m"), pool);
            System.out.printf("BENCH same-registry copy of a 500 MiB image: %d ms (%d blobs mounted, %d uploaded)%n",
                    (System.nanoTime() - t0) / 1_000_000, mounted.blobsMounted(), mounted.blobsUploaded());

            TestImages.push(src, "bench/huge", "1g", 1, 1024 * MIB);
            List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == MemoryType.HEAP).toList();
            System.gc();
            heap.forEach(MemoryPoolMXBean::resetPeakUsage);
            t0 = System.nanoTime();
            var r = ImageCopier.copy(client(src), "bench/huge", "1g", client(dst), "bench/huge", List.of("1g"), pool);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            System.out.printf("BENCH copy of a 1 GiB layer between registries: %d ms, %d MiB uploaded, peak heap %d MiB (max heap %d MiB)%n",
                    ms, r.bytesUploaded() / MIB, peak / MIB, Runtime.getRuntime().maxMemory() / MIB);
        } finally {
            pool.shutdownNow();
        }
    }
}
