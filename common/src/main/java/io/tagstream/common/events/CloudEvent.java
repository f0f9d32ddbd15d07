package io.tagstream.common.events;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * An event with its CloudEvents attributes, as carried in Kafka's binary content mode: the payload is the record value
 * and every attribute is a {@code ce_*} header. The correlation id is the extension attribute {@code correlationid}; it
 * is set by the first {@code tag-discovered} and copied onto everything that event causes.
 */
public record CloudEvent<T extends Event>(
        String id, String source, Instant time, String correlationId, T data) {

    public static final String SPEC_VERSION = "1.0";
    public static final String CONTENT_TYPE = "application/json";
    public static final String H_SPECVERSION = "ce_specversion";
    public static final String H_ID = "ce_id";
    public static final String H_TYPE = "ce_type";
    public static final String H_SOURCE = "ce_source";
    public static final String H_TIME = "ce_time";
    public static final String H_SUBJECT = "ce_subject";
    public static final String H_CORRELATION = "ce_correlationid";
    public static final String H_CONTENT_TYPE = "content-type";

    public CloudEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(data, "data");
    }

    /** A new event that starts a chain: its correlation id is its own id. */
    public static <T extends Event> CloudEvent<T> start(String source, T data) {
        String id = UUID.randomUUID().toString();
        return new CloudEvent<>(id, source, Instant.now(), id, data);
    }

    /** A new event caused by another: it carries the cause's correlation id on. */
    public static <T extends Event> CloudEvent<T> causedBy(CloudEvent<?> cause, String source, T data) {
        return new CloudEvent<>(UUID.randomUUID().toString(), source, Instant.now(), cause.correlationId(), data);
    }

    /** A new event within a known chain. */
    public static <T extends Event> CloudEvent<T> inChain(String correlationId, String source, T data) {
        return new CloudEvent<>(UUID.randomUUID().toString(), source, Instant.now(), correlationId, data);
    }

    public EventType type() {
        return data.type();
    }

    public String key() {
        return data.key();
    }

    public Headers headers() {
        RecordHeaders h = new RecordHeaders();
        h.add(H_SPECVERSION, utf8(SPEC_VERSION));
        h.add(H_ID, utf8(id));
        h.add(H_TYPE, utf8(type().ceType()));
        h.add(H_SOURCE, utf8(source));
        h.add(H_TIME, utf8(DateTimeFormatter.ISO_INSTANT.format(time)));
        h.add(H_SUBJECT, utf8(data.subject()));
        h.add(H_CORRELATION, utf8(correlationId));
        h.add(H_CONTENT_TYPE, utf8(CONTENT_TYPE));
        return h;
    }

    public byte[] value() {
        return Json.write(data);
    }

    /**
     * Reads an event from a record's headers and value. The expected type guards against a record on the wrong
     * topic; a record without CloudEvents headers is refused with a reason rather than guessed at.
     */
    public static <T extends Event> CloudEvent<T> read(Headers headers, byte[] value, Class<T> expected) {
        String type = header(headers, H_TYPE).orElseThrow(() -> new MalformedEventException("no " + H_TYPE + " header"));
        EventType eventType = EventType.ofCeType(type)
                .orElseThrow(() -> new MalformedEventException("unknown event type '" + type + "'"));
        if (eventType.payload() != expected) {
            throw new MalformedEventException(
                    "expected " + EventType.of(expected).ceType() + " but the record is " + type);
        }
        String id = header(headers, H_ID).orElseThrow(() -> new MalformedEventException("no " + H_ID + " header"));
        String source = header(headers, H_SOURCE).orElse("unknown");
        Instant time = header(headers, H_TIME).map(Instant::parse).orElseGet(Instant::now);
        String correlation = header(headers, H_CORRELATION).orElse(id);
        if (value == null) {
            throw new MalformedEventException("event " + id + " has no payload");
        }
        T data;
        try {
            data = Json.read(value, expected);
        } catch (RuntimeException e) {
            throw new MalformedEventException("event " + id + ": " + e.getMessage(), e);
        }
        return new CloudEvent<>(id, source, time, correlation, data);
    }

    /** The event type of a record, to dispatch a topic that carries more than one (tag discovered / removed). */
    public static Optional<EventType> typeOf(Headers headers) {
        return header(headers, H_TYPE).flatMap(EventType::ofCeType);
    }

    public static Optional<String> header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? Optional.empty() : Optional.of(new String(h.value(), StandardCharsets.UTF_8));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A record that is not a valid Tagstream event; consumers audit it and move on instead of retrying forever. */
    public static final class MalformedEventException extends RuntimeException {
        public MalformedEventException(String message) {
            super(message);
        }

        public MalformedEventException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
