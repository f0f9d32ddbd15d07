package io.tagstream.common.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuditThrottleTest {

    static final Instant T = Instant.parse("2026-12-04T00:00:00Z");

    @Test
    void aFloodOfOneRejectionIsCountedNotWrittenOneByOne() {
        AuditThrottle t = new AuditThrottle(3, Duration.ofMinutes(1));
        List<Optional<Integer>> seen = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            seen.add(t.admit("webhook.rejected|ns/r", T.plusSeconds(i)));
        }
        assertEquals(List.of(Optional.of(0), Optional.of(0), Optional.of(0), Optional.empty(), Optional.empty(), Optional.empty()),
                seen);
        assertEquals(Optional.of(0), t.admit("webhook.rejected|ns/other", T.plusSeconds(7)), "another subject has its own budget");
        assertEquals(Optional.of(3), t.admit("webhook.rejected|ns/r", T.plusSeconds(61)), "the next window's first says how many");
        assertEquals(Optional.of(0), t.admit("webhook.rejected|ns/r", T.plusSeconds(62)));
    }

    @Test
    void controlCharactersCannotForgeALogLine() {
        assertEquals("zz\\u000a2026-12-04 INFO forged", AuditThrottle.escape("zz\n2026-12-04 INFO forged"));
        assertEquals("plain text stays", AuditThrottle.escape("plain text stays"));
        assertEquals("tab\\u0009and\\u001b[31mcolour", AuditThrottle.escape("tab\tand\u001b[31mcolour"));
    }
}
