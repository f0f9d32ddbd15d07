package io.tagstream.promoter.adapters;

import io.smallrye.common.annotation.Blocking;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.PolicyMatched;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Turns each {@code policy-matched} into an approval, or into promotions that wait at their gates. */
@ApplicationScoped
public class PolicyMatchedConsumer {

    @Inject
    Publisher publisher;

    @Inject
    Promoter promoter;

    @Incoming("policy-matched")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        CloudEvent<PolicyMatched> event;
        try {
            event = CloudEvent.read(record.headers(), record.value(), PolicyMatched.class);
        } catch (CloudEvent.MalformedEventException e) {
            publisher.audit(Publisher.AUDIT.rejected("event.malformed", record.topic() + "/" + record.partition() + "@"
                    + record.offset(), e.getMessage(), Optional.empty()));
            return;
        }
        promoter.matched(event);
    }
}
