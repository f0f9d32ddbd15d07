package io.tagstream.promoter.adapters;

import io.tagstream.common.events.AuditAction;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.common.service.AuditLog;
import io.tagstream.common.service.ConfigWatch;
import io.tagstream.promoter.core.Gate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Each {@code policy-matched}, on any pod: the policy's own approval is announced at once ({@link Gate#decide}), and
 * a selection that ImagePromotions gate goes to the leader, which opens their promotions.
 */
@ApplicationScoped
public class PolicyMatchedConsumer {

    @Inject
    AuditLog audit;

    @Inject
    ConfigWatch config;

    @Inject
    Publisher publisher;

    @Inject
    MeterRegistry metrics;

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
        Gate.Decision decision = Gate.decide(event.data(), config.config(), Instant.now());
        var approved = CloudEvent.causedBy(event, Publisher.SERVICE, decision.own());
        metrics.counter("tagstream.promoter.decisions", "promotion", decision.own().promotion(), "state", "approved").increment();
        publisher.approved(approved);
        publisher.audit(Publisher.AUDIT.ok(AuditAction.PROMOTION_APPROVED, decision.own().promotion(), decision.own().target()
                + " approved by auto for markers naming policy " + event.data().policy()
                + (decision.promotions().isEmpty() ? "" : "; " + decision.promotions().size() + " promotion(s) gate the rest"),
                Optional.of(approved)));
        if (!decision.promotions().isEmpty()) {
            publisher.request(Request.Open.of(event));
        }
    }
}
