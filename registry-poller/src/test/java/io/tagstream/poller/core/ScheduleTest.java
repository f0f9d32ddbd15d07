package io.tagstream.poller.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.common.config.ConfigLoader;
import io.tagstream.common.config.ImageRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScheduleTest {

    static final Instant T = Instant.parse("2026-12-04T00:00:00Z");

    static ImageRepository repo(String name, String interval, String extra) {
        return new ConfigLoader().parse(Map.of("r.yaml", """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: %s, namespace: ns}
                spec: {image: registry.example/app, interval: %s%s}
                """.formatted(name, interval, extra))).config().imageRepositories().get(0);
    }

    record Next(String name, String interval, Duration took, boolean moved, Duration expected) {}

    @Test
    void theIntervalRunsFromTheStartOfAScan() {
        List<Next> rows = List.of(
                new Next("a quick scan: one interval after it began", "1m", Duration.ofSeconds(2), false, Duration.ofSeconds(58)),
                new Next("1 s interval: every second", "1s", Duration.ofMillis(300), false, Duration.ofMillis(700)),
                new Next("a scan that outlasted its interval: one interval of rest", "10s", Duration.ofSeconds(25), false,
                        Duration.ofSeconds(10)),
                new Next("spec.image moved during the scan: the new image at once", "1h", Duration.ofSeconds(1), true,
                        Duration.ZERO));
        for (Next r : rows) {
            Instant now = T.plus(r.took());
            assertEquals(now.plus(r.expected()), Schedule.next(repo("app", r.interval(), ""), T, now, r.moved()), r.name());
        }
    }

    @Test
    void firstScansAreSpreadWithinATenthOfTheIntervalAtMostThirtySeconds() {
        for (String name : List.of("a", "b", "portal", "relay", "eose-entry")) {
            Duration hour = Duration.between(T, Schedule.first(repo(name, "1h", ""), T));
            assertTrue(!hour.isNegative() && hour.compareTo(Duration.ofSeconds(30)) < 0, name + ": " + hour);
            Duration minute = Duration.between(T, Schedule.first(repo(name, "1m", ""), T));
            assertTrue(minute.compareTo(Duration.ofSeconds(6)) < 0, name + ": " + minute);
            assertEquals(Schedule.first(repo(name, "1h", ""), T), Schedule.first(repo(name, "1h", ""), T), "fixed by the name");
        }
    }

    @Test
    void aScanMayTakeItsTimeoutOrItsIntervalButAtLeastFiveMinutes() {
        assertEquals(Duration.ofMinutes(5), Schedule.timeout(repo("a", "1m", "")));
        assertEquals(Duration.ofHours(1), Schedule.timeout(repo("a", "1h", "")));
        assertEquals(Duration.ofSeconds(20), Schedule.timeout(repo("a", "1h", ", timeout: 20s")));
    }
}
