package io.tagstream.gitwriter.adapters;

import io.tagstream.common.events.Audit;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.CommitPushed;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.common.service.AuditLog;
import io.tagstream.common.service.Records;
import io.tagstream.gitwriter.core.Ledger;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/**
 * This service's events on Kafka. Each send waits for the broker's ack, so a consumed record is acknowledged only
 * once what it caused is stored (at-least-once end to end).
 */
@ApplicationScoped
public class Publisher {

    public static final String SERVICE = "git-writer";
    public static final Audit AUDIT = new Audit(SERVICE);
    /** On a re-keyed approval: {@code partition/offset} of the promotion-approved record it was read from. */
    public static final String APPROVAL_POSITION = "tagstream_approval";

    @Inject
    @Channel("commit-pushed")
    Emitter<byte[]> pushed;

    @Inject
    @Channel("branch-work-out")
    Emitter<byte[]> branchWork;

    @Inject
    AuditLog audit;

    /**
     * An approval for one branch, keyed by that branch, into git-writer's own work topic, with its position in
     * promotion-approved when it was read there (a ref carried to a moved automation's new target has none).
     */
    public CompletableFuture<Void> forBranch(String branchKey, CloudEvent<PromotionApproved> event,
            Optional<Ledger.Position> position) {
        return Records.send(branchWork, event, branchKey, position.map(p -> Map.of(APPROVAL_POSITION, p.toString()))
                .orElse(Map.of()));
    }

    public void pushed(CloudEvent<CommitPushed> event) {
        Records.send(pushed, event).join();
    }

    public void audit(CloudEvent<AuditRecord> record) {
        audit.write(record);
    }
}
