package io.tagstream.poller.adapters;

import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.tagstream.common.events.Audit;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.TagDiscovered;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Writes this service's events to Kafka with their key and CloudEvents headers, and waits for the broker's ack, so a
 * consumed record is only acknowledged once what it caused is stored (at-least-once end to end).
 */
@ApplicationScoped
public class Publisher {

    public static final String SERVICE = "registry-poller";
    public static final Audit AUDIT = new Audit(SERVICE);
    private static final Logger LOG = Logger.getLogger(Publisher.class);

    @Inject
    @Channel("tag-discovered")
    Emitter<byte[]> discovered;

    @Inject
    @Channel("audit")
    Emitter<byte[]> audit;

    public void discovered(CloudEvent<TagDiscovered> event) {
        send(discovered, event);
    }

    public void audit(CloudEvent<AuditRecord> record) {
        AuditRecord r = record.data();
        LOG.infof("audit %s %s %s: %s", r.action(), r.subject(), r.outcome(), r.reason());
        send(audit, record);
    }

    private static void send(Emitter<byte[]> emitter, CloudEvent<?> event) {
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
        stored.join();
    }
}
