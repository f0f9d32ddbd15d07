package io.tagstream.common.events;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A tag the registry no longer lists, on the same topic and key as {@link TagDiscovered} so a repository's changes stay
 * in order. Policies stop selecting it; consumers that only know {@code tag.discovered} skip it by its {@code ce_type}.
 *
 * @param batch where this event sits among the events of the scan that found it gone (see {@link ScanBatch})
 */
public record TagRemoved(
        String imageRepository, String registry, String repository, String tag, String lastDigest, Instant removedAt,
        Optional<ScanBatch> batch)
        implements Event {

    public TagRemoved {
        Objects.requireNonNull(imageRepository, "imageRepository");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(tag, "tag");
        Names.tag(tag);
        batch = batch == null ? Optional.empty() : batch;
    }

    /** A removal outside any batch: a decision point of its own. */
    public TagRemoved(String imageRepository, String registry, String repository, String tag, String lastDigest,
            Instant removedAt) {
        this(imageRepository, registry, repository, tag, lastDigest, removedAt, Optional.empty());
    }

    public TagRemoved inBatch(ScanBatch b) {
        return new TagRemoved(imageRepository, registry, repository, tag, lastDigest, removedAt, Optional.of(b));
    }

    @Override
    public String key() {
        return repository;
    }

    @Override
    public String subject() {
        return repository + ":" + tag;
    }
}
