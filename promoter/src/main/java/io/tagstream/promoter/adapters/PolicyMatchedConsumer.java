package io.tagstream.promoter.adapters;

import io.smallrye.common.annotation.Blocking;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.common.service.AuditLog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Turns each {@code policy-matched} into an approval, or into promotions that wait at their gates. */
@ApplicationScoped
public class PolicyMatchedConsumer {

    @Inject
    AuditLog audit;

    @Inject
    Promoter promoter;

    @Incoming("policy-matched")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        CloudEvent<PolicyMatched> event;
        try {
            event = CloudEvent.read(record.headers(), record.value(), PolicyMatched.class);
        } catch (CloudEvent.MalformedEventException e) {
            audit.malformed(record.topic(), record.partition(), record.offset(), e);
            return;
        }
        promoter.matched(event);
    }
}
