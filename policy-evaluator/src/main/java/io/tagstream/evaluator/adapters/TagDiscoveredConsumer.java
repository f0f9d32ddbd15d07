package io.tagstream.evaluator.adapters;

import io.smallrye.common.annotation.Blocking;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.EventType;
import io.tagstream.common.events.TagDiscovered;
import io.tagstream.common.events.TagRemoved;
import io.tagstream.common.service.AuditLog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Feeds the {@code tag-discovered} topic (tags discovered and removed) to the evaluator, one record at a time. */
@ApplicationScoped
public class TagDiscoveredConsumer {

    @Inject
    AuditLog audit;

    @Inject
    EvaluationRunner evaluator;

    @Incoming("tag-discovered")
    @Blocking // ordered: one record at a time, so a repository's changes are applied in order
    public void consume(ConsumerRecord<String, byte[]> record) {
        try {
            EventType type = CloudEvent.typeOf(record.headers()).orElse(EventType.TAG_DISCOVERED);
            if (type == EventType.TAG_REMOVED) {
                evaluator.removed(CloudEvent.read(record.headers(), record.value(), TagRemoved.class));
            } else {
                evaluator.discovered(CloudEvent.read(record.headers(), record.value(), TagDiscovered.class));
            }
        } catch (CloudEvent.MalformedEventException e) {
            audit.malformed(record.topic(), record.partition(), record.offset(), e);
        }
    }
}
