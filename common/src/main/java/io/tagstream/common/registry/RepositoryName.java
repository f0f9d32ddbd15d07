package io.tagstream.common.registry;

import java.util.Locale;

/**
 * A repository as users write it ({@code nginx}, {@code ghcr.io/org/app}, {@code localhost:5000/app}) and in canonical
 * form ({@code docker.io/library/nginx}), which is how events name it so that two spellings of one repository are one
 * key. Docker Hub's API lives on another host than its name, which {@link #apiHost()} accounts for.
 *
 * @param registry {@code host[:port]}, lower case
 * @param path the repository path inside the registry, e.g. {@code library/nginx}
 */
public record RepositoryName(String registry, String path) {

    public static final String DOCKER_HUB = "docker.io";

    public RepositoryName {
        if (registry.isBlank() || path.isBlank()) {
            throw new IllegalArgumentException("repository needs a registry and a path");
        }
    }

    public static RepositoryName parse(String image) {
        String s = image.trim();
        if (s.isEmpty() || s.contains("@") || s.contains(" ")) {
            throw new IllegalArgumentException("'" + image + "' is not a repository name");
        }
        int slash = s.indexOf('/');
        String first = slash < 0 ? "" : s.substring(0, slash);
        boolean hasHost = slash > 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"));
        String registry = hasHost ? registryOf(first) : DOCKER_HUB;
        String path = hasHost ? s.substring(slash + 1) : s;
        if (registry.equals(DOCKER_HUB) && !path.contains("/")) {
            path = "library/" + path;
        }
        if (!path.matches("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*")) {
            throw new IllegalArgumentException("'" + image + "' is not a valid repository name (lower case letters, "
                    + "digits and . _ - separators)");
        }
        return new RepositoryName(registry, path);
    }

    /**
     * The registry a host names, as {@link #parse} names it: {@code docker.io} for Docker Hub's hosts, the host in
     * lower case otherwise.
     */
    public static String registryOf(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        return h.equals("index.docker.io") || h.equals("registry-1.docker.io") ? DOCKER_HUB : h;
    }

    /** The host the registry API answers on. */
    public String apiHost() {
        return registry.equals(DOCKER_HUB) ? "registry-1.docker.io" : registry;
    }

    /**
     * The canonical repository an image reference names, as configured in a resource's {@code image}; empty when it
     * does not parse (the loader has reported that already).
     */
    public static java.util.Optional<String> canonicalOf(String image) {
        try {
            return java.util.Optional.of(parse(image).canonical());
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
    }

    public String canonical() {
        return registry + "/" + path;
    }

    @Override
    public String toString() {
        return canonical();
    }
}
