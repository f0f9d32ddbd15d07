package io.tagstream.poller.core;

import java.time.Instant;
import java.util.Optional;

/**
 * A tag as last resolved: the digest it pointed at and that manifest's media type, with the times a {@code newest}
 * policy orders by.
 *
 * @param pushed when the tag came to point at this digest (the registry's time, else when the poller first saw it);
 *     empty for tags stored before the poller kept it
 * @param built the image config's {@code created}; {@link #NO_BUILD_TIME} when it was read and gives none; empty when
 *     not read (no policy of the repository orders by it)
 */
public record KnownTag(String digest, String mediaType, Optional<Instant> pushed, Optional<Instant> built) {

    /** Read, and the image says nothing about when it was built: not read again. */
    public static final Instant NO_BUILD_TIME = Instant.EPOCH;

    public KnownTag {
        pushed = pushed == null ? Optional.empty() : pushed;
        built = built == null ? Optional.empty() : built;
    }

    public KnownTag(String digest, String mediaType) {
        this(digest, mediaType, Optional.empty(), Optional.empty());
    }

    /** The build time as announced: absent when unknown, whether read or not. */
    public Optional<Instant> builtAt() {
        return built.filter(t -> !t.equals(NO_BUILD_TIME));
    }
}
