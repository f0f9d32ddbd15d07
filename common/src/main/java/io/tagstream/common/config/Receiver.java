package io.tagstream.common.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Flux's Receiver, reused for registry webhooks: which provider posts, the secret that authenticates it, and the
 * ImageRepositories a delivery may trigger.
 */
public record Receiver(
        ResourceId id, Map<String, String> labels, Origin origin, String type, String secretRef, List<Target> resources)
        implements Resource {

    public static final List<String> TYPES = List.of(
            "distribution", "dockerhub", "harbor", "quay", "acr", "github", "gitea", "gitlab", "jfrog", "nexus", "gcr",
            "generic", "generic-hmac");

    /** @param name a resource name, or {@code *} with matchLabels */
    public record Target(String kind, String name, Optional<String> namespace, Map<String, String> matchLabels) {}
}
