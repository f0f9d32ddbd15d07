package io.tagstream.common.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The configuration has problems; every one found is listed, not only the first. What the loader noticed besides
 * (warnings, documents skipped) comes along, so {@code ./tagstream check} can show everything in one go.
 */
public final class ConfigException extends RuntimeException {

    private final transient List<ConfigError> errors;
    private final transient List<String> warnings;
    private final transient List<String> skipped;

    public ConfigException(List<ConfigError> errors) {
        this(errors, List.of(), List.of());
    }

    public ConfigException(List<ConfigError> errors, List<String> warnings, List<String> skipped) {
        super(errors.size() == 1
                ? errors.get(0).toString()
                : errors.size() + " configuration errors:\n  "
                        + errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n  ")));
        this.errors = List.copyOf(errors);
        this.warnings = List.copyOf(warnings);
        this.skipped = List.copyOf(skipped);
    }

    public List<ConfigError> errors() {
        return errors;
    }

    /** Warnings found while reading, besides the errors (including resources not ready). */
    public List<String> warnings() {
        return warnings;
    }

    /** Documents read past on purpose, as in {@link ConfigLoad#skipped()}. */
    public List<String> skipped() {
        return skipped;
    }
}
