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
 * @param batch where this event sits among the events of the scan that found it (see {@link ScanBatch})
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
        Instant discoveredAt,
        Optional<ScanBatch> batch)
        implements Event {

    public TagDiscovered {
        Objects.requireNonNull(imageRepository, "imageRepository");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(digest, "digest");
        Names.tag(tag);
        Names.digest(digest);
        previousDigest = previousDigest == null ? Optional.empty() : previousDigest;
        batch = batch == null ? Optional.empty() : batch;
    }

    /** A tag event outside any batch: a decision point of its own. */
    public TagDiscovered(String imageRepository, String registry, String repository, String tag, String digest,
            String mediaType, Optional<String> previousDigest, DiscoverySource source, Instant discoveredAt) {
        this(imageRepository, registry, repository, tag, digest, mediaType, previousDigest, source, discoveredAt,
                Optional.empty());
    }

    public TagDiscovered inBatch(ScanBatch b) {
        return new TagDiscovered(imageRepository, registry, repository, tag, digest, mediaType, previousDigest, source,
                discoveredAt, Optional.of(b));
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
