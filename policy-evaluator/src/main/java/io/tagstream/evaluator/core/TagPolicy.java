package io.tagstream.evaluator.core;

import io.tagstream.common.policy.InvalidPolicyException;
import io.tagstream.common.policy.SemverRange;
import io.tagstream.common.config.ImagePolicy;
import java.util.List;
import java.util.Optional;

/** One of Flux's choice rules: given the candidates, the one to select, explaining those it cannot use. */
public sealed interface TagPolicy permits SemverPolicy, NumericalPolicy, AlphabeticalPolicy, NewestPolicy {

    /**
     * The winning candidate, if any.
     *
     * @throws InvalidPolicyException when the candidates make the policy fail as a whole (Flux's numerical policy
     *     refuses a list with one non-number in it)
     */
    Optional<Candidate> choose(List<Candidate> candidates, Skips skips) throws InvalidPolicyException;

    /** The rule for {@code order}; a {@code newest} rule orders by {@code times}. */
    static TagPolicy of(ImagePolicy.TagOrder order, OrderTimes times) throws InvalidPolicyException {
        if (order instanceof ImagePolicy.Newest n) {
            return new NewestPolicy(n.by(), times);
        }
        if (order instanceof ImagePolicy.Semver s) {
            return new SemverPolicy(SemverRange.parse(s.range()), s.coerce());
        }
        if (order instanceof ImagePolicy.Numerical n) {
            return new NumericalPolicy(n.order());
        }
        return new AlphabeticalPolicy(((ImagePolicy.Alphabetical) order).order());
    }
}
