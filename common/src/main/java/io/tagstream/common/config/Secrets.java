package io.tagstream.common.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Secret values referenced by {@code secretRef}. Read from a directory laid out like mounted Kubernetes secrets
 * ({@code <dir>/<namespace>/<name>/<key>}) or from environment variables
 * {@code TAGSTREAM_SECRET_<NAMESPACE>_<NAME>_<KEY>} (upper case, every other character than A-Z and 0-9 turned into
 * {@code _}); files win over variables. Read on each use, so a rotated secret is picked up without a restart.
 */
public final class Secrets {

    public static final String DIR_ENV = "TAGSTREAM_SECRETS_DIR";
    public static final String ENV_PREFIX = "TAGSTREAM_SECRET_";

    private final Optional<Path> dir;
    private final Map<String, String> env;

    public Secrets(Optional<Path> dir, Map<String, String> env) {
        this.dir = dir;
        this.env = Map.copyOf(env);
    }

    /** Secrets from {@code TAGSTREAM_SECRETS_DIR} and the process environment. */
    public static Secrets fromEnvironment() {
        Map<String, String> env = System.getenv();
        return new Secrets(Optional.ofNullable(env.get(DIR_ENV)).filter(s -> !s.isBlank()).map(Path::of), env);
    }

    public Optional<Secret> get(String namespace, String name, String key) {
        if (dir.isPresent()) {
            Path file = dir.get().resolve(namespace).resolve(name).resolve(key);
            if (Files.isRegularFile(file)) {
                try {
                    // Kubernetes writes secret files as given; editors add a trailing newline that no token has.
                    return Optional.of(new Secret(stripNewline(Files.readString(file, StandardCharsets.UTF_8))));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read secret " + namespace + "/" + name + " key " + key, e);
                }
            }
        }
        return Optional.ofNullable(env.get(envName(namespace, name, key))).map(Secret::new);
    }

    public Optional<Secret> get(ResourceId secret, String key) {
        return get(secret.namespace(), secret.name(), key);
    }

    public static String envName(String namespace, String name, String key) {
        return ENV_PREFIX + (namespace + "_" + name + "_" + key).toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    private static String stripNewline(String s) {
        return s.endsWith("\r\n") ? s.substring(0, s.length() - 2) : s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }
}
