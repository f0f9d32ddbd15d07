package io.tagstream.notifier.core;

import java.util.Optional;

/**
 * Keys of {@code tagstream.notifier.state}: a delivery's state, by delivery id ({@code delivery|<event id>|<alert>}),
 * and an event sent recently, by Flux's duplicate key ({@code sent|<sha256>}).
 */
public sealed interface StateKey {

    String encode();

    record Of(String deliveryId) implements StateKey {
        @Override
        public String encode() {
            return "delivery|" + deliveryId;
        }
    }

    record Sent(String dedupKey) implements StateKey {
        @Override
        public String encode() {
            return "sent|" + dedupKey;
        }
    }

    /** A key this version wrote, or empty (left alone). */
    static Optional<StateKey> decode(String key) {
        if (key.startsWith("delivery|") && key.length() > "delivery|".length()) {
            return Optional.of(new Of(key.substring("delivery|".length())));
        }
        if (key.startsWith("sent|") && key.substring(5).matches("[0-9a-f]{64}")) {
            return Optional.of(new Sent(key.substring(5)));
        }
        return Optional.empty();
    }
}
