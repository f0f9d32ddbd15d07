package io.tagstream.evaluator.core;

import io.tagstream.common.policy.InvalidPolicyException;
import io.tagstream.common.config.ImagePolicy;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Runs an ImagePolicy's filter and choice rule over a set of tags and says what it chose and why. */
public final class Selector {

    /** How many skipped tags an explanation lists; the rest are only counted. */
    public static final int DEFAULT_SKIP_CAP = 50;

    private final ImagePolicy.TagOrder order;
    private final Optional<ImagePolicy.FilterTags> filterTags;
    private final TagPolicy policy;
    private final Optional<TagFilter> filter;

    private Selector(ImagePolicy.TagOrder order, Optional<ImagePolicy.FilterTags> filterTags) throws InvalidPolicyException {
        this.order = order;
        this.filterTags = filterTags;
        this.policy = TagPolicy.of(order, OrderTimes.NONE);
        TagFilter f = null;
        if (filterTags.isPresent() && !filterTags.get().pattern().isEmpty()) {
            f = TagFilter.of(filterTags.get().pattern(), filterTags.get().extract());
        }
        this.filter = Optional.ofNullable(f);
    }

    /** A selector for the policy, or the reason it is invalid. */
    public static Selector of(ImagePolicy.TagOrder order, Optional<ImagePolicy.FilterTags> filterTags)
            throws InvalidPolicyException {
        return new Selector(order, filterTags);
    }

    public static Selector of(ImagePolicy policy) throws InvalidPolicyException {
        return of(policy.policy(), policy.filterTags());
    }

    public Evaluation evaluate(Collection<String> tags) {
        return evaluate(tags, DEFAULT_SKIP_CAP);
    }

    public Evaluation evaluate(Collection<String> tags, int skipCap) {
        return evaluate(tags, skipCap, Budget.UNLIMITED);
    }

    /** As {@link #evaluate(Collection, int)}, stopping with {@link Evaluation#outOfTime()} when the budget is spent. */
    public Evaluation evaluate(Collection<String> tags, int skipCap, Budget budget) {
        return evaluate(tags, skipCap, budget, OrderTimes.NONE);
    }

    /** As {@link #evaluate(Collection, int, Budget)}; a {@code newest} policy orders the tags by {@code times}. */
    public Evaluation evaluate(Collection<String> tags, int skipCap, Budget budget, OrderTimes times) {
        try {
            TagPolicy rule = policy instanceof NewestPolicy n ? new NewestPolicy(n.by(), times) : policy;
            return evaluate(budget.meter(tags), skipCap, budget, tags.size(), rule);
        } catch (Budget.Exceeded e) {
            // the same words each time (no counts), so that a policy that keeps running out of time is reported once
            return new Evaluation(Optional.empty(), 0, List.of(), 0, Optional.of("the evaluation stopped at its time budget of "
                    + e.limit().toMillis() + " ms before it had read every tag: narrow filterTags.pattern or give fewer tags"), true);
        }
    }

    private Evaluation evaluate(List<String> tags, int skipCap, Budget budget, int total, TagPolicy policy) {
        Skips skips = new Skips(skipCap);
        List<Candidate> candidates = budget.meter(filter.map(f -> f.apply(tags, skips)).orElseGet(() -> TagFilter.none(tags)));
        if (total == 0) {
            return new Evaluation(Optional.empty(), 0, List.of(), 0, Optional.of("the repository has no tags"));
        }
        try {
            Optional<Candidate> chosen = policy.choose(candidates, skips);
            Optional<String> error = chosen.isPresent() ? Optional.empty() : Optional.of(noneReason(candidates.size(), tags.size()));
            List<NewestPolicy.Ranked> ranked = policy instanceof NewestPolicy n ? n.ranking(candidates) : List.of();
            return new Evaluation(chosen.map(Candidate::tag), candidates.size(), skips.kept(), skips.total(), error, false, ranked);
        } catch (InvalidPolicyException e) {
            return new Evaluation(Optional.empty(), candidates.size(), skips.kept(), skips.total(), Optional.of(e.getMessage()));
        }
    }

    private String noneReason(int candidates, int tags) {
        if (candidates == 0) {
            return "none of " + tags + " tags matches filterTags.pattern '" + filterTags.map(ImagePolicy.FilterTags::pattern).orElse("") + "'";
        }
        if (order instanceof ImagePolicy.Semver s) {
            return "no tag of " + candidates + " candidates satisfies semver range '" + s.range() + "'";
        }
        return "no tag selected from " + candidates + " candidates";
    }
}
