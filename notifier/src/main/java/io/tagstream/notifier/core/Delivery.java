package io.tagstream.notifier.core;

import java.time.Instant;
import java.util.Objects;

/**
 * One event for one Alert, as queued on the notifier's deliveries topic (keyed by Provider, so one receiver's messages
 * are sent by one pod, in order).
 *
 * @param id the source event's id and the Alert: what a delivery's state is stored under, so a redelivered record is
 *     never sent twice
 */
public record Delivery(String id, String alert, String provider, FluxEvent event, Instant created) {

    public Delivery {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(alert, "alert");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(created, "created");
    }

    public static String id(String sourceEventId, String alert) {
        return sourceEventId + "|" + alert;
    }
}
