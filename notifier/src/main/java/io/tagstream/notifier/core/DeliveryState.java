package io.tagstream.notifier.core;

import java.time.Instant;
import java.util.Optional;

/**
 * Where one delivery stands, stored under {@link StateKey.Of} in the notifier's state topic.
 *
 * @param state {@code SENDING} is written just before each attempt: found after a restart without an outcome, the
 *     message may have arrived, so it is not sent again ({@code UNCERTAIN}: at most one message per event)
 */
public record DeliveryState(String alert, String provider, State state, int attempts, Optional<String> lastError,
        Optional<Instant> nextAt, Instant at) {

    public enum State {
        SENDING, RETRYING, DELIVERED, FAILED, UNCERTAIN;

        public boolean finished() {
            return this == DELIVERED || this == FAILED || this == UNCERTAIN;
        }
    }

    public DeliveryState {
        lastError = lastError == null ? Optional.empty() : lastError;
        nextAt = nextAt == null ? Optional.empty() : nextAt;
    }
}
