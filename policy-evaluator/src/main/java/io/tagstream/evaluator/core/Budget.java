package io.tagstream.evaluator.core;

import java.time.Duration;
import java.util.AbstractList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The time one evaluation may take. Patterns are RE2 (linear) and ranges, pattern lengths and tag counts are bounded,
 * but a 1,024-character pattern over 100,000 tags is still real work: an evaluation that outlives its budget stops
 * with {@link Exceeded} instead of holding a thread. The clock is given, so tests decide when time passes. The check
 * runs as the tags are walked ({@link #meter}): every {@value #EVERY} tags (one tag against a 1,024-character pattern takes about a millisecond at worst).
 */
public final class Budget {

    static final int EVERY = 16;

    /** No limit (the clock is never read). */
    public static final Budget UNLIMITED = new Budget(Duration.ZERO, () -> 0, true);

    private final Duration limit;
    private final LongSupplier nanos;
    private final long deadline;
    private final boolean unlimited;
    private int walked;

    private Budget(Duration limit, LongSupplier nanos, boolean unlimited) {
        this.limit = limit;
        this.nanos = nanos;
        this.unlimited = unlimited;
        this.deadline = unlimited ? 0 : nanos.getAsLong() + limit.toNanos();
    }

    /** A budget of {@code limit} from now, by {@code nanos} (System::nanoTime in the services). */
    public static Budget of(Duration limit, LongSupplier nanos) {
        return new Budget(limit, nanos, false);
    }

    /** Thrown from inside the walk when the time is up; {@link Selector} turns it into the evaluation's error. */
    public static final class Exceeded extends RuntimeException {
        private final Duration limit;
        private final int walked;

        Exceeded(Duration limit, int walked) {
            super(null, null, false, false);
            this.limit = limit;
            this.walked = walked;
        }

        public Duration limit() {
            return limit;
        }

        /** Tags (and then candidates) walked before it stopped. */
        public int walked() {
            return walked;
        }
    }

    void step() {
        walked++;
        if (!unlimited && walked % EVERY == 0 && nanos.getAsLong() - deadline > 0) {
            throw new Exceeded(limit, walked);
        }
    }

    /** The same elements; walking them counts against the budget. */
    <T> List<T> meter(Collection<T> items) {
        List<T> list = items instanceof List<T> l ? l : List.copyOf(items);
        if (unlimited) {
            return list;
        }
        return new AbstractList<>() {
            @Override
            public T get(int i) {
                return list.get(i);
            }

            @Override
            public int size() {
                return list.size();
            }

            @Override
            public Iterator<T> iterator() {
                Iterator<T> it = list.iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public T next() {
                        step();
                        return it.next();
                    }
                };
            }
        };
    }
}
