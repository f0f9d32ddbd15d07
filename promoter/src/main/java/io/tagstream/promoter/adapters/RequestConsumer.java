package io.tagstream.promoter.adapters;

import io.smallrye.common.annotation.Blocking;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.Json;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.common.service.AuditLog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.RetriableException;
import org.jboss.logging.Logger;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * The requests topic, read only by the pod Kafka gave its one partition to (the leader): one {@link Request} per
 * record, a selection to open promotions for or a decision taken over REST on any pod. Records written before
 * selections were requests (a policy-matched event as it came, CloudEvents headers and all) are read as {@link
 * Request.Open}.
 */
@ApplicationScoped
public class RequestConsumer {

    private static final Logger LOG = Logger.getLogger(RequestConsumer.class);

    @Inject
    AuditLog audit;

    @Inject
    Leader leader;

    @Incoming("requests")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        try {
            Request r = CloudEvent.header(record.headers(), CloudEvent.H_TYPE).isPresent()
                    ? Request.Open.of(CloudEvent.read(record.headers(), record.value(), PolicyMatched.class))
                    : read(record.value());
            handle(r);
        } catch (CloudEvent.MalformedEventException e) {
            audit.malformed(record.topic(), record.partition(), record.offset(), e);
        }
    }

    /**
     * Applies one request. Kafka being unreachable is waited out (with backoff, while this pod leads), so a decision
     * taken during an outage is applied after it; anything else is a request that can never be applied, and it is
     * refused and skipped, so one bad request never stops the ones behind it.
     */
    private void handle(Request r) {
        for (long backoff = 500; ; backoff = Math.min(backoff * 2, 30_000)) {
            try {
                if (r instanceof Request.Open o) {
                    leader.open(o);
                } else {
                    leader.decide((Request.Decision) r);
                }
                return;
            } catch (RuntimeException e) {
                if (!retryable(e)) {
                    String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                    LOG.errorf("request %s cannot be applied, skipped: %s", r.id(), why);
                    refuse(r, why);
                    return;
                }
                LOG.warnf("request %s: Kafka unreachable (%s); retrying in %d ms", r.id(), e.getMessage(), backoff);
            }
            if (!sleep(backoff) || !leader.leads()) {
                return; // stopping, or the lead moved on: the next leader reads the request again
            }
        }
    }

    private void refuse(Request r, String why) {
        for (long backoff = 500; ; backoff = Math.min(backoff * 2, 30_000)) {
            try {
                leader.refuse(r, why);
                return;
            } catch (RuntimeException e) {
                LOG.warnf("request %s: could not store its refusal (%s); retrying in %d ms", r.id(), e.getMessage(), backoff);
            }
            if (!sleep(backoff) || !leader.leads()) {
                return;
            }
        }
    }

    /** Whether retrying may help: a broker timeout or an unavailable partition, not a record Kafka refuses. */
    static boolean retryable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RetriableException || t instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
            if (t instanceof ApiException) {
                return false; // RecordTooLargeException, InvalidRecordException, authorization: retrying will not help
            }
        }
        return false;
    }

    private static boolean sleep(long ms) {
        try {
            Thread.sleep(ms);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Request read(byte[] value) {
        try {
            return Json.read(value, Request.class);
        } catch (IllegalArgumentException e) {
            throw new CloudEvent.MalformedEventException(e.getMessage(), e);
        }
    }
}
