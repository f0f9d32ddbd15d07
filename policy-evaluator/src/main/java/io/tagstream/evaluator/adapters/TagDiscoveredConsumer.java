package io.tagstream.evaluator.adapters;

import io.smallrye.common.annotation.Blocking;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.TagDiscovered;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Feeds {@code tag-discovered} records to the evaluator; records that are not valid events are audited and skipped. */
@ApplicationScoped
public class TagDiscoveredConsumer {

    @Inject
    Publisher publisher;

    @Incoming("tag-discovered")
    @Blocking // ordered: one record at a time per channel, so a repository's tags are handled in order
    public void consume(ConsumerRecord<String, byte[]> record) {
        CloudEvent<TagDiscovered> event;
        try {
            event = CloudEvent.read(record.headers(), record.value(), TagDiscovered.class);
        } catch (CloudEvent.MalformedEventException e) {
            publisher.audit(Publisher.AUDIT.rejected("event.malformed", record.topic() + "/" + record.partition() + "@"
                    + record.offset(), e.getMessage(), Optional.empty()));
            return;
        }
        publisher.audit(Publisher.AUDIT.ok("tag.received", event.data().subject(),
                "tag " + event.data().tag() + " at " + event.data().digest(), Optional.of(event)));
    }
}
