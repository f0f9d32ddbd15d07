package io.tagstream.common.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Flux's ImagePolicy: how to pick the latest tag of one ImageRepository. */
public record ImagePolicy(
        ResourceId id,
        Map<String, String> labels,
        Origin origin,
        ResourceId imageRepositoryRef,
        TagOrder policy,
        Optional<FilterTags> filterTags,
        DigestReflection digestReflectionPolicy,
        Optional<Duration> interval,
        boolean suspend)
        implements Resource {

    /** One of Flux's three choice rules. */
    public sealed interface TagOrder permits Semver, Numerical, Alphabetical {}

    /** @param coerce our extension: read {@code 924} as {@code 924.0.0} and {@code 1.2} as {@code 1.2.0} */
    public record Semver(String range, boolean coerce) implements TagOrder {}

    public record Numerical(Order order) implements TagOrder {}

    public record Alphabetical(Order order) implements TagOrder {}

    /** Flux's order: {@code asc} selects the greatest value, {@code desc} the least. */
    public enum Order {
        ASC,
        DESC
    }

    /** @param pattern Go regexp syntax; @param extract template such as {@code $ts} applied to the match */
    public record FilterTags(String pattern, String extract) {}

    public enum DigestReflection {
        NEVER,
        IF_NOT_PRESENT,
        ALWAYS
    }
}
