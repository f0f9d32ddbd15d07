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
        return send(emitter, event, key, java.util.Map.of());
    }

    /** As {@link #send(Emitter, CloudEvent, String)}, with headers of the sender's own next to the CloudEvents ones. */
    public static CompletableFuture<Void> send(Emitter<byte[]> emitter, CloudEvent<?> event, String key,
            java.util.Map<String, String> extraHeaders) {
        org.apache.kafka.common.header.Headers headers = event.headers();
        extraHeaders.forEach((k, v) -> headers.add(k, v.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return send(emitter, key, event.value(), headers);
    }

    /** Any value under a key, with the given headers (none: an empty set); completes when the broker acks. */
    public static CompletableFuture<Void> send(Emitter<byte[]> emitter, String key, byte[] value,
            org.apache.kafka.common.header.Headers headers) {
        CompletableFuture<Void> stored = new CompletableFuture<>();
        emitter.send(Message.of(value)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(key)
                        .withHeaders(headers)
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
