package io.tagstream.gitwriter.adapters;

import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.common.service.AuditLog;
import io.tagstream.gitwriter.core.Ledger;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Approvals for the branches this pod was assigned (the record key is the branch), handed to the {@link BranchWorkers}
 * without waiting for git, so approvals that arrive during a push can join the next commit; each is acknowledged
 * (its offset committed) only when its change is in git.
 */
@ApplicationScoped
public class BranchWorkConsumer {

    @Inject
    AuditLog audit;

    @Inject
    BranchWorkers workers;

    @Incoming("branch-work")
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        Optional<CloudEvent<PromotionApproved>> event = audit.read(message, PromotionApproved.class);
        if (event.isEmpty()) {
            return message.ack();
        }
        IncomingKafkaRecordMetadata<?, ?> record = message.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
        Optional<Ledger.Position> approval = CloudEvent.header(record.getHeaders(), Publisher.APPROVAL_POSITION)
                .flatMap(Ledger.Position::parse);
        workers.accept(event.get(), approval, String.valueOf(record.getKey()), record.getPartition(), message::ack);
        return CompletableFuture.completedFuture(null);
    }
}
