package io.tagstream.common.service;

import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.tagstream.common.events.CloudEvent;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Sends an event as a Kafka record: its key, CloudEvents headers and JSON value; completes when the broker acks. */
public final class Records {

    private Records() {}

    public static CompletableFuture<Void> send(Emitter<byte[]> emitter, CloudEvent<?> event) {
        return send(emitter, event, event.key());
    }

    /** The same event under another key, e.g. re-keyed so that a partition holds everything for one git branch. */
    public static CompletableFuture<Void> send(Emitter<byte[]> emitter, CloudEvent<?> event, String key) {
        CompletableFuture<Void> stored = new CompletableFuture<>();
        emitter.send(Message.of(event.value())
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(key)
                        .withHeaders(event.headers())
                        .build())
                .withAck(() -> {
                    stored.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(failure -> {
                    stored.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                }));
        return stored;
    }
}
