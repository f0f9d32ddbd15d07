package io.tagstream.common.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.TestImages;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Build times read from image configs served by Debian's docker-registry, with the requests each read costs. */
class BuildTimesTest {

    static LocalRegistry registry;

    @BeforeAll
    static void start() {
        registry = LocalRegistry.start();
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    static RegistryClient client() {
        return new RegistryClient(RegistrySettings.of(registry.host(), true, Optional.empty()).withRetries(2, Duration.ofSeconds(1)));
    }

    @Test
    void anImageSaysWhenItWasBuiltForOneConfigRead() {
        Instant created = Instant.parse("2026-11-30T12:34:56Z");
        TestImages.Pushed p = TestImages.pushBuilt(registry, "cd/supervisor", "0123456789abcdef0123456789abcdef01234567", created);
        RegistryClient c = client();
        RegistryClient.Manifest m = c.manifest("cd/supervisor", p.tag()).orElseThrow();
        assertEquals(Optional.of(created), BuildTimes.of(c, "cd/supervisor", m));
        assertEquals(Map.of(200, 2L), c.stats().responses(), "the manifest, then its config");
    }

    @Test
    void anIndexIsAsNewAsItsNewestPlatform() {
        Instant older = Instant.parse("2026-11-01T00:00:00Z");
        Instant newer = Instant.parse("2026-11-01T00:05:00Z");
        TestImages.Pushed p = TestImages.pushIndex(registry, "cd/multi", "v1", 128, older, newer);
        RegistryClient c = client();
        RegistryClient.Manifest m = c.manifest("cd/multi", p.tag()).orElseThrow();
        assertEquals(Optional.of(newer), BuildTimes.of(c, "cd/multi", m));
    }

    @Test
    void theEpochOfReproducibleBuildsSaysNothing() {
        TestImages.Pushed p = TestImages.push(registry, "cd/reproducible", "1"); // jib writes 1970-01-01T00:00:00Z
        RegistryClient c = client();
        assertEquals(Optional.empty(), BuildTimes.of(c, "cd/reproducible", c.manifest("cd/reproducible", p.tag()).orElseThrow()));
        assertEquals(Optional.of(Instant.parse("2026-12-06T07:00:00.123456789Z")), BuildTimes.created("2026-12-06T09:00:00.123456789+02:00"));
        assertEquals(Optional.empty(), BuildTimes.created("yesterday"));
    }
}
