package io.tagstream.notifier.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryTest {

    static final Instant T = Instant.parse("2026-12-06T10:00:00Z");
    static final Retry R = new Retry(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofMinutes(30));

    static Retry.Verdict after(int attempt, Integer status, String retryAfter) {
        return R.after(attempt, Optional.ofNullable(status), status != null && status < 300, Optional.ofNullable(retryAfter),
                "", T, T);
    }

    @Test
    void whatIsTriedAgainAndWhen() {
        assertInstanceOf(Retry.Delivered.class, after(1, 200, null));
        assertEquals(T.plusSeconds(1), ((Retry.Again) after(1, 500, null)).at());
        assertEquals(T.plusSeconds(8), ((Retry.Again) after(4, 503, null)).at());
        assertEquals(T.plusSeconds(60), ((Retry.Again) after(12, 502, null)).at(), "capped");
        assertEquals(T.plusSeconds(1), ((Retry.Again) after(1, null, null)).at(), "no answer: tried again");
        assertEquals(T.plusSeconds(1), ((Retry.Again) after(1, 408, null)).at());
        assertEquals(T.plusSeconds(30), ((Retry.Again) after(1, 429, "30")).at(), "Retry-After, when longer, wins");
        assertEquals(T.plusSeconds(4), ((Retry.Again) after(3, 429, "1")).at(), "the backoff, when longer, wins");
        assertEquals(T.plusSeconds(120), ((Retry.Again) after(1, 503, "Sun, 06 Dec 2026 10:02:00 GMT")).at(), "an HTTP date");
        assertInstanceOf(Retry.GiveUp.class, after(1, 400, null));
        assertInstanceOf(Retry.GiveUp.class, after(1, 404, null));
        assertInstanceOf(Retry.GiveUp.class, after(1, 429, "3600"), "asked to wait beyond the budget");
        assertEquals("HTTP 500 after 3 attempt(s); giving up, the next try would be more than 10s after the event",
                ((Retry.GiveUp) new Retry(Duration.ofSeconds(4), Duration.ofSeconds(60), Duration.ofSeconds(10))
                        .after(3, Optional.of(500), false, Optional.empty(), "", T, T)).reason());
        assertInstanceOf(Retry.GiveUp.class, R.after(1, Optional.of(200), false, Optional.empty(), "not ok", T, T),
                "a 200 that does not say ok (Slack's API) is final");
    }
}
