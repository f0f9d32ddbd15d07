package io.tagstream.promoter.adapters;

import io.tagstream.common.service.ConfigWatch;
import io.smallrye.common.annotation.Blocking;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.promoter.core.Gate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Turns each {@code policy-matched} into an approval, or into a promotion that waits for one. */
@ApplicationScoped
public class PolicyMatchedConsumer {

    @Inject
    Publisher publisher;

    @Inject
    ConfigWatch config;

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
        Gate.Decision decision = Gate.decide(event.data(), config.config(), Instant.now());
        if (decision instanceof Gate.AutoApproved auto) {
            var approved = CloudEvent.causedBy(event, Publisher.SERVICE, auto.approval());
            publisher.approved(approved);
            publisher.audit(Publisher.AUDIT.ok("promotion.approved", auto.approval().promotion(),
                    auto.approval().target() + " approved by auto: no ImagePromotion gates policy " + event.data().policy(),
                    Optional.of(approved)));
        } else if (decision instanceof Gate.Gated gated) {
            String names = gated.promotions().stream().map(p -> p.id().toString()).collect(Collectors.joining(", "));
            publisher.audit(Publisher.AUDIT.ok("promotion.gated", event.data().policy(), event.data().subject()
                    + " waits for ImagePromotion " + names, Optional.of(event)));
        }
    }
}
