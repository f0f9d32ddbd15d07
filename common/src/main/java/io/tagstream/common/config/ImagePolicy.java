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

    /** One of Flux's three choice rules, or our {@link Newest}. */
    public sealed interface TagOrder permits Semver, Numerical, Alphabetical, Newest {}

    /** @param coerce our extension: read {@code 924} as {@code 924.0.0} and {@code 1.2} as {@code 1.2.0} */
    public record Semver(String range, boolean coerce) implements TagOrder {}

    public record Numerical(Order order) implements TagOrder {}

    public record Alphabetical(Order order) implements TagOrder {}

    /**
     * Our extension {@code policy.newest: {by: pushed | built}}, for tags that do not sort (git SHAs): the tag whose
     * image appeared last in the registry ({@code pushed}: the registry's push time where it reports one, else the time
     * Tagstream first saw the tag at its digest), or whose image was built last ({@code built}: the image config's
     * {@code created}).
     */
    public record Newest(By by) implements TagOrder {}

    public enum By {
        PUSHED,
        BUILT;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Whether this policy orders tags by the time their image was built, which the poller reads from the registry. */
    public boolean needsBuildTimes() {
        return policy instanceof Newest n && n.by() == By.BUILT;
    }

    /** Whether this policy orders tags by when they were pushed, which a registry's own API may tell (see Registry). */
    public boolean needsPushTimes() {
        return policy instanceof Newest n && n.by() == By.PUSHED;
    }

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
