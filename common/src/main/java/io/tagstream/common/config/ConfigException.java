package io.tagstream.common.config;

import java.util.List;
import java.util.stream.Collectors;

/** The configuration has problems; every one found is listed, not only the first. */
public final class ConfigException extends RuntimeException {

    private final transient List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        super(errors.size() == 1
                ? errors.get(0).toString()
                : errors.size() + " configuration errors:\n  "
                        + errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n  ")));
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() {
        return errors;
    }
}
