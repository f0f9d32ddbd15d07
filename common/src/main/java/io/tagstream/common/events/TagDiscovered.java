package io.tagstream.common.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A tag seen in a registry, with the digest the registry resolved it to. Emitted for a new tag and for a tag whose
 * digest moved ({@link #previousDigest()} set). Keyed by canonical repository so one repository's tags stay in order.
 *
 * @param imageRepository the ImageRepository resource, {@code namespace/name}
 * @param registry registry host, {@code host[:port]}
 * @param repository canonical repository, e.g. {@code docker.io/library/nginx}
 */
public record TagDiscovered(
        String imageRepository,
        String registry,
        String repository,
        String tag,
        String digest,
        String mediaType,
        Optional<String> previousDigest,
        DiscoverySource source,
        Instant discoveredAt)
        implements Event {

    public TagDiscovered {
        Objects.requireNonNull(imageRepository, "imageRepository");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(digest, "digest");
        previousDigest = previousDigest == null ? Optional.empty() : previousDigest;
    }

    @Override
    public String key() {
        return repository;
    }

    @Override
    public String subject() {
        return repository + ":" + tag;
    }

    /** How the tag came to our attention; either way the digest was resolved against the registry. */
    public enum DiscoverySource {
        @JsonProperty("poll")
        POLL,
        @JsonProperty("webhook")
        WEBHOOK
    }
}
