package io.tagstream.console.core;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One line of the live feed: an event of the chain or an audit record, as a person reads it.
 *
 * @param seq the feed's own order (ascending as the console read them), for "what came after N"
 * @param kind the event type's short name ({@code tag-discovered}, …, {@code commit-pushed}) or {@code audit}
 * @param service who wrote it (the CloudEvent's source, or the audit record's service)
 * @param action the audit action, or the event type for events
 * @param outcome {@code ok}, {@code rejected} or {@code error}
 * @param subject what it is about (an image ref, a promotion, a branch)
 * @param text one sentence
 * @param correlationId the chain it belongs to, from the first tag-discovered on
 */
public record Entry(long seq, Instant time, String kind, String service, String action, String outcome, String subject,
        String text, Optional<String> correlationId) {

    public Entry {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(kind, "kind");
        service = service == null ? "" : service;
        action = action == null ? "" : action;
        outcome = outcome == null ? "ok" : outcome;
        subject = subject == null ? "" : subject;
        text = text == null ? "" : text;
        correlationId = correlationId == null ? Optional.empty() : correlationId;
    }

    public Entry withSeq(long n) {
        return new Entry(n, time, kind, service, action, outcome, subject, text, correlationId);
    }
}
