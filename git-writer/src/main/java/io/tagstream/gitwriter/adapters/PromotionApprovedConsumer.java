package io.tagstream.gitwriter.adapters;

import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.common.service.AuditLog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Approvals arrive keyed by promotion; git branches need one writer each. So every approval is first re-keyed: one
 * record per git branch it concerns goes to git-writer's branch topic, keyed {@code <repository URL>#<branch>}, and
 * Kafka's partition assignment then gives each branch to exactly one git-writer pod, however many run. The approval
 * is acknowledged once those records are stored.
 */
@ApplicationScoped
public class PromotionApprovedConsumer {

    @Inject
    AuditLog audit;

    @Inject
    Writer writer;

    @Inject
    Publisher publisher;

    @Incoming("promotion-approved")
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        Optional<CloudEvent<PromotionApproved>> read = audit.read(message, PromotionApproved.class);
        if (read.isEmpty()) {
            return message.ack();
        }
        CloudEvent<PromotionApproved> event = read.get();
        List<String> branches = writer.branches(event);
        var record = message.getMetadata(io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata.class).orElseThrow();
        var position = new io.tagstream.gitwriter.core.Ledger.Position(record.getPartition(), record.getOffset());
        CompletableFuture<?>[] sent = branches.stream().map(b -> publisher.forBranch(b, event, position))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(sent).thenCompose(v -> message.ack());
    }
}
