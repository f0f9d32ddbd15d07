package io.tagstream.evaluator.core;

import io.tagstream.common.config.ImagePolicy;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Our {@code newest} rule, for tags that do not sort (git SHAs): the candidate whose time ({@code pushed} or
 * {@code built}, see {@link ImagePolicy.Newest}) is latest. Deterministic whatever the order tags arrive in: equal
 * times go to the tag that sorts last byte-wise, and a candidate without a time ranks below every candidate with one.
 */
public record NewestPolicy(ImagePolicy.By by, OrderTimes times) implements TagPolicy {

    /** How many of the newest candidates an explanation lists. */
    public static final int RANKED = 10;

    /** A candidate and the time it is ordered by; empty when that time is not known. */
    public record Ranked(String tag, Optional<Instant> time) {}

    @Override
    public Optional<Candidate> choose(List<Candidate> candidates, Skips skips) {
        Comparator<Ranked> order = newestFirst();
        Ranked best = null;
        Candidate chosen = null;
        for (Candidate c : candidates) {
            Ranked r = new Ranked(c.tag(), times.of(c.tag()));
            if (best == null || order.compare(r, best) < 0) {
                best = r;
                chosen = c;
            }
        }
        return Optional.ofNullable(chosen);
    }

    /** The newest candidates, newest first, with their times: what a dry run and the status show. */
    public List<Ranked> ranking(List<Candidate> candidates) {
        return candidates.stream().map(c -> new Ranked(c.tag(), times.of(c.tag()))).sorted(newestFirst()).limit(RANKED)
                .toList();
    }

    private static Comparator<Ranked> newestFirst() {
        return (a, b) -> {
            if (a.time().isPresent() != b.time().isPresent()) {
                return a.time().isPresent() ? -1 : 1;
            }
            if (a.time().isPresent()) {
                int t = b.time().get().compareTo(a.time().get());
                if (t != 0) {
                    return t;
                }
            }
            return Bytewise.compare(b.tag(), a.tag());
        };
    }
}
