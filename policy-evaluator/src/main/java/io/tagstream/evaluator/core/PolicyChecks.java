package io.tagstream.evaluator.core;

import io.tagstream.common.config.ConfigError;
import io.tagstream.common.config.ImagePolicy;
import io.tagstream.common.config.TagstreamConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The evaluator's check of a configuration before it is accepted: every policy's range and pattern must compile with
 * the rules selection uses, and the error points at the line to fix.
 */
public final class PolicyChecks {

    private PolicyChecks() {}

    public static List<ConfigError> check(TagstreamConfig config) {
        List<ConfigError> errors = new ArrayList<>();
        for (ImagePolicy p : config.imagePolicies()) {
            if (p.policy() instanceof ImagePolicy.Semver s) {
                try {
                    SemverRange.parse(s.range());
                } catch (InvalidPolicyException e) {
                    errors.add(p.error("policy.semver.range", e.getMessage()));
                }
            }
            if (p.filterTags().isPresent()) {
                try {
                    TagFilter.of(p.filterTags().get().pattern(), p.filterTags().get().extract());
                } catch (InvalidPolicyException e) {
                    errors.add(p.error("filterTags.pattern", e.getMessage().replaceFirst("^filterTags\\.pattern ", "")));
                }
            }
        }
        return errors;
    }
}
