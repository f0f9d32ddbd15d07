package io.tagstream.promoter.adapters;

import io.tagstream.common.events.Audit;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.Json;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.common.service.AuditLog;
import io.tagstream.common.service.Records;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/**
 * This service's events on Kafka. Each send waits for the broker's ack, so a consumed record is acknowledged only
 * once what it caused is stored (at-least-once end to end).
 */
@ApplicationScoped
public class Publisher {

    public static final String SERVICE = "promoter";
    public static final Audit AUDIT = new Audit(SERVICE);

    @Inject
    @Channel("promotion-approved")
    Emitter<byte[]> approved;

    @Inject
    @Channel("requests-out")
    Emitter<byte[]> requests;

    @Inject
    AuditLog audit;

    public void approved(CloudEvent<PromotionApproved> event) {
        Records.send(approved, event).join();
    }

    /** A selection or a decision for the pod that leads; keyed by its id (the topic has one partition anyway). */
    public void request(Request r) {
        Records.send(requests, r.id(), Json.write(r), new RecordHeaders()).join();
    }

    public void audit(CloudEvent<AuditRecord> record) {
        audit.write(record);
    }
}
