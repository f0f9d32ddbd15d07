package io.tagstream.evaluator.core;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of one selection, with its explanation.
 *
 * @param latestTag the selected tag, as written in the registry
 * @param candidates how many tags reached the policy after filtering
 * @param skipped the first few tags passed over, each with its reason; {@code skippedTotal} counts them all
 * @param error why nothing could be selected: an invalid policy, or no tag qualifying
 */
public record Evaluation(
        Optional<String> latestTag, int candidates, List<Skips.Skipped> skipped, int skippedTotal, Optional<String> error) {

    public boolean selected() {
        return latestTag.isPresent();
    }
}
