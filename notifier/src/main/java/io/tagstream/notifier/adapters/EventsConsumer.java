package io.tagstream.notifier.adapters;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.CommitPushed;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.common.service.AuditLog;
import io.tagstream.common.service.ConfigWatch;
import io.tagstream.notifier.core.Alerts;
import io.tagstream.notifier.core.Dedup;
import io.tagstream.notifier.core.Delivery;
import io.tagstream.notifier.core.Events;
import io.tagstream.notifier.core.FluxEvent;
import io.tagstream.notifier.core.Input;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Reads what the chain reports ({@code audit}, {@code policy-matched}, {@code commit-pushed}) in its own consumer
 * group, so the chain never waits for a notification. Each record becomes at most one Flux event
 * ({@link Events}); an event equal to one sent in the window is dropped ({@link Dedup}); each Alert it goes to
 * ({@link Alerts}) gets one {@link Delivery} on the deliveries topic, queued before the record is acknowledged.
 */
@ApplicationScoped
public class EventsConsumer {

    private static final Logger LOG = Logger.getLogger(EventsConsumer.class);

    @Inject
    ConfigWatch config;

    @Inject
    AuditLog audit;

    @Inject
    NotifierState state;

    @Inject
    DeliveryQueue queue;

    @Inject
    MeterRegistry metrics;

    @ConfigProperty(name = "tagstream.notifier.max-event-age")
    Duration maxAge;

    @Incoming("audit-in")
    @Blocking
    public void audit(ConsumerRecords<String, byte[]> records) {
        plan(records, r -> read(r, AuditRecord.class).map(e -> new Planned(new Input.Audited(e.id(), e.data()), e.time())));
    }

    @Incoming("policy-matched")
    @Blocking
    public void matched(ConsumerRecords<String, byte[]> records) {
        plan(records, r -> read(r, PolicyMatched.class).map(e -> new Planned(new Input.Selected(e.id(), e.data()), e.time())));
    }

    @Incoming("commit-pushed")
    @Blocking
    public void pushed(ConsumerRecords<String, byte[]> records) {
        plan(records, r -> read(r, CommitPushed.class).map(e -> new Planned(new Input.Pushed(e.id(), e.data()), e.time())));
    }

    private record Planned(Input input, Instant happened) {}

    /**
     * One poll's records at a time: their deliveries are queued together and waited for once, then the batch is
     * acknowledged (a failure leaves the whole batch to be read again; what was queued is not sent twice).
     */
    private void plan(ConsumerRecords<String, byte[]> records, java.util.function.Function<ConsumerRecord<String, byte[]>,
            Optional<Planned>> read) {
        TagstreamConfig cfg = config.config();
        if (cfg.alerts().isEmpty()) {
            return;
        }
        List<Delivery> deliveries = new java.util.ArrayList<>();
        List<String> keys = new java.util.ArrayList<>();
        Instant now = Instant.now();
        for (ConsumerRecord<String, byte[]> r : records) {
            read.apply(r).ifPresent(p -> plan(p.input(), p.happened(), cfg, now, deliveries, keys));
        }
        if (deliveries.isEmpty()) {
            return;
        }
        try {
            queue.enqueue(deliveries);
        } catch (RuntimeException ex) {
            keys.forEach(state::unsent); // the batch is read again; its events are not duplicates of themselves
            throw ex;
        }
        keys.forEach(k -> state.sent(k, now));
        metrics.counter("tagstream.notifier.events.routed").increment(keys.size());
    }

    private <T extends io.tagstream.common.events.Event> Optional<CloudEvent<T>> read(ConsumerRecord<String, byte[]> r, Class<T> type) {
        try {
            return Optional.of(CloudEvent.read(r.headers(), r.value(), type));
        } catch (CloudEvent.MalformedEventException e) {
            if (type != AuditRecord.class) {
                audit.malformed(r.topic(), r.partition(), r.offset(), e);
            } // a malformed audit record is the writer's to report; auditing it here would loop
            return Optional.empty();
        }
    }

    private void plan(Input in, Instant happened, TagstreamConfig cfg, Instant now, List<Delivery> deliveries, List<String> keys) {
        Optional<FluxEvent> event = Events.of(in, cfg);
        if (event.isEmpty()) {
            return;
        }
        FluxEvent e = event.get();
        if (happened.plus(maxAge).isBefore(now)) {
            metrics.counter("tagstream.notifier.events.too.old").increment();
            LOG.debugf("not sent, %s old: %s %s", Duration.between(happened, now), e.involvedObject().kind(), e.involvedObject().id());
            return;
        }
        List<Alerts.Routed> routed = Alerts.route(e, Events.labels(e.involvedObject(), cfg), cfg);
        if (routed.isEmpty()) {
            return;
        }
        String key = Dedup.key(e);
        if (state.duplicate(key, now)) {
            metrics.counter("tagstream.notifier.events.duplicate").increment();
            LOG.debugf("discarding %s %s: equal to one sent in the last window", e.involvedObject().kind(), e.involvedObject().id());
            return;
        }
        keys.add(key);
        routed.forEach(r -> deliveries.add(new Delivery(Delivery.id(in.eventId(), r.alert().id().toString()),
                r.alert().id().toString(), r.provider().id().toString(), r.event(), now)));
    }
}
