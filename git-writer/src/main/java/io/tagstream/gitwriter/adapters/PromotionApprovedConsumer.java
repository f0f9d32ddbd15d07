package io.tagstream.gitwriter.adapters;

import io.smallrye.common.annotation.Blocking;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.PromotionApproved;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Receives approved images for the automations that write them to git. */
@ApplicationScoped
public class PromotionApprovedConsumer {

    @Inject
    Publisher publisher;

    @Incoming("promotion-approved")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        CloudEvent<PromotionApproved> event;
        try {
            event = CloudEvent.read(record.headers(), record.value(), PromotionApproved.class);
        } catch (CloudEvent.MalformedEventException e) {
            publisher.audit(Publisher.AUDIT.rejected("event.malformed", record.topic() + "/" + record.partition() + "@"
                    + record.offset(), e.getMessage(), Optional.empty()));
            return;
        }
        publisher.audit(Publisher.AUDIT.ok("approval.received", event.data().promotion(),
                event.data().target() + " approved by " + event.data().approvedBy(), Optional.of(event)));
    }
}
