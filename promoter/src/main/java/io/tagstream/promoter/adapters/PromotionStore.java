package io.tagstream.promoter.adapters;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tagstream.common.events.Json;
import io.tagstream.common.state.CompactedTopic;
import io.tagstream.common.state.Topics;
import io.tagstream.promoter.core.StateKey;
import io.tagstream.promoter.core.Gates;
import io.tagstream.promoter.core.Promotion;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.config.TopicConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The promoter's state topic, followed by every pod: the newest version of each promotion (key: its id), and the
 * leader's replies to decisions (key: {@code reply/<request id>}). A restarted pod finds its promotions pending and
 * approvable; the pod that took a decision over REST reads the leader's reply here.
 */
@ApplicationScoped
public class PromotionStore {

    private static final Logger LOG = Logger.getLogger(PromotionStore.class);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "tagstream.promoter.state-topic")
    String stateTopic;

    @ConfigProperty(name = "tagstream.promoter.request-topic")
    String requestTopic;

    /** How long the requests topic, and so the leader's memory of answered requests, keeps a request. */
    @ConfigProperty(name = "tagstream.promoter.request-retention", defaultValue = "24h")
    Duration requestRetention;

    @Inject
    MeterRegistry metrics;

    @Inject
    MirrorFacts mirrors;

    private final Gates gates = new Gates();
    private final CompletableFuture<Void> restored = new CompletableFuture<>();
    /** Requests answered (id → when), as the replies in the state topic say; a redelivered one is not applied again. */
    private final Map<String, Instant> answered = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Reply>> awaited = new ConcurrentHashMap<>();
    private CompactedTopic store;

    /** Before the connectors start: one partition, so that Kafka gives the requests, and so the lead, to one pod. */
    void createTopics(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE + 100) StartupEvent e) {
        Topics.ensure(bootstrap, requestTopic, 1, Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(requestRetention.toMillis())));
    }

    void start(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) StartupEvent e) {
        store = new CompactedTopic(bootstrap, stateTopic).ensureExists(3);
        int n = store.loadAndFollow(this::stored);
        LOG.infof("restored %d promotion records from %s", n, stateTopic);
        Gauge.builder("tagstream.promoter.pending", gates, g -> g.list(Optional.of(Promotion.State.PENDING)).size()).register(metrics);
        restored.complete(null);
    }

    void stop(@Observes ShutdownEvent e) {
        if (store != null) {
            store.close();
        }
    }

    /** A record of the state topic, from this pod or the one leading: a promotion's newest version, or a reply. */
    private void stored(String key, String value) {
        StateKey k = StateKey.decode(key);
        if (k instanceof StateKey.MirrorSource || k instanceof StateKey.MirrorCopy || k instanceof StateKey.MirrorScan) {
            mirrors.stored(k, value);
            return;
        }
        if (k instanceof StateKey.OfReply r) {
            if (value == null) {
                answered.remove(r.request());
                return;
            }
            Reply reply = Json.read(value, Reply.class);
            reply.promotions().forEach(gates::restore);
            answered.put(reply.request(), reply.at());
            Optional.ofNullable(awaited.remove(reply.request())).ifPresent(f -> f.complete(reply));
        } else if (value != null) {
            gates.restore(Json.read(value, Promotion.class));
        }
    }

    /** The promotions, once restored from the topic. */
    public Gates gates() {
        restored.join();
        return gates;
    }

    boolean restored() {
        return restored.isDone();
    }

    /** Whether the topic was read to its end within {@code timeout} (a new leader waits for its predecessor's writes). */
    boolean caughtUp(Duration timeout) {
        restored.join();
        return store.awaitFollowed(timeout);
    }

    void put(Promotion p) {
        store.put(new StateKey.OfPromotion(p.id()).encode(), Json.writeString(p));
    }

    /** A mirror's fact (see {@link MirrorFacts}), written synchronously; {@code null} removes it. */
    void putMirrorFact(StateKey key, String value) {
        restored.join();
        store.put(key.encode(), value);
    }

    boolean answered(String request) {
        return answered.containsKey(request);
    }

    void answer(Reply reply) {
        store.put(reply.key(), Json.writeString(reply));
        answered.put(reply.request(), reply.at());
    }

    /** The reply to {@code request} once the leader stored it (register before sending the request). */
    CompletableFuture<Reply> replyTo(String request) {
        return awaited.computeIfAbsent(request, k -> new CompletableFuture<>());
    }

    void stopWaiting(String request) {
        awaited.remove(request);
    }

    /** Replies are kept as long as their request can be redelivered: those answered before {@code cutoff} are dropped. */
    void dropRepliesBefore(Instant cutoff) {
        answered.forEach((id, at) -> {
            if (at.isBefore(cutoff)) {
                store.put(new StateKey.OfReply(id).encode(), null);
                answered.remove(id);
            }
        });
    }

    Duration requestRetention() {
        return requestRetention;
    }
}
