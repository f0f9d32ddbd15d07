package io.tagstream.poller.adapters;

import io.tagstream.common.service.ConfigWatch;
import io.smallrye.common.annotation.Blocking;
import io.tagstream.common.config.ImageRepository;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.ImageRef;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.common.events.TagDiscovered.DiscoverySource;
import io.tagstream.poller.core.ImageOwners;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** A promotion that copied an image is a hint too: the target repository is checked at once, not at its next poll. */
@ApplicationScoped
public class PromotionCopiesConsumer {

    @Inject
    Scanner scanner;

    @Inject
    ConfigWatch config;

    @Incoming("promotion-approved")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        CloudEvent<PromotionApproved> e;
        try {
            e = CloudEvent.read(record.headers(), record.value(), PromotionApproved.class);
        } catch (CloudEvent.MalformedEventException ex) {
            return; // the promoter's topic; its consumers audit malformed records
        }
        if (!e.data().copied()) {
            return;
        }
        ImageRef target = e.data().target();
        for (ImageRepository repo : ImageOwners.of(target.repository(), config.config().scanTargets())) {
            scanner.hint(repo, target.tag(), DiscoverySource.WEBHOOK, Optional.of(e.correlationId()));
        }
    }
}
