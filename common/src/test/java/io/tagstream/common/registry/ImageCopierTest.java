package io.tagstream.common.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.TestImages;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Digest-preserving copies between real registries, checked with skopeo's view of the target. */
class ImageCopierTest {

    static LocalRegistry qe;
    static LocalRegistry prod;
    static ExecutorService pool = Executors.newFixedThreadPool(4);

    @BeforeAll
    static void start() {
        qe = LocalRegistry.start();
        prod = LocalRegistry.builder().htpasswd("promoter", "pr0d").start();
    }

    @AfterAll
    static void stop() {
        qe.close();
        prod.close();
        pool.shutdownNow();
    }

    static RegistryClient client(LocalRegistry r) {
        return new RegistryClient(RegistrySettings.of(r.host(), true,
                r.credentials().map(c -> new RegistrySettings.Credentials(c.username(), c.password()))));
    }

    @Test
    void singleImageKeepsItsDigestAcrossRegistriesAndACopyAgainMovesNothing() {
        var img = TestImages.push(qe, "pemos-portal", "924", 2, 64 * 1024);
        var r = ImageCopier.copy(client(qe), "pemos-portal", "924", client(prod), "eose-fleet/pemos-portal", List.of("924"), pool);
        assertEquals(img.digest(), r.digest());
        assertEquals(3, r.blobsUploaded(), "config and two layers");
        assertEquals(img.digest(), "sha256:" + TestImages.sha256(prod.rawManifest("eose-fleet/pemos-portal:924")));
        var again = ImageCopier.copy(client(qe), "pemos-portal", "924", client(prod), "eose-fleet/pemos-portal", List.of("924"), pool);
        assertEquals(0, again.blobsUploaded());
        assertEquals(3, again.blobsSkipped());
    }

    @Test
    void indexCopiesEveryPlatformByteForByte() {
        var index = TestImages.pushIndex(qe, "multi", "2.0.0", 4096);
        var r = ImageCopier.copy(client(qe), "multi", "2.0.0", client(prod), "team/multi", List.of("2.0.0", "stable"), pool);
        assertEquals(index.digest(), r.digest());
        assertEquals(3, r.manifests(), "the index and both platform manifests");
        assertEquals(index.digest(), "sha256:" + TestImages.sha256(prod.rawManifest("team/multi:2.0.0")));
        assertEquals(index.digest(), "sha256:" + TestImages.sha256(prod.rawManifest("team/multi:stable")));
        assertTrue(prod.skopeo("inspect", "--tls-verify=false", "--creds", "promoter:pr0d", "--override-arch", "arm64",
                "docker://" + prod.host() + "/team/multi:2.0.0").contains("\"Architecture\": \"arm64\""));
    }

    @Test
    void sameRegistryCopyMountsInsteadOfUploading() {
        var img = TestImages.push(qe, "staging/app", "1.4.0", 2, 32 * 1024);
        var r = ImageCopier.copy(client(qe), "staging/app", "1.4.0", client(qe), "prod/app", List.of("1.4.0"), pool);
        assertEquals(img.digest(), r.digest());
        assertEquals(0, r.blobsUploaded());
        assertEquals(3, r.blobsMounted());
    }

    @Test
    void aRegistryThatRefusesWritesFailsWithItsOwnWords() {
        TestImages.push(qe, "ro/app", "1.0.0");
        try (LocalRegistry readOnly = LocalRegistry.builder().readOnly().start()) {
            var e = assertThrows(RegistryException.class, () -> ImageCopier.copy(client(qe), "ro/app", "1.0.0", client(readOnly),
                    "ro/app", List.of("1.0.0"), pool));
            assertTrue(e.getMessage().contains("refused: 405 Method not allowed"), e.getMessage()); // distribution's own words
            assertEquals(Optional.of(405), e.status());
        }
    }
}
