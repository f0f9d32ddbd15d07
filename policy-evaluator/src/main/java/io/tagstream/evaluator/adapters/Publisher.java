package io.tagstream.evaluator.adapters;

import io.tagstream.common.events.Audit;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.PolicyMatched;
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

    public static final String SERVICE = "policy-evaluator";
    public static final Audit AUDIT = new Audit(SERVICE);

    @Inject
    @Channel("policy-matched")
    Emitter<byte[]> matched;

    @Inject
    AuditLog audit;

    public java.util.concurrent.CompletableFuture<Void> matched(CloudEvent<PolicyMatched> event) {
        return Records.send(matched, event);
    }

    public void audit(CloudEvent<AuditRecord> record) {
        audit.write(record);
    }
}
