package io.tagstream.notifier.adapters;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.tagstream.common.events.Json;
import io.tagstream.common.state.CompactedTopic;
import io.tagstream.notifier.core.Dedup;
import io.tagstream.notifier.core.DeliveryState;
import io.tagstream.notifier.core.StateKey;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The one owner of {@code tagstream.notifier.state}: every delivery's state ({@link StateKey.Of}) and the events sent
 * in the duplicate window ({@link StateKey.Sent}). Every pod follows the topic, so a delivery a pod was sending when it
 * stopped is known to the pod that takes its partition over, and a duplicate is suppressed whichever pod sees it.
 */
@ApplicationScoped
public class NotifierState {

    private static final Logger LOG = Logger.getLogger(NotifierState.class);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "tagstream.notifier.state-topic")
    String topic;

    @ConfigProperty(name = "tagstream.notifier.duplicate-window")
    Duration window;

    @ConfigProperty(name = "tagstream.notifier.keep-finished")
    Duration keepFinished;

    private final Map<String, DeliveryState> deliveries = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> restored = new CompletableFuture<>();
    private Dedup dedup;
    private CompactedTopic store;

    void start(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) StartupEvent e) {
        dedup = new Dedup(window);
        store = new CompactedTopic(bootstrap, topic).ensureExists(3);
        int n = store.loadAndFollow(this::stored);
        LOG.infof("restored %d notification records from %s", n, topic);
        restored.complete(null);
    }

    /** After the connectors stopped: a record still being handled can still be queued. */
    @jakarta.annotation.PreDestroy
    void stop() {
        if (store != null) {
            store.close();
        }
    }

    private void stored(String key, String value) {
        Optional<StateKey> k = StateKey.decode(key);
        if (k.isEmpty()) {
            return; // written by a newer version: left alone
        }
        if (k.get() instanceof StateKey.Of d) {
            if (value == null) {
                deliveries.remove(d.deliveryId());
            } else {
                deliveries.put(d.deliveryId(), Json.read(value, DeliveryState.class));
            }
        } else if (k.get() instanceof StateKey.Sent sent && value != null) {
            dedup.remember(sent.dedupKey(), Instant.parse(Json.read(value, String.class)));
        }
    }

    boolean restored() {
        return restored.isDone();
    }

    public Optional<DeliveryState> delivery(String id) {
        restored.join();
        return Optional.ofNullable(deliveries.get(id));
    }

    /** Stored before it returns: what a redelivered record or another pod will find. */
    public void put(String deliveryId, DeliveryState state) {
        restored.join();
        deliveries.put(deliveryId, state);
        store.put(new StateKey.Of(deliveryId).encode(), Json.writeString(state));
    }

    public Map<String, DeliveryState> deliveries() {
        restored.join();
        return Map.copyOf(deliveries);
    }

    /** Whether an event with this Flux key was sent within the window; if not, it is now (in memory until {@link #sent}). */
    public boolean duplicate(String dedupKey, Instant now) {
        restored.join();
        return dedup.duplicate(dedupKey, now);
    }

    /**
     * Stored without waiting: if it is lost (a crash), the redelivered record queues its deliveries again under the
     * same ids, and the sender finds them already sent.
     */
    public void sent(String dedupKey, Instant at) {
        store.putAsync(new StateKey.Sent(dedupKey).encode(), Json.writeString(at.toString()));
    }

    /** A key whose deliveries could not be queued: not remembered, so the redelivered record is sent. */
    public void unsent(String dedupKey) {
        dedup.forget(dedupKey);
    }

    /** Forgets duplicate keys past their window and deliveries finished long ago (tombstones, so compaction drops them). */
    @Scheduled(every = "1m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void expire() {
        if (!restored.isDone()) {
            return;
        }
        Instant now = Instant.now();
        for (String k : dedup.expired(now)) {
            store.putAsync(new StateKey.Sent(k).encode(), null);
        }
        deliveries.forEach((id, s) -> {
            if (s.state().finished() && s.at().plus(keepFinished).isBefore(now)) {
                deliveries.remove(id);
                store.putAsync(new StateKey.Of(id).encode(), null);
            }
        });
    }
}
