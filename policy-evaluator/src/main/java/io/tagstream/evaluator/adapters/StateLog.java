package io.tagstream.evaluator.adapters;

import io.tagstream.common.events.Json;
import io.tagstream.common.state.CompactedTopic;
import io.tagstream.evaluator.core.Selection;
import io.tagstream.evaluator.core.Selections;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * The evaluator's durable state on a compacted topic: known tags ({@code tag|<imageRepository>|<tag>}) and announced
 * selections ({@code selection|<policy>}), tombstoned when they go away.
 */
final class StateLog implements AutoCloseable {

    record TagValue(String repository, String digest) {}

    record SelectionValue(String tag, String digest) {}

    private final CompactedTopic topic;

    StateLog(String bootstrap, String topic) {
        this.topic = new CompactedTopic(bootstrap, topic);
    }

    void ensureTopic(int partitions) {
        topic.ensureExists(partitions);
    }

    int load(Selections state) {
        return topic.load((key, value) -> apply(state, key, value));
    }

    private static void apply(Selections state, String key, String value) {
        String[] k = key.split("\\|", 3);
        if (k[0].equals("tag") && k.length == 3) {
            if (value == null) {
                state.restoreTagRemoved(k[1], k[2]);
            } else {
                TagValue v = Json.read(value.getBytes(StandardCharsets.UTF_8), TagValue.class);
                state.restoreTag(k[1], v.repository(), k[2], v.digest());
            }
        } else if (k[0].equals("selection") && k.length == 2) {
            if (value == null) {
                state.restoreSelectionCleared(k[1]);
            } else {
                SelectionValue v = Json.read(value.getBytes(StandardCharsets.UTF_8), SelectionValue.class);
                state.restoreSelection(k[1], new Selection(v.tag(), v.digest()));
            }
        }
    }

    CompletableFuture<Void> tag(String imageRepository, String tag, String repository, String digest) {
        return topic.putAsync("tag|" + imageRepository + "|" + tag, Json.writeString(new TagValue(repository, digest)));
    }

    CompletableFuture<Void> tagRemoved(String imageRepository, String tag) {
        return topic.putAsync("tag|" + imageRepository + "|" + tag, null);
    }

    CompletableFuture<Void> selection(String policy, String tag, String digest) {
        return topic.putAsync("selection|" + policy, Json.writeString(new SelectionValue(tag, digest)));
    }

    CompletableFuture<Void> selectionCleared(String policy) {
        return topic.putAsync("selection|" + policy, null);
    }

    @Override
    public void close() {
        topic.close();
    }
}
