package io.tagstream.console.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The last {@code capacity} entries the console read, numbered in the order it read them; older ones fall off (the
 * topics keep the history; the console shows what is recent and what arrives). Thread-safe.
 */
public final class Feed {

    /**
     * What a person asks to see: one chain ("follow one image"), a kind, or words anywhere in the line. Empty parts
     * match everything.
     */
    public record Filter(Optional<String> correlationId, Optional<String> kind, Optional<String> text) {

        public static final Filter ALL = new Filter(Optional.empty(), Optional.empty(), Optional.empty());

        public Filter {
            correlationId = correlationId.map(String::strip).filter(s -> !s.isEmpty());
            kind = kind.map(String::strip).filter(s -> !s.isEmpty());
            text = text.map(s -> s.strip().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty());
        }

        public boolean matches(Entry e) {
            return correlationId.map(c -> e.correlationId().map(c::equals).orElse(false)).orElse(true)
                    && kind.map(k -> k.equals(e.kind())).orElse(true)
                    && text.map(t -> (e.subject() + " " + e.text() + " " + e.action() + " " + e.service()).toLowerCase(Locale.ROOT)
                            .contains(t)).orElse(true);
        }
    }

    private final int capacity;
    private final Deque<Entry> entries = new ArrayDeque<>();
    private long next = 1;

    public Feed(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
    }

    /** Adds an entry, numbered after every earlier one; returns it as stored. */
    public synchronized Entry add(Entry e) {
        Entry numbered = e.withSeq(next++);
        entries.addLast(numbered);
        if (entries.size() > capacity) {
            entries.removeFirst();
        }
        return numbered;
    }

    /** The newest {@code limit} entries the filter matches, oldest first. */
    public synchronized List<Entry> recent(Filter f, int limit) {
        List<Entry> out = new ArrayList<>();
        var it = entries.descendingIterator();
        while (it.hasNext() && out.size() < limit) {
            Entry e = it.next();
            if (f.matches(e)) {
                out.add(e);
            }
        }
        java.util.Collections.reverse(out);
        return out;
    }

    /** Entries numbered after {@code seq} that the filter matches, oldest first (what a reconnecting page missed). */
    public synchronized List<Entry> after(long seq, Filter f) {
        return entries.stream().filter(e -> e.seq() > seq && f.matches(e)).toList();
    }

    public synchronized long lastSeq() {
        return next - 1;
    }
}
