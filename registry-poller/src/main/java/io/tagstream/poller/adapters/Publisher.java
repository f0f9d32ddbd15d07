package io.tagstream.poller.adapters;

import io.tagstream.common.events.Audit;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CloudEvent;
import jakarta.enterprise.context.ApplicationScoped;
import io.tagstream.common.service.AuditLog;
import io.tagstream.common.service.Records;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Writes the poller's events to Kafka with their key and CloudEvents headers and waits for the broker's acks, so the
 * state that records them is written only after the events are stored (at-least-once). A scan's events are sent
 * together and awaited once: thousands of events cost one wait, not thousands.
 */
@ApplicationScoped
public class Publisher {

    public static final String SERVICE = "registry-poller";
    public static final Audit AUDIT = new Audit(SERVICE);

    @Inject
    @Channel("tag-discovered")
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER) // a first scan sends thousands at once; acks bound the real backlog
    Emitter<byte[]> tags;

    @Inject
    AuditLog audit;

    /** Tag events ({@code tag-discovered} and {@code tag-removed}), all stored before this returns. */
    public void tagEvents(List<? extends CloudEvent<?>> events) {
        List<CompletableFuture<Void>> acks = new ArrayList<>(events.size());
        for (CloudEvent<?> e : events) {
            acks.add(Records.send(tags, e));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
    }

    public void audit(CloudEvent<AuditRecord> record) {
        audit.write(record);
    }
}
