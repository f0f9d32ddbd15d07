package io.tagstream.evaluator.core;

import java.time.Instant;
import java.util.Optional;

/**
 * What the evaluator knows of one policy, for the status API.
 *
 * @param latest the selection in force; empty when the policy selects nothing now (never a stale one)
 * @param previous the selection before it
 * @param since when {@code latest} was selected
 * @param lastError why nothing is selected, or why the policy cannot run
 * @param ranked for a {@code newest} policy: its newest candidates at the last evaluation, newest first, each with the
 *     time it is ordered by (what the dry run shows); empty for other rules or when the policy did not run
 */
public record PolicyStatus(
        String policy,
        String imageRepository,
        Optional<String> image,
        Optional<Selection> latest,
        Optional<Selection> previous,
        Optional<Instant> since,
        int candidates,
        int skipped,
        Optional<String> lastError,
        Optional<Instant> evaluatedAt,
        boolean suspended,
        java.util.List<NewestPolicy.Ranked> ranked) {

    public PolicyStatus(String policy, String imageRepository, Optional<String> image, Optional<Selection> latest,
            Optional<Selection> previous, Optional<Instant> since, int candidates, int skipped, Optional<String> lastError,
            Optional<Instant> evaluatedAt, boolean suspended) {
        this(policy, imageRepository, image, latest, previous, since, candidates, skipped, lastError, evaluatedAt, suspended,
                java.util.List.of());
    }
}
