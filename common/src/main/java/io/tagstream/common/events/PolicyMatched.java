package io.tagstream.common.events;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A policy's selection changed: a new tag, or the same tag at a new digest. Keyed by policy.
 *
 * @param policy the ImagePolicy, {@code namespace/name}
 * @param image the canonical repository the ImageRepository names now (an edited {@code spec.image} is announced
 *     again under its new name, even with equal tag and digest)
 * @param previous the selection this one replaces, absent for the first selection
 * @param pushedBy who pushed the selected tag, when the notification that led to this selection named them (see
 *     {@link TagDiscovered#pushedBy()})
 */
public record PolicyMatched(
        String policy, String image, String tag, String digest, Optional<TagRef> previous, Instant matchedAt,
        Optional<String> pushedBy)
        implements Event {

    public PolicyMatched(String policy, String image, String tag, String digest, Optional<TagRef> previous, Instant matchedAt) {
        this(policy, image, tag, digest, previous, matchedAt, Optional.empty());
    }

    public PolicyMatched {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(digest, "digest");
        Names.tag(tag);
        Names.digest(digest);
        previous = previous == null ? Optional.empty() : previous;
        pushedBy = pushedBy == null ? Optional.empty() : pushedBy.filter(TagDiscovered::plausiblePusher);
    }

    @Override
    public String key() {
        return policy;
    }

    @Override
    public String subject() {
        return image + ":" + tag + "@" + digest;
    }

    /** A tag together with the digest it pointed at. */
    public record TagRef(String tag, String digest) {}
}
