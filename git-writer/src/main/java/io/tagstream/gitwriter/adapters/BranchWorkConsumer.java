package io.tagstream.gitwriter.adapters;

import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.common.service.AuditLog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Approvals for the branches this pod was assigned (the record key is the branch), handed to the {@link Writer}
 * without waiting for git, so approvals that arrive during a push can join the next commit; each is acknowledged
 * (its offset committed) only when its change is in git.
 */
@ApplicationScoped
public class BranchWorkConsumer {

    @Inject
    AuditLog audit;

    @Inject
    Writer writer;

    @Incoming("branch-work")
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        var meta = message.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
        CloudEvent<PromotionApproved> event;
        try {
            event = CloudEvent.read(meta.getHeaders(), message.getPayload(), PromotionApproved.class);
        } catch (CloudEvent.MalformedEventException e) {
            audit.malformed(meta.getTopic(), meta.getPartition(), meta.getOffset(), e);
            return message.ack();
        }
        writer.accept(event, String.valueOf(meta.getKey()), message::ack);
        return CompletableFuture.completedFuture(null);
    }
}
