package io.tagstream.common.config;

import java.util.List;

/**
 * A service's own check of a loaded configuration, e.g. the evaluator parsing semver ranges with its rules. Its errors
 * are reported with the loader's and the configuration is refused the same way.
 */
@FunctionalInterface
public interface ConfigCheck {
    List<ConfigError> check(TagstreamConfig config);
}
