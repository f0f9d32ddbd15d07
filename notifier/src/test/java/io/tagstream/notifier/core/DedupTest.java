package io.tagstream.notifier.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.notifier.core.FluxEvent.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DedupTest {

    static final Instant T = Instant.parse("2026-12-06T10:00:00Z");

    @Test
    void fluxsKeyIsObjectMessageAndRevision() {
        FluxEvent a = AlertsTest.event("ImagePolicy", "ns", "p", Severity.INFO, "m");
        // sha256("event/name=p/namespace=ns/kind=ImagePolicy/message=m/revision=1.0.0")
        assertEquals("d94ae80f76ec463427fc5b2be29ceeb386f36bf6b0b26e3efce4168b09719f2a", Dedup.key(a));
        assertEquals(Dedup.key(a), Dedup.key(a.withMetadata(Map.of("image.toolkit.fluxcd.io/revision", "1.0.0", "env", "x"))),
                "other metadata is not part of the key");
        assertNotEquals(Dedup.key(a), Dedup.key(a.withMetadata(Map.of("image.toolkit.fluxcd.io/revision", "1.0.1"))));
        assertNotEquals(Dedup.key(a), Dedup.key(AlertsTest.event("ImagePolicy", "ns", "p", Severity.INFO, "n")));
        assertNotEquals(Dedup.key(a), Dedup.key(AlertsTest.event("ImageRepository", "ns", "p", Severity.INFO, "m")));
    }

    @Test
    void anEqualEventWithinFiveMinutesIsDropped() {
        Dedup d = new Dedup(Dedup.WINDOW);
        assertFalse(d.duplicate("k", T));
        assertTrue(d.duplicate("k", T.plusSeconds(299)));
        assertFalse(d.duplicate("k", T.plusSeconds(300)), "the window is counted from the one sent");
        assertTrue(d.duplicate("k", T.plusSeconds(301)));
        d.forget("k");
        assertFalse(d.duplicate("k", T.plusSeconds(302)), "a key whose event was not queued is not a duplicate");
        d.remember("other", T);
        assertTrue(d.duplicate("other", T.plusSeconds(10)), "a key another pod stored counts");
        assertEquals(List.of("other"), d.expired(T.plusSeconds(300)).stream().filter(k -> k.equals("other")).toList());
    }
}
