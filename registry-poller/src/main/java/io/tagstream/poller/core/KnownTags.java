package io.tagstream.poller.core;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The tags the poller knows for one ImageRepository, with the image they were read from. Facts are derived from the
 * image a repository points at: when {@code spec.image} is edited to another registry or path, the tags known for the
 * old one say nothing about the new one, so they are not used (the new image is scanned as if for the first time) and
 * are dropped once the new image's scan has been recorded.
 *
 * @param repository the canonical repository the tags were read from; empty for records stored before the poller kept
 *     it, which are taken to belong to whatever image is configured
 */
public record KnownTags(Optional<String> repository, Map<String, KnownTag> tags) {

    public static final KnownTags NONE = new KnownTags(Optional.empty(), Map.of());

    public KnownTags {
        repository = repository == null ? Optional.empty() : repository;
        tags = Map.copyOf(tags);
    }

    /** Whether these tags were read from {@code canonical}, the image configured now. */
    public boolean derivedFrom(String canonical) {
        return repository.map(canonical::equals).orElse(true);
    }

    /** The known tags that hold for {@code canonical}: all of them, or none when they were read from another image. */
    public Map<String, KnownTag> of(String canonical) {
        return derivedFrom(canonical) ? tags : Map.of();
    }

    /**
     * The stored tags to tombstone once a scan of {@code canonical} left {@code after}: when the image moved, every
     * tag of the old image the new one does not have (those it has are overwritten); otherwise none, since a scan
     * reports what it removed itself.
     */
    public Set<String> staleAfter(String canonical, Map<String, KnownTag> after) {
        if (derivedFrom(canonical)) {
            return Set.of();
        }
        Set<String> stale = new TreeSet<>(tags.keySet());
        stale.removeAll(after.keySet());
        return stale;
    }

    /** One stored record applied: a tag of {@code from} learnt, or forgotten ({@code tag} absent). */
    public KnownTags with(String tag, Optional<KnownTag> value, Optional<String> from) {
        Map<String, KnownTag> next = new HashMap<>(tags);
        value.ifPresentOrElse(v -> next.put(tag, v), () -> next.remove(tag));
        return new KnownTags(from.or(() -> repository), next);
    }
}
