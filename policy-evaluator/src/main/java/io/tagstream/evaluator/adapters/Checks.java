package io.tagstream.evaluator.adapters;

import io.tagstream.common.config.ConfigCheck;
import io.tagstream.evaluator.core.PolicyChecks;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** Makes the configuration loader refuse policies whose range or pattern the evaluator cannot run. */
@ApplicationScoped
public class Checks {

    @Produces
    ConfigCheck policies() {
        return PolicyChecks::check;
    }
}
