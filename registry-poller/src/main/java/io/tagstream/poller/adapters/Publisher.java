package io.tagstream.poller.adapters;

import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.tagstream.common.events.Audit;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CloudEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Writes the poller's events to Kafka with their key and CloudEvents headers and waits for the broker's acks, so the
 * state that records them is written only after the events are stored (at-least-once). A scan's events are sent
 * together and awaited once, which is what lets a first scan of 10,000 tags finish in seconds.
 */
@ApplicationScoped
public class Publisher {

    public static final String SERVICE = "registry-poller";
    public static final Audit AUDIT = new Audit(SERVICE);
    private static final Logger LOG = Logger.getLogger(Publisher.class);

    @Inject
    @Channel("tag-discovered")
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER) // a first scan sends thousands at once; acks bound the real backlog
    Emitter<byte[]> tags;

    @Inject
    @Channel("audit")
    Emitter<byte[]> audit;

    /** Tag events ({@code tag-discovered} and {@code tag-removed}), all stored before this returns. */
    public void tagEvents(List<? extends CloudEvent<?>> events) {
        List<CompletableFuture<Void>> acks = new ArrayList<>(events.size());
        for (CloudEvent<?> e : events) {
            acks.add(send(tags, e));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
    }

    public void audit(CloudEvent<AuditRecord> record) {
        AuditRecord r = record.data();
        LOG.infof("audit %s %s %s: %s", r.action(), r.subject(), r.outcome(), r.reason());
        send(audit, record).join();
    }

    private static CompletableFuture<Void> send(Emitter<byte[]> emitter, CloudEvent<?> event) {
        CompletableFuture<Void> stored = new CompletableFuture<>();
        emitter.send(Message.of(event.value())
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(event.key())
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
