package io.tagstream.evaluator.core;

import io.tagstream.common.config.ImagePolicy.Order;
import java.util.List;
import java.util.Optional;

/** Byte-wise string order: {@code asc} selects the last string, {@code desc} the first. */
public record AlphabeticalPolicy(Order order) implements TagPolicy {

    @Override
    public Optional<Candidate> choose(List<Candidate> candidates, Skips skips) {
        Candidate best = null;
        for (Candidate c : candidates) {
            if (best == null) {
                best = c;
                continue;
            }
            int cmp = Bytewise.compare(c.value(), best.value());
            if ((order == Order.ASC ? cmp > 0 : cmp < 0) || cmp == 0 && c.winsTieOver(best)) {
                best = c;
            }
        }
        return Optional.ofNullable(best);
    }
}
