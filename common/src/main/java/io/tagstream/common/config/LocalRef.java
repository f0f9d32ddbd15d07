package io.tagstream.common.config;

import java.util.Optional;

/** A reference to another resource by name, in the referrer's namespace unless one is given. */
public record LocalRef(String name, Optional<String> namespace) {

    public ResourceId resolve(String defaultNamespace) {
        return new ResourceId(namespace.orElse(defaultNamespace), name);
    }
}
