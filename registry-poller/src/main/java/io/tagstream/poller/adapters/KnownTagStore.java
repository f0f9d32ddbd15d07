package io.tagstream.poller.adapters;

import io.quarkus.runtime.ShutdownEvent;
import io.tagstream.common.events.Json;
import io.tagstream.common.events.TagDiscovered;
import io.tagstream.common.state.CompactedTopic;
import io.tagstream.poller.core.Following;
import io.tagstream.poller.core.KnownTag;
import io.tagstream.poller.core.KnownTags;
import io.tagstream.poller.core.StateKey;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The poller's compacted state topic: one record per known tag, keyed by {@link StateKey.Tag}, with its
 * digest, media type, order times and the image it was read from; a tombstone when the tag is gone. A restarted or
 * second pod neither announces every tag again nor misses one. Also each policy's last selection
 * ({@link StateKey.Selected}), which {@code digestReflectionPolicy: Always} follows.
 */
@ApplicationScoped
public class KnownTagStore {

    private static final Logger LOG = Logger.getLogger(KnownTagStore.class);

    /**
     * A known tag as stored, with the canonical image it was read from and its order times (absent in records written
     * before the poller kept them).
     */
    private record StoredTag(String digest, String mediaType, String repository, Optional<Instant> pushed,
            Optional<Instant> built) {}

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "tagstream.poller.state-topic")
    String stateTopic;

    private CompactedTopic store;

    /** What the topic holds: the known tags of every ImageRepository, and every policy's last selection, by id. */
    record Loaded(Map<String, KnownTags> tags, Map<String, Following.Selected> selections) {}

    /** Reads the whole topic. */
    Loaded load() {
        store = new CompactedTopic(bootstrap, stateTopic).ensureExists(3);
        long t0 = System.nanoTime();
        Map<String, Map<String, KnownTag>> tags = new HashMap<>();
        Map<String, String> images = new HashMap<>();
        Map<String, Following.Selected> selections = new HashMap<>();
        int n = store.load((key, value) -> restore(key, value, tags, images, selections));
        Map<String, KnownTags> out = new HashMap<>();
        tags.forEach((id, t) -> out.put(id, new KnownTags(Optional.ofNullable(images.get(id)), t)));
        LOG.infof("restored %d state records (%d repositories, %d selections) from %s in %d ms", n, out.size(),
                selections.size(), stateTopic, (System.nanoTime() - t0) / 1_000_000);
        return new Loaded(out, selections);
    }

    /** A policy's selection, as policy-matched announced it; empty: forget it (the policy is gone). */
    void selected(String policy, Optional<Following.Selected> selection) {
        store.putAll(java.util.Collections.singletonMap(new StateKey.Selected(policy).encode(),
                selection.map(Json::writeString).orElse(null)));
    }

    void stop(@Observes ShutdownEvent e) {
        if (store != null) {
            store.close();
        }
    }

    private static String key(String repository, String tag) {
        return new StateKey.Tag(repository, tag).encode();
    }

    private static void restore(String key, String value, Map<String, Map<String, KnownTag>> tags, Map<String, String> images,
            Map<String, Following.Selected> selections) {
        StateKey stored = StateKey.decode(key).orElse(null);
        if (stored instanceof StateKey.Selected sel) {
            if (value == null) {
                selections.remove(sel.policy());
            } else {
                selections.put(sel.policy(), Json.read(value, Following.Selected.class));
            }
            return;
        }
        if (!(stored instanceof StateKey.Tag stateKey)) {
            return;
        }
        String repo = stateKey.imageRepository();
        String tag = stateKey.tag();
        Map<String, KnownTag> known = tags.computeIfAbsent(repo, k -> new HashMap<>());
        if (value == null) {
            known.remove(tag);
        } else {
            StoredTag t = Json.read(value, StoredTag.class);
            known.put(tag, new KnownTag(t.digest(), t.mediaType(), t.pushed(), t.built()));
            if (t.repository() != null) {
                images.put(repo, t.repository());
            }
        }
    }

    /** One write: tags of {@code image} discovered (as {@code state} now holds them), and tags removed (tombstoned). */
    void write(String repository, String image, Collection<TagDiscovered> discovered, Map<String, KnownTag> state,
            Collection<String> removed) {
        Map<String, String> changes = new HashMap<>();
        discovered.forEach(d -> {
            KnownTag k = state.getOrDefault(d.tag(), new KnownTag(d.digest(), d.mediaType(), d.pushedAt(), d.builtAt()));
            changes.put(key(repository, d.tag()), Json.writeString(new StoredTag(k.digest(), k.mediaType(), image,
                    k.pushed(), k.built())));
        });
        removed.forEach(t -> changes.put(key(repository, t), null));
        if (!changes.isEmpty()) {
            store.putAll(changes);
        }
    }
}
