package io.tagstream.poller.adapters;

import io.micrometer.core.instrument.MeterRegistry;
import io.tagstream.common.events.AuditAction;
import io.tagstream.common.service.ApiError;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import io.tagstream.common.service.AuditLog;

/** How a webhook refusal is recorded, wherever it is made: counted by provider and outcome, and audited. */
@ApplicationScoped
public class WebhookOutcomes {

    @Inject
    Publisher publisher;

    @Inject
    AuditLog audit;

    @Inject
    MeterRegistry metrics;

    /** Counts and audits the refusal (now, on the caller's thread) and gives its response. */
    Response reject(int status, String provider, AuditAction action, String subject, String reason) {
        count(provider, String.valueOf(status));
        publisher.audit(record(status, action, subject, reason));
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ApiError(reason)).build();
    }

    /** As {@link #reject}, for the HTTP event loop: the audit record is written off that thread. */
    void rejectSoon(int status, String provider, AuditAction action, String subject, String reason) {
        count(provider, String.valueOf(status));
        audit.writeLater(record(status, action, subject, reason));
    }

    private static io.tagstream.common.events.CloudEvent<io.tagstream.common.events.AuditRecord> record(int status,
            AuditAction action, String subject, String reason) {
        return status >= 500 ? Publisher.AUDIT.error(action, subject, reason, Optional.empty())
                : Publisher.AUDIT.rejected(action, subject, reason, Optional.empty());
    }

    void count(String provider, String outcome) {
        metrics.counter("tagstream.poller.webhooks", "provider", provider, "outcome", outcome).increment();
    }
}
