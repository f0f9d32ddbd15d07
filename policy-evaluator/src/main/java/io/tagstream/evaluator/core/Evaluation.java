package io.tagstream.evaluator.core;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of one selection, with its explanation.
 *
 * @param latestTag the selected tag, as written in the registry
 * @param candidates how many tags reached the policy after filtering
 * @param skipped the first few tags passed over, each with its reason; {@code skippedTotal} counts them all
 * @param error why nothing could be selected: an invalid policy, no tag qualifying, or the time budget spent
 * @param outOfTime the evaluation stopped at its {@link Budget} before it saw every tag: it says nothing about which
 *     tag should be selected, so a selection in force stays
 * @param ranked for a {@code newest} policy, its newest candidates with the time each is ordered by; empty otherwise
 */
public record Evaluation(Optional<String> latestTag, int candidates, List<Skips.Skipped> skipped, int skippedTotal,
        Optional<String> error, boolean outOfTime, List<NewestPolicy.Ranked> ranked) {

    public Evaluation(Optional<String> latestTag, int candidates, List<Skips.Skipped> skipped, int skippedTotal, Optional<String> error) {
        this(latestTag, candidates, skipped, skippedTotal, error, false, List.of());
    }

    public Evaluation(Optional<String> latestTag, int candidates, List<Skips.Skipped> skipped, int skippedTotal,
            Optional<String> error, boolean outOfTime) {
        this(latestTag, candidates, skipped, skippedTotal, error, outOfTime, List.of());
    }

    public boolean selected() {
        return latestTag.isPresent();
    }
}
