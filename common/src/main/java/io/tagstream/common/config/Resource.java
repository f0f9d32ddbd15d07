package io.tagstream.common.config;

import java.util.Map;

/** One configuration object, Flux's or ours. */
public sealed interface Resource
        permits ImageRepository, ImagePolicy, ImageUpdateAutomation, GitRepository, Receiver, Registry, ImagePromotion,
        Provider, Alert, ImageMirror {

    ResourceId id();

    Map<String, String> labels();

    Origin origin();

    default String kind() {
        return getClass().getSimpleName();
    }

    /** A problem with one field of this resource, pointing at its line. */
    default ConfigError error(String fieldPath, String message) {
        return new ConfigError(origin().file(), origin().lineOf("spec." + fieldPath),
                kind() + " " + id() + ": " + fieldPath + " " + message);
    }
}
