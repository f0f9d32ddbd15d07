package io.tagstream.promoter.adapters;

import io.smallrye.common.annotation.Blocking;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.Json;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.common.service.AuditLog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * The requests topic, read only by the pod Kafka gave its one partition to (the leader): one {@link Request} per
 * record, a selection to open promotions for or a decision taken over REST on any pod. Records written before
 * selections were requests (a policy-matched event as it came, CloudEvents headers and all) are read as {@link
 * Request.Open}.
 */
@ApplicationScoped
public class RequestConsumer {

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
            if (r instanceof Request.Open o) {
                leader.open(o);
            } else {
                leader.decide((Request.Decision) r);
            }
        } catch (CloudEvent.MalformedEventException e) {
            audit.malformed(record.topic(), record.partition(), record.offset(), e);
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
