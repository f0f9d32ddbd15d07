package io.tagstream.gitwriter.adapters;

import io.tagstream.common.events.Audit;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.CommitPushed;
import io.tagstream.common.service.AuditLog;
import io.tagstream.common.service.Records;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
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

    /** An approval for one branch, keyed by that branch, into git-writer's own work topic. */
    public java.util.concurrent.CompletableFuture<Void> forBranch(String branchKey,
            CloudEvent<io.tagstream.common.events.PromotionApproved> event, io.tagstream.gitwriter.core.Ledger.Position position) {
        return Records.send(branchWork, event, branchKey, java.util.Map.of(APPROVAL_POSITION, position.toString()));
    }

    public void pushed(CloudEvent<CommitPushed> event) {
        Records.send(pushed, event).join();
    }

    public void audit(CloudEvent<AuditRecord> record) {
        audit.write(record);
    }
}
