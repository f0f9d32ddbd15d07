package io.tagstream.notifier.core;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Flux's notification event ({@code fluxcd/pkg apis/event/v1beta1 Event}), what a {@code generic} Provider receives:
 * the object it is about, severity, time, message, reason, metadata (keys prefixed by the object's API group, as
 * Flux's controllers send them), and who reported it.
 */
public record FluxEvent(
        InvolvedObject involvedObject,
        Severity severity,
        Instant timestamp,
        String message,
        String reason,
        Map<String, String> metadata,
        String reportingController,
        Optional<String> reportingInstance) {

    /** Flux's limit on a message. */
    public static final int MAX_MESSAGE = 39_000;

    public FluxEvent {
        Objects.requireNonNull(involvedObject, "involvedObject");
        Objects.requireNonNull(severity, "severity");
        timestamp = timestamp.truncatedTo(ChronoUnit.SECONDS); // metav1.Time is RFC 3339 to the second
        message = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message;
        metadata = java.util.Collections.unmodifiableMap(new TreeMap<>(metadata));
        reportingInstance = reportingInstance == null ? Optional.empty() : reportingInstance;
    }

    public enum Severity {
        INFO, ERROR;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Kubernetes' ObjectReference, the fields Flux fills. Tagstream's objects are files, not API objects, so the
     * {@code uid} is derived from the object's identity (a name-based UUID): stable, and the same in every pod.
     */
    public record InvolvedObject(String apiVersion, String kind, String namespace, String name, String uid) {

        public InvolvedObject(String apiVersion, String kind, String namespace, String name) {
            this(apiVersion, kind, namespace, name, java.util.UUID.nameUUIDFromBytes(("tagstream/" + apiVersion + "/" + kind
                    + "/" + namespace + "/" + name).getBytes(StandardCharsets.UTF_8)).toString());
        }

        /** The API group, which prefixes the event's metadata keys. */
        public String group() {
            int slash = apiVersion.indexOf('/');
            return slash < 0 ? "" : apiVersion.substring(0, slash);
        }

        public String id() {
            return namespace + "/" + name;
        }
    }

    /** The metadata key for {@code revision} of this object's group, e.g. {@code image.toolkit.fluxcd.io/revision}. */
    public String meta(String key) {
        return involvedObject.group() + "/" + key;
    }

    public FluxEvent withMetadata(Map<String, String> m) {
        return new FluxEvent(involvedObject, severity, timestamp, message, reason, m, reportingController, reportingInstance);
    }

    /** The body a generic Provider posts: Go's field order (ObjectReference's too) and escaping. */
    public byte[] json() {
        InvolvedObject o = involvedObject;
        String ref = GoJson.object().optional("kind", o.kind()).optional("namespace", o.namespace())
                .optional("name", o.name()).optional("uid", o.uid()).optional("apiVersion", o.apiVersion()).end();
        return GoJson.object()
                .raw("involvedObject", ref)
                .field("severity", severity.wire())
                .field("timestamp", DateTimeFormatter.ISO_INSTANT.format(timestamp))
                .field("message", message)
                .field("reason", reason)
                .optionalMap("metadata", metadata)
                .field("reportingController", reportingController)
                .optional("reportingInstance", reportingInstance.orElse(""))
                .end().getBytes(StandardCharsets.UTF_8);
    }
}
