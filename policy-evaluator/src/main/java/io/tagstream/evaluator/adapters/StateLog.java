package io.tagstream.evaluator.adapters;

import io.tagstream.common.events.Json;
import io.tagstream.common.state.CompactedTopic;
import io.tagstream.evaluator.core.Selection;
import io.tagstream.evaluator.core.Selections;
import io.tagstream.evaluator.core.StateKey;
import io.tagstream.evaluator.core.TagFacts;
import java.util.concurrent.CompletableFuture;

/**
 * The evaluator's durable state on a compacted topic, under the keys of {@link StateKey}: known tags, keyed by what
 * they were read from, announced selections and the scan batches being read, tombstoned when they go away. Tags
 * stored under the older key ({@link StateKey.LegacyTag}, before the image was part of the key) are read, then moved
 * to the new key by {@link #migrate()}.
 */
final class StateLog implements AutoCloseable {

    /** A tag's value; the times are absent in records written before they were kept. */
    record TagValue(String repository, String digest, java.util.Optional<java.time.Instant> pushed,
            java.util.Optional<java.time.Instant> built) {

        TagFacts facts() {
            return new TagFacts(digest, pushed, built);
        }
    }

    record SelectionValue(String tag, String digest, String image) {}

    private final CompactedTopic topic;
    private final java.util.Map<StateKey.LegacyTag, TagValue> legacy = new java.util.LinkedHashMap<>();

    StateLog(String bootstrap, String topic) {
        this.topic = new CompactedTopic(bootstrap, topic);
    }

    void ensureTopic(int partitions) {
        topic.ensureExists(partitions);
    }

    int load(Selections state) {
        return topic.load((key, value) -> apply(state, key, value));
    }

    private void apply(Selections state, String key, String value) {
        StateKey k = StateKey.decode(key).orElse(null); // null: a record of a later version, left alone
        if (k instanceof StateKey.Tag t) {
            if (value == null) {
                state.restoreTagRemoved(t.imageRepository(), t.repository(), t.tag());
            } else {
                state.restoreTag(t.imageRepository(), t.repository(), t.tag(), Json.read(value, TagValue.class).facts());
            }
        } else if (k instanceof StateKey.LegacyTag t) {
            if (value == null) {
                legacy.remove(t);
            } else {
                legacy.put(t, Json.read(value, TagValue.class));
            }
        } else if (k instanceof StateKey.Scan scan) {
            if (value == null) {
                state.restoreScanClosed(scan.imageRepository(), scan.repository());
            } else {
                state.restoreScanOpen(scan.imageRepository(), scan.repository(), value);
            }
        } else if (k instanceof StateKey.Selected sel) {
            if (value == null) {
                state.restoreSelectionCleared(sel.policy());
            } else {
                SelectionValue v = Json.read(value, SelectionValue.class);
                state.restoreSelection(sel.policy(), new Selection(v.image(), v.tag(), v.digest()));
            }
        }
    }

    /**
     * Moves tags read under the older key layout to the current one (their value names the image they came from) and
     * restores them; returns how many were moved.
     */
    int migrate(Selections state) {
        java.util.List<CompletableFuture<Void>> writes = new java.util.ArrayList<>();
        legacy.forEach((key, v) -> {
            state.restoreTag(key.imageRepository(), v.repository(), key.tag(), v.facts());
            writes.add(tag(key.imageRepository(), key.tag(), v.repository(), v.facts()).thenCompose(x -> topic.putAsync(key.encode(), null)));
        });
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
        int n = legacy.size();
        legacy.clear();
        return n;
    }

    CompletableFuture<Void> tag(String imageRepository, String tag, String repository, TagFacts facts) {
        return topic.putAsync(new StateKey.Tag(imageRepository, repository, tag).encode(),
                Json.writeString(new TagValue(repository, facts.digest(), facts.pushed(), facts.built())));
    }

    CompletableFuture<Void> tagRemoved(String imageRepository, String repository, String tag) {
        return topic.putAsync(new StateKey.Tag(imageRepository, repository, tag).encode(), null);
    }

    CompletableFuture<Void> scanOpened(String imageRepository, String repository, String scan) {
        return topic.putAsync(new StateKey.Scan(imageRepository, repository).encode(), scan);
    }

    CompletableFuture<Void> scanClosed(String imageRepository, String repository) {
        return topic.putAsync(new StateKey.Scan(imageRepository, repository).encode(), null);
    }

    CompletableFuture<Void> selection(String policy, String image, String tag, String digest) {
        return topic.putAsync(new StateKey.Selected(policy).encode(), Json.writeString(new SelectionValue(tag, digest, image)));
    }

    CompletableFuture<Void> selectionCleared(String policy) {
        return topic.putAsync(new StateKey.Selected(policy).encode(), null);
    }

    @Override
    public void close() {
        topic.close();
    }
}
