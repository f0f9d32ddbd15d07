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
 * The requests topic, read only by the pod Kafka gave its one partition to (the leader): matches that open promotions
 * (policy-matched events as they came, CloudEvents headers and all) and decisions taken over REST on any pod.
 */
@ApplicationScoped
public class RequestConsumer {

    @Inject
    AuditLog audit;

    @Inject
    Promoter promoter;

    @Incoming("requests")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        try {
            if (CloudEvent.header(record.headers(), CloudEvent.H_TYPE).isPresent()) {
                promoter.open(CloudEvent.read(record.headers(), record.value(), PolicyMatched.class));
                return;
            }
            Request r;
            try {
                r = Json.read(record.value(), Request.class);
            } catch (IllegalArgumentException e) {
                throw new CloudEvent.MalformedEventException(e.getMessage(), e);
            }
            promoter.decide(r);
        } catch (CloudEvent.MalformedEventException e) {
            audit.malformed(record.topic(), record.partition(), record.offset(), e);
        }
    }
}
