package io.tagstream.common.policy;

import io.tagstream.common.config.ConfigError;
import io.tagstream.common.config.ImagePolicy;
import io.tagstream.common.config.TagstreamConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules every service applies to a configuration before accepting it: each policy's semver range must parse with
 * the rules selection uses (patterns are checked while the file is read), and the error points at the line to fix.
 * The loader runs them in every service, so all four judge one configuration the same way: a range the evaluator
 * cannot run is refused by the poller, the promoter and git-writer too.
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
        }
        return errors;
    }
}
