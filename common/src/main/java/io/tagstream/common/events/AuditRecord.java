package io.tagstream.common.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One decision, rejection or error of one service, for operators. Keyed by subject so the history of one thing is in
 * order.
 *
 * @param action what was decided, dotted and stable: an {@link AuditAction}'s name on the wire, e.g.
 *     {@code webhook.rejected}; a reader meets names it does not know when a newer service writes them
 * @param subject what the decision is about, e.g. an image ref, a resource {@code ns/name}, a git branch
 * @param reason a sentence a person understands
 * @param correlationId the chain this decision belongs to, from the first {@code tag-discovered} on
 * @param relatedEventId the event that caused this decision, when there is one
 */
public record AuditRecord(
        String id,
        Instant time,
        String service,
        String action,
        String subject,
        Outcome outcome,
        String reason,
        Optional<String> correlationId,
        Optional<String> relatedEventId)
        implements Event {

    public AuditRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(outcome, "outcome");
        reason = reason == null ? "" : reason;
        correlationId = correlationId == null ? Optional.empty() : correlationId;
        relatedEventId = relatedEventId == null ? Optional.empty() : relatedEventId;
    }

    @Override
    public String key() {
        return subject;
    }

    public enum Outcome {
        @JsonProperty("ok")
        OK,
        @JsonProperty("rejected")
        REJECTED,
        @JsonProperty("error")
        ERROR
    }
}
