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
 * @param pushedBy who pushed the tag, as the registry's notification named them (Docker Hub's pusher, distribution's
 *     actor, Harbor's operator, GitHub's sender, Nexus' initiator); absent when the tag was found by polling or the
 *     provider does not say. What {@code forbidSelfApproval} compares an approver with.
 * @param pushedAt when the tag came to point at this digest: the registry's own push time where it reports one, else
 *     when Tagstream first saw it there (kept in the poller's state, so a restart does not make an old tag new). What
 *     {@code policy.newest.by: pushed} orders by; absent for tags known before the poller kept the time.
 * @param builtAt when the image was built: its config's {@code created} (for an index, the newest platform's); present
 *     only when a policy of the ImageRepository orders by it ({@code policy.newest.by: built}). The event is sent again,
 *     with the digest unchanged, when this time is first learnt for a tag already known.
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
        Optional<ScanBatch> batch,
        Optional<String> pushedBy,
        Optional<Instant> pushedAt,
        Optional<Instant> builtAt)
        implements Event {

    /** The longest pusher name carried; a longer one is not a registry account name and is dropped. */
    public static final int MAX_PUSHER = 256;

    public TagDiscovered {
        Objects.requireNonNull(imageRepository, "imageRepository");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(digest, "digest");
        Names.tag(tag);
        Names.digest(digest);
        previousDigest = previousDigest == null ? Optional.empty() : previousDigest;
        batch = batch == null ? Optional.empty() : batch;
        pushedBy = pushedBy == null ? Optional.empty() : pushedBy.filter(TagDiscovered::plausiblePusher);
        pushedAt = pushedAt == null ? Optional.empty() : pushedAt;
        builtAt = builtAt == null ? Optional.empty() : builtAt;
    }

    /** A name of at most {@value #MAX_PUSHER} printable characters. */
    public static boolean plausiblePusher(String name) {
        return !name.isBlank() && name.length() <= MAX_PUSHER && name.chars().allMatch(c -> c >= 0x20 && c != 0x7f);
    }

    public TagDiscovered(String imageRepository, String registry, String repository, String tag, String digest,
            String mediaType, Optional<String> previousDigest, DiscoverySource source, Instant discoveredAt,
            Optional<ScanBatch> batch) {
        this(imageRepository, registry, repository, tag, digest, mediaType, previousDigest, source, discoveredAt, batch,
                Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** A tag event outside any batch: a decision point of its own. */
    public TagDiscovered(String imageRepository, String registry, String repository, String tag, String digest,
            String mediaType, Optional<String> previousDigest, DiscoverySource source, Instant discoveredAt) {
        this(imageRepository, registry, repository, tag, digest, mediaType, previousDigest, source, discoveredAt,
                Optional.empty());
    }

    public TagDiscovered inBatch(ScanBatch b) {
        return new TagDiscovered(imageRepository, registry, repository, tag, digest, mediaType, previousDigest, source,
                discoveredAt, Optional.of(b), pushedBy, pushedAt, builtAt);
    }

    public TagDiscovered pushedBy(Optional<String> who) {
        return new TagDiscovered(imageRepository, registry, repository, tag, digest, mediaType, previousDigest, source,
                discoveredAt, batch, who, pushedAt, builtAt);
    }

    /** The same event with the times a {@code newest} policy orders by. */
    public TagDiscovered times(Optional<Instant> pushed, Optional<Instant> built) {
        return new TagDiscovered(imageRepository, registry, repository, tag, digest, mediaType, previousDigest, source,
                discoveredAt, batch, pushedBy, pushed, built);
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
