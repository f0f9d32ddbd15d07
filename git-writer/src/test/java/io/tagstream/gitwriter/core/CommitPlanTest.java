package io.tagstream.gitwriter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommitPlanTest {

    static final String SCOPE = Ledger.scope("flux-system/auto", "https://git.example/fleet", "master", "./apps");
    static final String D1 = "sha256:" + "1".repeat(64);
    static final String D2 = "sha256:" + "2".repeat(64);

    static ImageValues v(String tag, String digest) {
        return new ImageValues("prod.example/portal", tag, digest, false);
    }

    static CommitPlan.Approval approval(String setter, ImageValues v, long offset) {
        return new CommitPlan.Approval(Map.of(setter, v), Optional.of(new Ledger.Position(0, offset)));
    }

    /** @param written what the ledger holds before, written by the approval at offset 10 */
    record Row(String name, Map<String, ImageValues> written, List<CommitPlan.Approval> batch, Map<String, String> values,
            List<String> alreadyWritten, int superseded) {}

    @Test
    void aBatchWritesTheNewestNewRefPerMarkerAndSaysWhatItSkipped() {
        List<Row> rows = List.of(
                new Row("one new approval", Map.of(), List.of(approval("p", v("924", D1), 11)), Map.of("p", "924"), List.of(), 0),
                new Row("a burst: the later approval of a marker wins", Map.of(),
                        List.of(approval("p", v("924", D1), 11), approval("p", v("925", D2), 12)), Map.of("p", "925"), List.of(), 0),
                new Row("a redelivery of what is written: nothing to write, said so", Map.of("p", v("924", D1)),
                        List.of(approval("p", v("924", D1), 11)), Map.of(), List.of("p"), 0),
                new Row("new after written in one batch: the new one is written", Map.of("p", v("924", D1)),
                        List.of(approval("p", v("924", D1), 11), approval("p", v("925", D2), 12)), Map.of("p", "925"), List.of(), 0),
                new Row("written after new in one batch (a rollback to the written ref): nothing written, the ref stands",
                        Map.of("p", v("924", D1)), List.of(approval("p", v("925", D2), 11), approval("p", v("924", D1), 12)),
                        Map.of(), List.of("p"), 0),
                new Row("an approval read before the one written: superseded", Map.of("p", v("925", D2)),
                        List.of(approval("p", v("924", D1), 7)), Map.of(), List.of(), 1),
                new Row("two markers: one written, one new", Map.of("p", v("924", D1)),
                        List.of(approval("p", v("924", D1), 11), approval("q", v("924", D1), 12)), Map.of("q", "924"), List.of("p"), 0));
        for (Row r : rows) {
            Ledger ledger = new Ledger();
            Map<String, Ledger.Position> at = new java.util.HashMap<>();
            r.written().keySet().forEach(k -> at.put(k, new Ledger.Position(0, 10)));
            ledger.record(SCOPE, r.written(), at, Optional.of("abcdef1234567890"), Instant.EPOCH);
            CommitPlan plan = CommitPlan.of(ledger, SCOPE, r.batch());
            Map<String, String> tags = new java.util.LinkedHashMap<>();
            plan.values().forEach((k, x) -> tags.put(k, x.tag()));
            assertEquals(r.values(), tags, r.name());
            assertEquals(r.values().keySet(), plan.positions().keySet(), r.name() + ": every value knows its approval");
            assertEquals(r.alreadyWritten(), List.copyOf(plan.written().keySet()), r.name());
            assertEquals(r.superseded(), plan.superseded().size(), r.name());
            assertEquals(r.values().isEmpty(), plan.nothingToWrite(), r.name());
        }
    }

    @Test
    void notesNameTheRefsAndCommits() {
        Ledger ledger = new Ledger();
        ledger.record(SCOPE, Map.of("p", v("925", D2)), Map.of("p", new Ledger.Position(0, 10)), Optional.of("abcdef1234567890"),
                Instant.EPOCH);
        CommitPlan written = CommitPlan.of(ledger, SCOPE, List.of(approval("p", v("925", D2), 11)));
        assertEquals("p=prod.example/portal:925@" + D2 + " was written by commit abcdef123456 at 1970-01-01T00:00:00Z: not"
                + " written again, so a change a person made in git since then stands until a newer image is approved",
                written.alreadyWrittenNote().orElseThrow());
        CommitPlan old = CommitPlan.of(ledger, SCOPE, List.of(approval("p", v("924", D1), 3)));
        assertTrue(old.supersededNote().orElseThrow().startsWith("prod.example/portal:924@" + D1
                + " (approval at promotion-approved 0/3) is older than prod.example/portal:925@" + D2 + " (at 0/10)"),
                old.supersededNote().get());
        Map<String, ImageValues> values = new java.util.LinkedHashMap<>();
        values.put("p", v("926", D1));
        values.put("q", v("1.0", D1));
        assertEquals("p=926, q=1.0", CommitPlan.describe(values));
    }
}
