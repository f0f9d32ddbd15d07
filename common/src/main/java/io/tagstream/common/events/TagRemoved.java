package io.tagstream.common.events;

import java.time.Instant;
import java.util.Objects;

/**
 * A tag the registry no longer lists, on the same topic and key as {@link TagDiscovered} so a repository's changes stay
 * in order. Policies stop selecting it; consumers that only know {@code tag.discovered} skip it by its {@code ce_type}.
 */
public record TagRemoved(
        String imageRepository, String registry, String repository, String tag, String lastDigest, Instant removedAt)
        implements Event {

    public TagRemoved {
        Objects.requireNonNull(imageRepository, "imageRepository");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(tag, "tag");
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
