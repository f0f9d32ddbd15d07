package io.tagstream.poller.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.common.events.TagDiscovered;
import io.tagstream.common.events.TagDiscovered.DiscoverySource;
import io.tagstream.common.events.TagRemoved;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RepositoryStateTest {

    static final Instant T = Instant.parse("2026-12-04T00:00:00Z");
    static final KnownTags FROM_A = new KnownTags(Optional.of("a.example/app"), Map.of("1.0", new KnownTag("sha256:1", "m")));

    static TagDiscovered found(String tag) {
        return new TagDiscovered("ns/app", "a.example", "a.example/app", tag, "sha256:" + "0".repeat(64), "m", Optional.empty(),
                DiscoverySource.POLL, T);
    }

    static Scan.Result result(List<TagDiscovered> found, List<TagRemoved> removed, List<String> errors, boolean capped) {
        return new Scan.Result(found, removed, Map.of(), 30, capped ? 20 : 30, capped, found.size(), errors, List.of(),
                Duration.ofMillis(42));
    }

    @Test
    void aMoveIsScheduledOnceAndForgetsTheOldImagesStatus() {
        RepositoryState s = RepositoryState.restored(FROM_A).scanned(result(List.of(found("1.0")), List.of(), List.of("x: 500"), false),
                true, T).due(T.plusSeconds(60));
        assertEquals(Optional.empty(), s.movedTo("a.example/app"), "same image: not moved");
        assertEquals(Optional.of("b.example/app"), s.movedTo("b.example/app"));
        RepositoryState moving = s.moving("b.example/app", T);
        assertEquals(Optional.empty(), moving.movedTo("b.example/app"), "a later reload does not schedule it again");
        assertEquals(Optional.of(T), moving.nextScan(), "due at once");
        assertEquals(Optional.empty(), moving.lastScan());
        assertEquals(Optional.empty(), moving.lastError());
        assertEquals(List.of(), moving.latest());
        RepositoryState moved = moving.knowing(new KnownTags(Optional.of("b.example/app"), Map.of()));
        assertEquals(Optional.empty(), moved.movingTo(), "recorded: the move is complete");
        assertEquals(Optional.of("a.example/app"), moved.movedTo("a.example/app"), "moving back is a move again");
    }

    @Test
    void scansShowTheirCapErrorsAndTheTenLatestTags() {
        RepositoryState s = RepositoryState.NEW;
        for (int i = 0; i < 12; i++) {
            s = s.scanned(result(List.of(found("t" + i)), List.of(), List.of(), false), true, T.plusSeconds(i));
        }
        assertEquals(IntStream.iterate(11, i -> i >= 2, i -> i - 1).mapToObj(i -> "t" + i).toList(), s.latest());
        assertEquals(Optional.of(T.plusSeconds(11)), s.lastScan());
        assertEquals(42, s.lastScanMillis());

        RepositoryState hinted = s.scanned(result(List.of(found("t5")), List.of(new TagRemoved("ns/app", "a.example",
                "a.example/app", "t11", "sha256:" + "1".repeat(64), T)), List.of("t9: 500"), true), false, T.plusSeconds(99));
        assertEquals(Optional.of(T.plusSeconds(11)), hinted.lastScan(), "a hint's check is not the last scan");
        assertEquals("t5", hinted.latest().get(0));
        assertTrue(!hinted.latest().contains("t11"), "removed tags leave the latest");
        assertEquals(Optional.of("1 tags could not be resolved, e.g. t9: 500"), hinted.lastError());
        assertEquals(Optional.of("considering the last 20 of 30 tags (spec.maxTags)"), hinted.capped());

        RepositoryState failed = hinted.failed("401 Unauthorized");
        assertTrue(failed.repeats("401 Unauthorized"));
        assertTrue(!failed.repeats("timeout"));
    }
}
