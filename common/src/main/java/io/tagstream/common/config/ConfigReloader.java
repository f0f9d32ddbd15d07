package io.tagstream.common.config;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Keeps the last good configuration of a directory and swaps in a new one only when it loads cleanly. A mounted
 * ConfigMap changes by an atomic symlink swap that file watchers often miss, so the caller polls {@link #check()};
 * the content fingerprint keeps unchanged polls cheap.
 */
public final class ConfigReloader {

    /** What one check found. */
    public sealed interface Outcome permits Unchanged, Applied, Refused {}

    public record Unchanged() implements Outcome {}

    public record Applied(ConfigLoad load) implements Outcome {}

    /** The directory changed but does not load; the last good configuration stays in force. */
    public record Refused(List<ConfigError> errors, String fingerprint) implements Outcome {}

    /** What a health check or status endpoint reports. */
    public record Status(
            Optional<String> activeFingerprint,
            Optional<Instant> loadedAt,
            List<ConfigError> pendingErrors,
            List<String> warnings) {}

    private final Path dir;
    private final ConfigLoader loader;
    private volatile ConfigLoad active;
    private volatile Instant loadedAt;
    private volatile String seen = "";
    private volatile List<ConfigError> pendingErrors = List.of();

    public ConfigReloader(Path dir, ConfigLoader loader) {
        this.dir = dir;
        this.loader = loader;
    }

    /** The configuration in force; empty until the first good load. */
    public TagstreamConfig config() {
        ConfigLoad a = active;
        return a == null ? TagstreamConfig.EMPTY : a.config();
    }

    public Path directory() {
        return dir;
    }

    public synchronized Outcome check() {
        String fp;
        try {
            fp = ConfigLoader.fingerprint(dir);
        } catch (ConfigException e) {
            return refuse(e.errors(), "missing");
        }
        if (fp.equals(seen)) {
            return new Unchanged();
        }
        try {
            ConfigLoad load = loader.load(dir);
            active = load;
            loadedAt = Instant.now();
            seen = load.fingerprint();
            pendingErrors = List.of();
            return new Applied(load);
        } catch (ConfigException e) {
            return refuse(e.errors(), fp);
        }
    }

    private Outcome refuse(List<ConfigError> errors, String fp) {
        seen = fp;
        pendingErrors = List.copyOf(errors);
        return new Refused(pendingErrors, fp);
    }

    public Status status() {
        ConfigLoad a = active;
        return new Status(Optional.ofNullable(a).map(ConfigLoad::fingerprint), Optional.ofNullable(loadedAt),
                pendingErrors, a == null ? List.of() : a.warnings());
    }
}
