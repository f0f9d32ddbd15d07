package io.tagstream.poller.adapters;

import io.smallrye.common.annotation.Blocking;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.poller.core.Following;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Each policy's selection, from policy-matched: what {@code digestReflectionPolicy: Always} follows (see
 * {@link Following}). Kept in the poller's state topic, so a restart or another pod follows the same tags.
 */
@ApplicationScoped
public class SelectionsConsumer {

    @Inject
    Scanner scanner;

    @Incoming("policy-matched")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) throws InterruptedException {
        CloudEvent<PolicyMatched> e;
        try {
            e = CloudEvent.read(record.headers(), record.value(), PolicyMatched.class);
        } catch (CloudEvent.MalformedEventException ex) {
            return; // the evaluator's topic; its consumers audit malformed records
        }
        scanner.selected(e.data().policy(), new Following.Selected(e.data().image(), e.data().tag(), e.data().digest()));
    }
}
