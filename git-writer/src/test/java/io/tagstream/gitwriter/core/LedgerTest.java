package io.tagstream.gitwriter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LedgerTest {

    static final String AUTO = "flux-system/eose-entry-auto";
    static final String D1 = "sha256:" + "1".repeat(64);
    static final String D2 = "sha256:" + "2".repeat(64);

    static ImageValues v(String tag, String digest) {
        return new ImageValues("prod.example/pemos-portal", tag, digest, false);
    }

    record Row(String name, Map<String, ImageValues> before, Map<String, ImageValues> approval, List<String> fresh,
            List<String> written) {}

    @Test
    void aRefIsWrittenOncePerMarkerAndOnlyADifferentRefIsWrittenAgain() {
        List<Row> rows = List.of(
                new Row("nothing written yet", Map.of(), Map.of("p", v("924", D1)), List.of("p"), List.of()),
                new Row("same ref again (redelivery, rollback by a person)", Map.of("p", v("924", D1)),
                        Map.of("p", v("924", D1)), List.of(), List.of("p")),
                new Row("newer tag", Map.of("p", v("924", D1)), Map.of("p", v("925", D2)), List.of("p"), List.of()),
                new Row("same tag, moved digest", Map.of("p", v("latest", D1)), Map.of("p", v("latest", D2)), List.of("p"),
                        List.of()),
                new Row("older tag than the last written (selection went back)", Map.of("p", v("925", D2)),
                        Map.of("p", v("924", D1)), List.of("p"), List.of()),
                new Row("one marker written, the other new", Map.of("p", v("924", D1)),
                        Map.of("p", v("924", D1), "q", v("924", D1)), List.of("q"), List.of("p")));
        for (Row r : rows) {
            Ledger l = new Ledger();
            l.record(AUTO, r.before(), Map.of(), Optional.of("abc"), Instant.EPOCH);
            Ledger.Split s = l.split(AUTO, r.approval(), Optional.empty());
            assertEquals(r.fresh(), List.copyOf(s.fresh().keySet()), r.name());
            assertEquals(r.written(), List.copyOf(s.written().keySet()), r.name());
        }
    }

    @Test
    void markersOfAnotherAutomationAreIndependent() {
        Ledger l = new Ledger();
        l.record(AUTO, Map.of("p", v("924", D1)), Map.of(), Optional.empty(), Instant.EPOCH);
        assertEquals(List.of("p"), List.copyOf(l.split("flux-system/other", Map.of("p", v("924", D1)), Optional.empty()).fresh().keySet()));
    }

    @Test
    void restoredEntriesCountAsWritten() {
        Ledger l = new Ledger();
        l.restore(Ledger.key(AUTO, "p"), new Ledger.Entry(Ledger.ref(v("924", D1)), Optional.of("abc"), Instant.EPOCH,
                Optional.empty()));
        assertEquals(List.of("p"), List.copyOf(l.split(AUTO, Map.of("p", v("924", D1)), Optional.empty()).written().keySet()));
    }

    record Order(String name, Optional<Ledger.Position> writtenAt, Optional<Ledger.Position> approvalAt, String expected) {}

    static Optional<Ledger.Position> at(int partition, long offset) {
        return Optional.of(new Ledger.Position(partition, offset));
    }

    @Test
    void anApprovalReadBeforeTheOneWrittenIsSuperseded() {
        List<Order> rows = List.of(
                new Order("read later: a newer image", at(2, 10), at(2, 11), "fresh"),
                new Order("read earlier: a copy re-keyed twice or queued at a pod that lost the branch", at(2, 10), at(2, 7), "superseded"),
                new Order("the very approval that wrote it, with another ref cannot happen; same position counts as seen", at(2, 10),
                        at(2, 10), "superseded"),
                new Order("another partition (the topic was repartitioned): not comparable", at(2, 10), at(3, 1), "fresh"),
                new Order("entry from before positions were kept", Optional.empty(), at(2, 1), "fresh"),
                new Order("approval without a position (published by hand)", at(2, 10), Optional.empty(), "fresh"));
        for (Order r : rows) {
            Ledger l = new Ledger();
            l.record(AUTO, Map.of("p", v("925", D2)), r.writtenAt().map(p -> Map.of("p", p)).orElse(Map.of()), Optional.of("abc"),
                    Instant.EPOCH);
            Ledger.Split s = l.split(AUTO, Map.of("p", v("924", D1)), r.approvalAt());
            String got = s.fresh().containsKey("p") ? "fresh" : s.superseded().containsKey("p") ? "superseded" : "written";
            assertEquals(r.expected(), got, r.name());
        }
    }

    @Test
    void positionsTravelAsHeaderText() {
        assertEquals(at(4, 123456789012L), Ledger.Position.parse("4/123456789012"));
        assertEquals(Optional.empty(), Ledger.Position.parse("4-12"));
        assertEquals(Optional.empty(), Ledger.Position.parse("x/1"));
        assertEquals(Optional.empty(), Ledger.Position.parse(null));
    }

    @Test
    void entriesWrittenBeforePositionsWereKeptStillRead() {
        Ledger.Entry e = io.tagstream.common.events.Json.read(
                "{\"ref\":\"r:1\",\"commit\":\"abc\",\"at\":\"2026-11-23T00:00:00Z\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Ledger.Entry.class);
        assertEquals(Optional.empty(), e.approval());
        assertEquals(Optional.of("abc"), e.commit());
    }

    @Test
    void entriesFollowTheScopeTheyWereWrittenFor() {
        String a = Ledger.scope(AUTO, "https://git.example/fleet.git", "main", "./apps");
        assertEquals(AUTO + "@https://git.example/fleet.git#main:apps", a, "paths are normalised");
        String moved = Ledger.scope(AUTO, "https://git.example/fleet.git", "main", "clusters/prod");
        String other = Ledger.scope("flux-system/other", "https://git.example/fleet.git", "main", ".");
        Instant loaded = Instant.parse("2026-12-01T00:00:00Z");
        record Row(String name, Map<String, String> scopes, Instant writtenAt, Map<String, Optional<String>> expected) {}
        List<Row> rows = List.of(
                new Row("scope unchanged: kept", Map.of(AUTO, a), Instant.EPOCH, Map.of()),
                new Row("path edited: the old scope's entry is dropped", Map.of(AUTO, moved), Instant.EPOCH,
                        Map.of(Ledger.key(a, "p"), Optional.empty())),
                new Row("automation removed: dropped", Map.of("flux-system/other", other), Instant.EPOCH,
                        Map.of(Ledger.key(a, "p"), Optional.empty())),
                new Row("written after this configuration was loaded (a pod on a newer one): kept", Map.of(AUTO, moved),
                        loaded.plusSeconds(1), Map.of()));
        for (Row r : rows) {
            Ledger l = new Ledger();
            l.restore(Ledger.key(a, "p"), new Ledger.Entry(Ledger.ref(v("924", D1)), Optional.of("abc"), r.writtenAt(),
                    Optional.empty()));
            assertEquals(r.expected(), l.reconcile(r.scopes(), loaded), r.name());
        }

        Ledger legacy = new Ledger();
        Ledger.Entry e = new Ledger.Entry(Ledger.ref(v("924", D1)), Optional.of("abc"), Instant.EPOCH, Optional.empty());
        legacy.restore(Ledger.key(AUTO, "p"), e);
        var plan = legacy.reconcile(Map.of(AUTO, a), loaded);
        assertEquals(Map.of(Ledger.key(AUTO, "p"), Optional.of(Ledger.key(a, "p"))), plan, "pre-scope entries move");
        var records = legacy.apply(plan);
        assertEquals(java.util.Arrays.asList(null, e), new java.util.ArrayList<>(records.values()), "old key tombstoned");
        assertEquals(List.of("p"), List.copyOf(legacy.split(a, Map.of("p", v("924", D1)), Optional.empty()).written().keySet()),
                "the moved entry still says the ref was written");
    }

    @Test
    void aMovedAutomationCarriesTheRefsItLastWroteARemovedOneNothing() {
        String a = Ledger.scope(AUTO, "https://git.example/fleet.git", "main", "./apps");
        String b = Ledger.scope(AUTO, "https://git.example/fleet.git", "main", "./apps-v2");
        String c = Ledger.scope(AUTO, "https://git.example/fleet.git", "release", "./apps");
        String other = Ledger.scope("flux-system/other", "https://git.example/fleet.git", "main", ".");
        record Row(String name, Map<String, String> scopes, List<Ledger.Carry> expected) {}
        List<Row> rows = List.of(
                new Row("path edited: both markers, the newest ref of p (written under two old scopes)",
                        Map.of(AUTO, Ledger.scope(AUTO, "https://git.example/fleet.git", "main", "./clusters")),
                        List.of(new Ledger.Carry(AUTO, "p", Ledger.ref(v("925", D2))), new Ledger.Carry(AUTO, "q",
                                Ledger.ref(v("1.0", D1))))),
                new Row("back to one of the scopes: the other's entries are carried into it", Map.of(AUTO, a),
                        List.of(new Ledger.Carry(AUTO, "p", Ledger.ref(v("925", D2))))),
                new Row("automation removed: nothing to carry", Map.of("flux-system/other", other), List.of()),
                new Row("nothing edited for the other automation", Map.of(AUTO, a, "flux-system/other", other),
                        List.of(new Ledger.Carry(AUTO, "p", Ledger.ref(v("925", D2))))));
        for (Row r : rows) {
            Ledger l = new Ledger();
            l.restore(Ledger.key(a, "p"), new Ledger.Entry(Ledger.ref(v("924", D1)), Optional.of("abc"), Instant.EPOCH,
                    Optional.empty()));
            l.restore(Ledger.key(a, "q"), new Ledger.Entry(Ledger.ref(v("1.0", D1)), Optional.of("abc"), Instant.EPOCH,
                    Optional.empty()));
            l.restore(Ledger.key(b, "p"), new Ledger.Entry(Ledger.ref(v("925", D2)), Optional.of("def"), Instant.EPOCH.plusSeconds(9),
                    Optional.empty()));
            l.restore(Ledger.key(c, "p"), new Ledger.Entry(Ledger.ref(v("923", D1)), Optional.of("012"), Instant.EPOCH.plusSeconds(1),
                    Optional.empty()));
            var plan = l.reconcile(r.scopes(), Instant.parse("2026-12-01T00:00:00Z"));
            assertEquals(r.expected(), l.toCarry(plan, r.scopes()), r.name());
        }
    }
}
