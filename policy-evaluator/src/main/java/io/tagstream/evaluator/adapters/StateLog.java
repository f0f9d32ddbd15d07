package io.tagstream.evaluator.adapters;

import io.tagstream.common.events.Json;
import io.tagstream.common.state.CompactedTopic;
import io.tagstream.evaluator.core.Selection;
import io.tagstream.evaluator.core.Selections;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * The evaluator's durable state on a compacted topic: known tags, keyed by what they were read from
 * ({@code tag|<imageRepository>|<repository>|<tag>}), announced selections ({@code selection|<policy>}) and the scan
 * batches being read ({@code scan|<imageRepository>|<repository>} → scan id), tombstoned when they go away. Tags
 * stored under the older key {@code tag|<imageRepository>|<tag>} (before the image was part of the key) are read, then
 * moved to the new key by {@link #migrate()}.
 */
final class StateLog implements AutoCloseable {

    record TagValue(String repository, String digest) {}

    record SelectionValue(String tag, String digest, String image) {}

    private final CompactedTopic topic;
    private final java.util.Map<String, TagValue> legacy = new java.util.LinkedHashMap<>();

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
        String[] k = key.split("\\|", 4);
        if (k[0].equals("tag") && k.length == 4) {
            if (value == null) {
                state.restoreTagRemoved(k[1], k[2], k[3]);
            } else {
                TagValue v = Json.read(value.getBytes(StandardCharsets.UTF_8), TagValue.class);
                state.restoreTag(k[1], k[2], k[3], v.digest());
            }
        } else if (k[0].equals("tag") && k.length == 3) {
            if (value == null) {
                legacy.remove(key);
            } else {
                legacy.put(key, Json.read(value.getBytes(StandardCharsets.UTF_8), TagValue.class));
            }
        } else if (k[0].equals("scan") && k.length == 3) {
            if (value == null) {
                state.restoreScanClosed(k[1], k[2]);
            } else {
                state.restoreScanOpen(k[1], k[2], value);
            }
        } else if (k[0].equals("selection") && k.length == 2) {
            if (value == null) {
                state.restoreSelectionCleared(k[1]);
            } else {
                SelectionValue v = Json.read(value.getBytes(StandardCharsets.UTF_8), SelectionValue.class);
                state.restoreSelection(k[1], new Selection(v.image(), v.tag(), v.digest()));
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
            String[] k = key.split("\\|", 3);
            state.restoreTag(k[1], v.repository(), k[2], v.digest());
            writes.add(tag(k[1], k[2], v.repository(), v.digest()).thenCompose(x -> topic.putAsync(key, null)));
        });
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
        int n = legacy.size();
        legacy.clear();
        return n;
    }

    private static String tagKey(String imageRepository, String repository, String tag) {
        return "tag|" + imageRepository + "|" + repository + "|" + tag;
    }

    CompletableFuture<Void> tag(String imageRepository, String tag, String repository, String digest) {
        return topic.putAsync(tagKey(imageRepository, repository, tag), Json.writeString(new TagValue(repository, digest)));
    }

    CompletableFuture<Void> tagRemoved(String imageRepository, String repository, String tag) {
        return topic.putAsync(tagKey(imageRepository, repository, tag), null);
    }

    CompletableFuture<Void> scanOpened(String imageRepository, String repository, String scan) {
        return topic.putAsync("scan|" + imageRepository + "|" + repository, scan);
    }

    CompletableFuture<Void> scanClosed(String imageRepository, String repository) {
        return topic.putAsync("scan|" + imageRepository + "|" + repository, null);
    }

    CompletableFuture<Void> selection(String policy, String image, String tag, String digest) {
        return topic.putAsync("selection|" + policy, Json.writeString(new SelectionValue(tag, digest, image)));
    }

    CompletableFuture<Void> selectionCleared(String policy) {
        return topic.putAsync("selection|" + policy, null);
    }

    @Override
    public void close() {
        topic.close();
    }
}
