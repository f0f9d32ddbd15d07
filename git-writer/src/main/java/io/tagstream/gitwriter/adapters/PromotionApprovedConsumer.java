package io.tagstream.gitwriter.adapters;

import io.tagstream.common.events.AuditAction;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.common.service.AuditLog;
import io.tagstream.common.service.ConfigWatch;
import io.tagstream.gitwriter.core.Ledger;
import io.tagstream.gitwriter.core.Routing;
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
 * record per git branch it concerns ({@link Routing#branches}) goes to git-writer's branch topic, keyed
 * {@code <repository URL>#<branch>}, and Kafka's partition assignment then gives each branch to exactly one git-writer
 * pod, however many run. The approval is acknowledged once those records are stored; one no automation writes is
 * audited as unused.
 */
@ApplicationScoped
public class PromotionApprovedConsumer {

    @Inject
    AuditLog audit;

    @Inject
    ConfigWatch config;

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
        ResourceId policy = ResourceId.parse(event.data().policy());
        List<String> branches = Routing.branches(policy, config.config());
        if (branches.isEmpty()) {
            publisher.audit(Publisher.AUDIT.rejected(AuditAction.APPROVAL_UNUSED, event.data().promotion(), "no ImageUpdateAutomation in "
                    + policy.namespace() + " selects policy " + event.data().policy(), Optional.of(event)));
        }
        var record = message.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
        var position = new Ledger.Position(record.getPartition(), record.getOffset());
        CompletableFuture<?>[] sent = branches.stream().map(b -> publisher.forBranch(b, event, Optional.of(position)))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(sent).thenCompose(v -> message.ack());
    }
}
