package io.tagstream.evaluator.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.common.config.ImagePolicy;
import io.tagstream.common.events.PolicyMatched;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The time budget of one evaluation (issue 15, item 5), with a clock the test moves. */
class BudgetTest {

    static final List<String> TAGS = IntStream.range(0, 10_000).mapToObj(i -> "1.0." + i).toList();

    /** A clock that moves {@code step} nanoseconds each time it is read. */
    static LongSupplier clock(long step, AtomicLong reads) {
        return () -> reads.getAndIncrement() * step;
    }

    record Row(String why, Duration limit, long nanosPerRead, boolean outOfTime) {}

    @Test
    void anEvaluationStopsWhenItsTimeIsUp() throws Exception {
        Selector semver = Selector.of(new ImagePolicy.Semver(">=1.0.0", false), Optional.empty());
        for (Row r : List.of(
                new Row("time enough: the same answer as without a budget", Duration.ofSeconds(2), 1_000, false),
                new Row("10,000 tags are walked twice (tags, then candidates), read every 16: 1,250 reads of 5 ms each pass 2 s",
                        Duration.ofSeconds(2), 5_000_000, true),
                new Row("nor on the first walk alone: 625 reads of 1 ms do not reach 2 s", Duration.ofSeconds(2), 1_000_000, false),
                new Row("one read past the deadline is enough to stop", Duration.ofMillis(1), 2_000_000, true))) {
            AtomicLong reads = new AtomicLong();
            Evaluation e = semver.evaluate(TAGS, Selector.DEFAULT_SKIP_CAP, Budget.of(r.limit(), clock(r.nanosPerRead(), reads)));
            assertEquals(r.outOfTime(), e.outOfTime(), r.why());
            if (r.outOfTime()) {
                assertEquals(Optional.empty(), e.latestTag(), r.why());
                assertEquals(Optional.of("the evaluation stopped at its time budget of " + r.limit().toMillis()
                        + " ms before it had read every tag: narrow filterTags.pattern or give fewer tags"), e.error(), r.why());
            } else {
                assertEquals(Optional.of("1.0.9999"), e.latestTag(), r.why());
            }
            assertTrue(reads.get() <= 1 + 2 * TAGS.size() / Budget.EVERY + 1, reads + " clock reads: " + r.why());
        }
    }

    @Test
    void withoutABudgetTheClockIsNeverRead() throws Exception {
        Evaluation e = Selector.of(new ImagePolicy.Alphabetical(ImagePolicy.Order.ASC), Optional.empty())
                .evaluate(TAGS, Selector.DEFAULT_SKIP_CAP, Budget.UNLIMITED);
        assertEquals(Optional.of("1.0.9999"), e.latestTag());
        assertFalse(e.outOfTime());
    }

    @Test
    void aConfiguredPolicyOutOfTimeKeepsItsSelectionAndSaysWhyOnce() {
        Selections s = new Selections();
        for (int i = 0; i < 300; i++) { // enough tags that a walk reads the clock
            s.discovered(SelectionsTest.tag(String.valueOf(1000 + i), "c"), SelectionsTest.GATE, SelectionsTest.NOW);
        }
        assertEquals("1299", s.status().get(0).latest().orElseThrow().tag());
        s.budgets(() -> Budget.of(Duration.ofMillis(1), clock(1_000_000_000L, new AtomicLong())));
        List<String> seen = new java.util.ArrayList<>();
        for (String tag : List.of("2000", "2001", "2002")) {
            s.discovered(SelectionsTest.tag(tag, "d"), SelectionsTest.GATE, SelectionsTest.NOW)
                    .forEach(effect -> seen.add(effect.getClass().getSimpleName()));
        }
        assertEquals(List.of("TagStored", "PolicyFailed", "TagStored", "TagStored"), seen,
                "an unfinished walk is no evidence for 2002 nor against 1299, and it is said once");
        PolicyStatus st = s.status().get(0);
        assertEquals("1299", st.latest().orElseThrow().tag());
        assertTrue(st.lastError().orElseThrow().contains("stopped at its time budget of 1 ms"), st.toString());
    }
}
