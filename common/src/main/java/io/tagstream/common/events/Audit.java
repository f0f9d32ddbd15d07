package io.tagstream.common.events;

import io.tagstream.common.events.AuditRecord.Outcome;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** Builds the audit records of one service, so every record carries the same service name and a fresh id. */
public record Audit(String service) {

    public CloudEvent<AuditRecord> ok(AuditAction action, String subject, String reason, Optional<CloudEvent<?>> cause) {
        return record(action, subject, Outcome.OK, reason, cause);
    }

    public CloudEvent<AuditRecord> rejected(AuditAction action, String subject, String reason, Optional<CloudEvent<?>> cause) {
        return record(action, subject, Outcome.REJECTED, reason, cause);
    }

    public CloudEvent<AuditRecord> error(AuditAction action, String subject, String reason, Optional<CloudEvent<?>> cause) {
        return record(action, subject, Outcome.ERROR, reason, cause);
    }

    /** The same record placed in a known chain (a decision made over the API about a promotion of that chain). */
    public static CloudEvent<AuditRecord> inChain(CloudEvent<AuditRecord> r, String correlationId) {
        AuditRecord d = r.data();
        return new CloudEvent<>(r.id(), r.source(), r.time(), correlationId, new AuditRecord(d.id(), d.time(), d.service(),
                d.action(), d.subject(), d.outcome(), d.reason(), Optional.of(correlationId), d.relatedEventId()));
    }

    public CloudEvent<AuditRecord> record(
            AuditAction action, String subject, Outcome outcome, String reason, Optional<CloudEvent<?>> cause) {
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now();
        Optional<String> correlation = cause.map(CloudEvent::correlationId);
        AuditRecord data = new AuditRecord(
                id, now, service, action.wire(), subject, outcome, reason, correlation, cause.map(CloudEvent::id));
        return new CloudEvent<>(id, service, now, correlation.orElse(id), data);
    }
}
