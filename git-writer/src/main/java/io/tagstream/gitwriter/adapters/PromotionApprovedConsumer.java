package io.tagstream.gitwriter.adapters;

import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.PromotionApproved;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Hands approvals to the {@link Writer} without waiting for git, so approvals that arrive during a push can join the
 * next commit; each is acknowledged (its offset committed) only when its change is in git.
 */
@ApplicationScoped
public class PromotionApprovedConsumer {

    @Inject
    Publisher publisher;

    @Inject
    Writer writer;

    @Incoming("promotion-approved")
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        var meta = message.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
        CloudEvent<PromotionApproved> event;
        try {
            event = CloudEvent.read(meta.getHeaders(), message.getPayload(), PromotionApproved.class);
        } catch (CloudEvent.MalformedEventException e) {
            publisher.audit(Publisher.AUDIT.rejected("event.malformed", meta.getTopic() + "/" + meta.getPartition() + "@"
                    + meta.getOffset(), e.getMessage(), Optional.empty()));
            return message.ack();
        }
        writer.accept(event, message::ack);
        return CompletableFuture.completedFuture(null);
    }
}
