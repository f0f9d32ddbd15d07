package io.tagstream.common.config;

import java.util.List;

/**
 * A loaded configuration with what the loader noticed but did not refuse.
 *
 * @param warnings what a person should look at: fields read past, deprecated forms, resources not ready
 * @param fingerprint a digest of every file read, to tell whether the directory changed since
 * @param skipped documents read past on purpose, one line each: Flux objects for other controllers (a Kustomization,
 *     a Receiver for a GitRepository) and a count of other tools' documents
 * @param notReady resources left out because what they refer to is not in the configuration, with the reason (Flux
 *     marks such an object not Ready and goes on with the rest); each is among the warnings too
 */
public record ConfigLoad(TagstreamConfig config, List<String> warnings, String fingerprint, List<String> skipped,
        List<NotReady> notReady) {

    public ConfigLoad(TagstreamConfig config, List<String> warnings, String fingerprint) {
        this(config, warnings, fingerprint, List.of(), List.of());
    }
}
