package io.tagstream.console.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class FeedTest {

    static Entry entry(String kind, String subject, String text, String correlation) {
        return new Entry(0, Instant.parse("2026-12-07T10:00:00Z"), kind, "promoter", "promotion.opened", "ok", subject, text,
                Optional.ofNullable(correlation));
    }

    static Feed feed() {
        Feed f = new Feed(10);
        f.add(entry("tag-discovered", "qe.azurecr.io/api:901", "tag 901", "c1"));
        f.add(entry("audit", "apps/qe-to-prod", "waits for an approval", "c1"));
        f.add(entry("audit", "apps/other", "Approved by token:bot", "c2"));
        f.add(entry("commit-pushed", "fleet#main@abc", "commit abc pushed", "c1"));
        f.add(entry("audit", "webhook", "rejected: bad signature", null));
        return f;
    }

    static Stream<Arguments> filters() {
        return Stream.of(
                Arguments.of("everything", Feed.Filter.ALL, List.of(1L, 2L, 3L, 4L, 5L)),
                Arguments.of("one chain, push to commit", new Feed.Filter(Optional.of("c1"), Optional.empty(), Optional.empty()), List.of(1L, 2L, 4L)),
                Arguments.of("blank parts match all", new Feed.Filter(Optional.of(" "), Optional.of(""), Optional.of("  ")), List.of(1L, 2L, 3L, 4L, 5L)),
                Arguments.of("a kind", new Feed.Filter(Optional.empty(), Optional.of("audit"), Optional.empty()), List.of(2L, 3L, 5L)),
                Arguments.of("words, any case", new Feed.Filter(Optional.empty(), Optional.empty(), Optional.of("APPROVED BY")), List.of(3L)),
                Arguments.of("words in the subject", new Feed.Filter(Optional.empty(), Optional.empty(), Optional.of("fleet#main")), List.of(4L)),
                Arguments.of("an entry with no chain is not in one", new Feed.Filter(Optional.of("c3"), Optional.empty(), Optional.empty()), List.of()),
                Arguments.of("all parts at once", new Feed.Filter(Optional.of("c1"), Optional.of("audit"), Optional.of("approval")), List.of(2L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filters")
    void recentFiltersOldestFirst(String label, Feed.Filter f, List<Long> seqs) {
        assertEquals(seqs, feed().recent(f, 100).stream().map(Entry::seq).toList());
    }

    @Test
    void recentKeepsTheNewestWithinTheLimit() {
        assertEquals(List.of(4L, 5L), feed().recent(Feed.Filter.ALL, 2).stream().map(Entry::seq).toList());
    }

    @Test
    void afterResumesAStreamAndOldEntriesFallOff() {
        Feed f = new Feed(3);
        for (int i = 0; i < 5; i++) {
            f.add(entry("audit", "s" + i, "", null));
        }
        assertEquals(5, f.lastSeq());
        assertEquals(List.of(3L, 4L, 5L), f.recent(Feed.Filter.ALL, 10).stream().map(Entry::seq).toList());
        assertEquals(List.of(5L), f.after(4, Feed.Filter.ALL).stream().map(Entry::seq).toList());
        assertEquals(List.of(3L, 4L, 5L), f.after(0, Feed.Filter.ALL).stream().map(Entry::seq).toList(), "what fell off is gone");
        assertThrows(IllegalArgumentException.class, () -> new Feed(0));
    }
}
