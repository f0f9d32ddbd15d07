package io.tagstream.common.config;

import java.util.Map;
import java.util.Optional;

/** Flux's GitRepository, as far as an ImageUpdateAutomation needs it: where the repository is and how to reach it. */
public record GitRepository(
        ResourceId id, Map<String, String> labels, Origin origin, String url, GitRef ref, Optional<String> secretRef)
        implements Resource {}
