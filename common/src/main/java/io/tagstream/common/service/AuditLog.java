package io.tagstream.common.service;

import io.tagstream.common.events.AuditAction;
import io.tagstream.common.events.Audit;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CloudEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

/** The {@code audit} channel of a service: every record is logged and stored before the caller goes on. */
@ApplicationScoped
public class AuditLog {

    private static final Logger LOG = Logger.getLogger(AuditLog.class);

    @Inject
    @Channel("audit")
    Emitter<byte[]> audit;

    @ConfigProperty(name = "quarkus.application.name")
    String service;

    public Audit records() {
        return new Audit(service);
    }

    /** A record on a topic that is not a valid event: audited with where it sits, and skipped rather than retried forever. */
    public void malformed(String topic, int partition, long offset, CloudEvent.MalformedEventException e) {
        write(records().rejected(AuditAction.EVENT_MALFORMED, topic + "/" + partition + "@" + offset, e.getMessage(), java.util.Optional.empty()));
    }

    /** The event in a consumed message, or empty when it is malformed (then audited, to be acknowledged and skipped). */
    public <T extends io.tagstream.common.events.Event> java.util.Optional<CloudEvent<T>> read(
            org.eclipse.microprofile.reactive.messaging.Message<byte[]> message, Class<T> type) {
        var meta = message.getMetadata(io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata.class).orElseThrow();
        try {
            return java.util.Optional.of(CloudEvent.read(meta.getHeaders(), message.getPayload(), type));
        } catch (CloudEvent.MalformedEventException e) {
            malformed(meta.getTopic(), meta.getPartition(), meta.getOffset(), e);
            return java.util.Optional.empty();
        }
    }

    /** Rejections of one action and subject: at most 10 records a minute, the rest counted into the next one. */
    private final AuditThrottle rejections = new AuditThrottle(10, java.time.Duration.ofMinutes(1));

    /** Writes records for threads that must not wait (the HTTP event loop): one writer, a bounded queue. */
    private final java.util.concurrent.ThreadPoolExecutor later = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0,
            java.util.concurrent.TimeUnit.MILLISECONDS, new java.util.concurrent.ArrayBlockingQueue<>(10_000), r -> {
                Thread t = new Thread(r, "audit-later");
                t.setDaemon(true);
                return t;
            }, (r, pool) -> LOG.warn("audit queue full (10,000 records waiting for Kafka): a refused request's record is left out"));

    /** As {@link #write}, on the audit writer's own thread; a failure is logged. */
    public void writeLater(CloudEvent<AuditRecord> record) {
        later.execute(() -> {
            try {
                write(record);
            } catch (RuntimeException e) {
                LOG.warnf("could not write audit record %s %s: %s", record.data().action(), AuditThrottle.escape(record.data().subject()),
                        e.getMessage());
            }
        });
    }

    public void write(CloudEvent<AuditRecord> record) {
        AuditRecord r = record.data();
        if (r.outcome() == AuditRecord.Outcome.REJECTED) {
            java.util.Optional<Integer> admitted = rejections.admit(r.action() + "|" + r.subject(), r.time());
            if (admitted.isEmpty()) {
                return; // counted: the next record of this action and subject says so
            }
            if (admitted.get() > 0) {
                record = new CloudEvent<>(record.id(), record.source(), record.time(), record.correlationId(), new AuditRecord(r.id(),
                        r.time(), r.service(), r.action(), r.subject(), r.outcome(), r.reason() + " (and " + admitted.get()
                        + " more like it in the minute before, not written one by one)", r.correlationId(), r.relatedEventId()));
                r = record.data();
            }
        }
        LOG.infof("audit %s %s %s: %s", r.action(), AuditThrottle.escape(r.subject()), r.outcome(), AuditThrottle.escape(r.reason()));
        Records.send(audit, record).join();
    }
}
