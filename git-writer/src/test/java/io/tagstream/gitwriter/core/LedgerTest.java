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
            l.record(AUTO, r.before(), Optional.of("abc"), Instant.EPOCH);
            Ledger.Split s = l.split(AUTO, r.approval());
            assertEquals(r.fresh(), List.copyOf(s.fresh().keySet()), r.name());
            assertEquals(r.written(), List.copyOf(s.written().keySet()), r.name());
        }
    }

    @Test
    void markersOfAnotherAutomationAreIndependent() {
        Ledger l = new Ledger();
        l.record(AUTO, Map.of("p", v("924", D1)), Optional.empty(), Instant.EPOCH);
        assertEquals(List.of("p"), List.copyOf(l.split("flux-system/other", Map.of("p", v("924", D1))).fresh().keySet()));
    }

    @Test
    void restoredEntriesCountAsWritten() {
        Ledger l = new Ledger();
        l.restore(Ledger.key(AUTO, "p"), new Ledger.Entry(Ledger.ref(v("924", D1)), Optional.of("abc"), Instant.EPOCH));
        assertEquals(List.of("p"), List.copyOf(l.split(AUTO, Map.of("p", v("924", D1))).written().keySet()));
    }
}
