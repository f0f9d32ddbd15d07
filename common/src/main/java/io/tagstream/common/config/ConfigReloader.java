package io.tagstream.common.config;

import io.tagstream.common.events.AuditAction;
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
            int resources,
            List<ConfigError> pendingErrors,
            List<String> warnings,
            Optional<Loading> loading) {

        /** A changed directory being read and checked now; the last good configuration is in force meanwhile. */
        public record Loading(String generation, Instant since) {}

        /** Before the first check: nothing in force, nothing refused. */
        public static final Status STARTING = new Status(Optional.empty(), Optional.empty(), 0, List.of(), List.of(), Optional.empty());

        /** Ready once some configuration is in force; a refused newer edit is shown, not fatal. */
        public boolean ready() {
            return activeFingerprint.isPresent();
        }

        /** Flat details for a health check response. */
        public java.util.Map<String, Object> details() {
            java.util.Map<String, Object> d = new java.util.LinkedHashMap<>();
            activeFingerprint.ifPresent(f -> d.put("generation", generation(f)));
            loadedAt.ifPresent(t -> d.put("loadedAt", t.toString()));
            d.put("resources", resources);
            if (activeFingerprint.isEmpty()) {
                d.put("state", loading.isPresent() ? "loading the first configuration" : "starting");
            }
            loading.ifPresent(l -> d.put("loading", "generation " + l.generation() + " since " + l.since()));
            for (int i = 0; i < pendingErrors.size(); i++) {
                d.put("refused." + i, pendingErrors.get(i).toString());
            }
            for (int i = 0; i < warnings.size(); i++) {
                d.put("warning." + i, warnings.get(i));
            }
            return d;
        }
    }

    /**
     * A configuration's generation: the first 12 hex digits of the fingerprint of its files' names and contents. Every
     * service loads the same files with the same loader and checks, so the same generation gets the same verdict
     * everywhere, and each service's readiness details and audit records name the generation it runs.
     */
    public static String generation(String fingerprint) {
        return fingerprint.substring(0, Math.min(12, fingerprint.length()));
    }

    /** The audit record of a check that changed something: a new configuration applied, or an edit refused. */
    public Optional<io.tagstream.common.events.CloudEvent<io.tagstream.common.events.AuditRecord>> audit(
            Outcome outcome, io.tagstream.common.events.Audit audit) {
        if (outcome instanceof Applied a) {
            return Optional.of(audit.ok(AuditAction.CONFIG_RELOAD, dir.toString(), "applied generation "
                    + generation(a.load().fingerprint()) + ": " + a.load().config().resources().size() + " resources from "
                    + dir + (a.load().warnings().isEmpty() ? "" : "; " + a.load().warnings().size() + " warning(s): "
                    + String.join("; ", a.load().warnings())), Optional.empty()));
        }
        if (outcome instanceof Refused r) {
            return Optional.of(audit.rejected(AuditAction.CONFIG_RELOAD, dir.toString(), "refused generation "
                    + generation(r.fingerprint()) + ", kept the last good configuration"
                    + Optional.ofNullable(active).map(l -> " (generation " + generation(l.fingerprint()) + ")").orElse("") + "; "
                    + r.errors().stream().map(ConfigError::toString).collect(java.util.stream.Collectors.joining("; ")),
                    Optional.empty()));
        }
        return Optional.empty();
    }

    private final Path dir;
    private final ConfigLoader loader;
    private volatile ConfigLoad active;
    private volatile Instant loadedAt;
    private volatile String seen = "";
    private volatile List<ConfigError> pendingErrors = List.of();
    private volatile Status.Loading loading;

    public ConfigReloader(Path dir, ConfigLoader loader) {
        this.dir = dir;
        this.loader = loader;
    }

    /** The configuration in force; empty until the first good load. */
    public TagstreamConfig config() {
        ConfigLoad a = active;
        return a == null ? TagstreamConfig.EMPTY : a.config();
    }

    /** The resources of the configuration in force left out because a reference is missing. */
    public List<NotReady> notReady() {
        ConfigLoad a = active;
        return a == null ? List.of() : a.notReady();
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
        loading = new Status.Loading(generation(fp), Instant.now());
        try {
            ConfigLoad load = loader.load(dir);
            active = load;
            loadedAt = Instant.now();
            seen = load.fingerprint();
            pendingErrors = List.of();
            return new Applied(load);
        } catch (ConfigException e) {
            return refuse(e.errors(), fp);
        } finally {
            loading = null;
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
                a == null ? 0 : a.config().resources().size(), pendingErrors, a == null ? List.of() : a.warnings(),
                Optional.ofNullable(loading));
    }
}
