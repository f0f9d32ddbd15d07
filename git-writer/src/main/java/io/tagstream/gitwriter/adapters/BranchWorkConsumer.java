package io.tagstream.gitwriter.adapters;

import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.common.service.AuditLog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
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
        Optional<CloudEvent<PromotionApproved>> event = audit.read(message, PromotionApproved.class);
        if (event.isEmpty()) {
            return message.ack();
        }
        IncomingKafkaRecordMetadata<?, ?> record = message.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
        var approval = io.tagstream.common.events.CloudEvent.header(record.getHeaders(), Publisher.APPROVAL_POSITION)
                .flatMap(io.tagstream.gitwriter.core.Ledger.Position::parse);
        writer.accept(event.get(), approval, String.valueOf(record.getKey()), record.getPartition(), message::ack);
        return CompletableFuture.completedFuture(null);
    }
}
