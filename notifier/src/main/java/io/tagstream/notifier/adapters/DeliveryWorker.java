package io.tagstream.notifier.adapters;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tagstream.common.config.Alert;
import io.tagstream.common.config.Provider;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.Secrets;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.AuditAction;
import io.tagstream.common.events.Json;
import io.tagstream.common.service.ConfigWatch;
import io.tagstream.notifier.core.Delivery;
import io.tagstream.notifier.core.DeliveryState;
import io.tagstream.notifier.core.DeliveryState.State;
import io.tagstream.notifier.core.Payloads;
import io.tagstream.notifier.core.Retry;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.yaml.snakeyaml.Yaml;

/**
 * Sends the deliveries of the partitions Kafka gives this pod, so one delivery is sent by one pod. A record's offset
 * is committed once its delivery is finished (delivered, given up, or uncertain), never before: a pod that stops
 * leaves the rest to the next owner, which finds each delivery's state in {@link NotifierState} and goes on from its
 * last attempt. Waiting for a retry holds no thread, and one receiver failing delays no other's messages.
 */
@ApplicationScoped
public class DeliveryWorker {

    private static final Logger LOG = Logger.getLogger(DeliveryWorker.class);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "tagstream.notifier.retry-initial")
    Duration retryInitial;

    @ConfigProperty(name = "tagstream.notifier.retry-max")
    Duration retryMax;

    @ConfigProperty(name = "tagstream.notifier.give-up-after")
    Duration giveUpAfter;

    @ConfigProperty(name = "tagstream.notifier.telegram-api")
    URI telegramApi;

    @ConfigProperty(name = "tagstream.notifier.max-in-flight")
    int maxInFlight;

    @Inject
    DeliveryQueue queue;

    @Inject
    NotifierState state;

    @Inject
    ConfigWatch config;

    @Inject
    Secrets secrets;

    @Inject
    HttpSender sender;

    @Inject
    Publisher publisher;

    @Inject
    MeterRegistry metrics;

    private Retry retry;
    private KafkaConsumer<String, String> consumer;
    private Thread poller;
    private volatile boolean closing;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(8, r -> {
        Thread t = new Thread(r, "notifier-send");
        t.setDaemon(true);
        return t;
    });
    /** Offsets read and not finished, per owned partition; the lowest is where a commit may go. */
    private final Map<TopicPartition, ConcurrentSkipListSet<Long>> open = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> readTo = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
    private final Map<TopicPartition, AtomicInteger> sending = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();

    void start(@Observes @Priority(Interceptor.Priority.APPLICATION + 1100) StartupEvent e) {
        retry = new Retry(retryInitial, retryMax, giveUpAfter);
        io.micrometer.core.instrument.Gauge.builder("tagstream.notifier.deliveries.open", inFlight, AtomicInteger::get)
                .register(metrics);
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "tagstream-notifier-send");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "2000");
        consumer = new KafkaConsumer<>(p);
        poller = new Thread(this::run, "notifier-deliveries");
        poller.setDaemon(true);
        poller.start();
    }

    void stop(@Observes ShutdownEvent e) {
        closing = true;
        if (consumer != null) {
            consumer.wakeup();
        }
        try {
            if (poller != null) {
                poller.join(Duration.ofSeconds(20).toMillis());
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        scheduler.shutdownNow();
    }

    boolean running() {
        return poller != null && poller.isAlive();
    }

    private void run() {
        try {
            consumer.subscribe(Set.of(queue.topic()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> parts) {
                    release(parts);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> parts) {
                    owned.removeAll(parts); // another pod has them already: no commit
                    parts.forEach(DeliveryWorker.this::forget);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> parts) {
                    owned.addAll(parts);
                }
            });
            while (!closing) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (!owned.contains(tp)) {
                        continue;
                    }
                    open.computeIfAbsent(tp, k -> new ConcurrentSkipListSet<>()).add(r.offset());
                    readTo.put(tp, r.offset() + 1);
                    inFlight.incrementAndGet();
                    begin(tp, r.offset(), r.value());
                }
                commit(owned);
                if (inFlight.get() > maxInFlight) {
                    consumer.pause(consumer.assignment());
                } else if (!consumer.paused().isEmpty()) {
                    consumer.resume(consumer.paused());
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.errorf(e, "the deliveries consumer stopped");
        } finally {
            release(Set.copyOf(owned));
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** On the poll thread: commits each partition up to its lowest unfinished offset. */
    private void commit(Collection<TopicPartition> parts) {
        Map<TopicPartition, OffsetAndMetadata> to = new LinkedHashMap<>();
        for (TopicPartition tp : parts) {
            Long read = readTo.get(tp);
            if (read == null) {
                continue;
            }
            ConcurrentSkipListSet<Long> o = open.get(tp);
            long upTo = o == null || o.isEmpty() ? read : o.first();
            if (!Long.valueOf(upTo).equals(committed.get(tp))) {
                to.put(tp, new OffsetAndMetadata(upTo));
            }
        }
        if (!to.isEmpty()) {
            try {
                consumer.commitSync(to, Duration.ofSeconds(10));
                to.forEach((tp, o) -> committed.put(tp, o.offset()));
            } catch (RuntimeException e) {
                LOG.warnf("cannot commit delivery offsets (tried again): %s", e.getMessage());
            }
        }
    }

    /** Partitions leaving this pod: sends under way finish (bounded by their timeout), the finished are committed. */
    private void release(Collection<TopicPartition> parts) {
        owned.removeAll(parts);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (TopicPartition tp : parts) {
            AtomicInteger n = sending.get(tp);
            while (n != null && n.get() > 0 && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        commit(parts);
        parts.forEach(this::forget);
    }

    private void forget(TopicPartition tp) {
        ConcurrentSkipListSet<Long> o = open.remove(tp);
        if (o != null) {
            inFlight.addAndGet(-o.size());
        }
        readTo.remove(tp);
        committed.remove(tp);
    }

    private void finished(TopicPartition tp, long offset) {
        ConcurrentSkipListSet<Long> o = open.get(tp);
        if (o != null && o.remove(offset)) {
            inFlight.decrementAndGet();
        }
    }

    private void begin(TopicPartition tp, long offset, String json) {
        Delivery d;
        try {
            d = Json.read(json, Delivery.class);
        } catch (RuntimeException e) {
            LOG.warnf("skipping an unreadable delivery at %s@%d: %s", tp, offset, e.getMessage());
            finished(tp, offset);
            return;
        }
        Optional<DeliveryState> st = state.delivery(d.id());
        if (st.isPresent() && st.get().state().finished()) {
            finished(tp, offset); // a redelivered record: sent (or given up) already
            return;
        }
        if (st.isPresent() && st.get().state() == State.SENDING) {
            // a pod stopped while sending it: it may have arrived, so it is not sent again (at most one message)
            finish(tp, offset, d, st.get().attempts(), State.UNCERTAIN, "a pod stopped while sending it (attempt "
                    + st.get().attempts() + "); it may have arrived, so it is not sent again");
            return;
        }
        int attempts = st.map(DeliveryState::attempts).orElse(0);
        Instant at = st.flatMap(DeliveryState::nextAt).orElse(Instant.now());
        schedule(tp, offset, d, attempts + 1, at);
    }

    private void schedule(TopicPartition tp, long offset, Delivery d, int attempt, Instant at) {
        long delay = Math.max(0, Duration.between(Instant.now(), at).toMillis());
        scheduler.schedule(() -> attempt(tp, offset, d, attempt), delay, TimeUnit.MILLISECONDS);
    }

    private void attempt(TopicPartition tp, long offset, Delivery d, int attempt) {
        if (!owned.contains(tp)) {
            return; // the partition moved: its next owner reads the record again
        }
        AtomicInteger busy = sending.computeIfAbsent(tp, k -> new AtomicInteger());
        busy.incrementAndGet();
        Payloads.ProviderSecrets ps = Payloads.ProviderSecrets.NONE;
        try {
            if (!owned.contains(tp)) {
                return;
            }
            TagstreamConfig cfg = config.config();
            Optional<Alert> alert = cfg.find(Alert.class, ResourceId.parse(d.alert()));
            Optional<Provider> provider = cfg.find(Provider.class, ResourceId.parse(d.provider()));
            if (alert.isEmpty() || provider.isEmpty()) {
                finish(tp, offset, d, attempt - 1, State.FAILED, (alert.isEmpty() ? "Alert " + d.alert() : "Provider "
                        + d.provider()) + " is no longer configured (or not ready)");
                return;
            }
            if (alert.get().suspend() || provider.get().suspend()) {
                finish(tp, offset, d, attempt - 1, State.FAILED, (alert.get().suspend() ? "Alert" : "Provider")
                        + " suspended before it was sent", false);
                return;
            }
            Provider p = provider.get();
            ps = secretsOf(p);
            Payloads.HttpCall call = Payloads.request(p, ps, d.event(), d.id(), telegramApi);
            Optional<String> ca = caOf(p);
            Optional<HttpSender.Proxy> proxy = proxyOf(p, ps);
            state.put(d.id(), new DeliveryState(d.alert(), d.provider(), State.SENDING, attempt, Optional.empty(),
                    Optional.empty(), Instant.now()));
            HttpSender.Result r = sender.send(call, p.sendTimeout(), ca, proxy);
            String address = ps.address().or(p::address).orElse("");
            boolean accepted = r.status().isPresent() && Payloads.accepted(p, address, r.status().get(), r.body());
            String problem = r.problem().isEmpty() && r.status().filter(s -> s < 300).isPresent() && !accepted
                    ? "the answer did not say ok: " + r.body() : r.problem();
            Retry.Verdict v = retry.after(attempt, r.status(), accepted, r.retryAfter(), problem, d.created(), Instant.now());
            Payloads.ProviderSecrets secretValues = ps;
            settle(tp, offset, () -> outcome(tp, offset, d, attempt, p, v, secretValues));
        } catch (Payloads.NotSendable e) {
            settle(tp, offset, () -> finish(tp, offset, d, attempt - 1, State.FAILED, e.getMessage()));
        } catch (RuntimeException e) {
            // before the send (SENDING not stored: Kafka away; a secret file unreadable): nothing was sent, try again
            LOG.warnf("notification %s: %s; trying again in 5s", d.id(), redact(String.valueOf(e.getMessage()), ps));
            schedule(tp, offset, d, attempt, Instant.now().plusSeconds(5));
        } finally {
            busy.decrementAndGet();
        }
    }

    /** What an answered attempt leads to: stored, then the next attempt scheduled when there is one. */
    private void outcome(TopicPartition tp, long offset, Delivery d, int attempt, Provider p, Retry.Verdict v,
            Payloads.ProviderSecrets ps) {
        if (v instanceof Retry.Delivered) {
            finish(tp, offset, d, attempt, State.DELIVERED, "");
            metrics.counter("tagstream.notifier.delivered", "type", p.type()).increment();
        } else if (v instanceof Retry.Again again) {
            String why = redact(again.reason(), ps);
            state.put(d.id(), new DeliveryState(d.alert(), d.provider(), State.RETRYING, attempt, Optional.of(why),
                    Optional.of(again.at()), Instant.now()));
            metrics.counter("tagstream.notifier.retries", "type", p.type()).increment();
            LOG.infof("notification %s to %s failed (%s); attempt %d at %s", d.alert(), d.provider(), why, attempt + 1, again.at());
            schedule(tp, offset, d, attempt + 1, again.at());
        } else if (v instanceof Retry.GiveUp no) {
            finish(tp, offset, d, attempt, State.FAILED, redact(no.reason(), ps));
        }
    }

    /**
     * Stores the outcome of a send that happened. Should Kafka refuse, the outcome is stored again every 5 s — the
     * message is never sent again for it; if the partition moves meanwhile, its next owner finds SENDING and gives up
     * the delivery as uncertain rather than risk a second message.
     */
    private void settle(TopicPartition tp, long offset, Runnable store) {
        try {
            store.run();
        } catch (RuntimeException e) {
            if (!owned.contains(tp)) {
                return;
            }
            LOG.warnf("cannot store a notification's outcome (%s); trying again in 5s", e.getMessage());
            scheduler.schedule(() -> settle(tp, offset, store), 5, TimeUnit.SECONDS);
        }
    }

    private void finish(TopicPartition tp, long offset, Delivery d, int attempts, State s, String reason) {
        finish(tp, offset, d, attempts, s, reason, true);
    }

    /** @param audit false for a delivery ended on purpose (a suspended Alert or Provider): counted, not reported */
    private void finish(TopicPartition tp, long offset, Delivery d, int attempts, State s, String reason, boolean audit) {
        state.put(d.id(), new DeliveryState(d.alert(), d.provider(), s, attempts, reason.isEmpty() ? Optional.empty()
                : Optional.of(reason), Optional.empty(), Instant.now()));
        if (s == State.FAILED || s == State.UNCERTAIN) {
            metrics.counter("tagstream.notifier.failed", "state", s.name().toLowerCase(java.util.Locale.ROOT)).increment();
            if (audit) {
                LOG.warnf("notification of %s %s by Alert %s not delivered: %s", d.event().involvedObject().kind(),
                        d.event().involvedObject().id(), d.alert(), reason);
                publisher.audit(Publisher.AUDIT.error(AuditAction.NOTIFICATION_FAILED, d.alert(), "to Provider " + d.provider()
                        + ", about " + d.event().involvedObject().kind() + " " + d.event().involvedObject().id() + ": " + reason,
                        Optional.empty()));
            }
        }
        finished(tp, offset);
    }

    /**
     * The CA a Provider's {@code certSecretRef} names ({@code ca.crt}); a client certificate ({@code tls.crt} and
     * {@code tls.key}, Flux's mTLS) is not supported yet, and a secret with one is refused rather than half used.
     */
    private Optional<String> caOf(Provider p) {
        if (p.certSecretRef().isEmpty()) {
            return Optional.empty();
        }
        ResourceId ref = new ResourceId(p.id().namespace(), p.certSecretRef().get());
        if (secrets.get(ref, "tls.crt").isPresent() || secrets.get(ref, "tls.key").isPresent()) {
            throw new Payloads.NotSendable("certSecretRef " + ref + " holds a client certificate (tls.crt, tls.key):"
                    + " mutual TLS is not supported yet");
        }
        Optional<String> ca = secrets.get(ref, "ca.crt").map(s -> s.reveal());
        if (ca.isEmpty()) {
            throw new Payloads.NotSendable("certSecretRef " + ref + " has no key ca.crt");
        }
        try {
            io.tagstream.common.registry.RegistryAccess.tls(ca.get());
        } catch (IllegalArgumentException e) {
            throw new Payloads.NotSendable("certSecretRef " + ref + ": " + e.getMessage());
        }
        return ca;
    }

    /**
     * The proxy a Provider goes through: its {@code proxySecretRef} ({@code address}, optional {@code username} and
     * {@code password}), else the deprecated {@code spec.proxy}, else the deprecated key {@code proxy} of its secret.
     */
    private Optional<HttpSender.Proxy> proxyOf(Provider p, Payloads.ProviderSecrets ps) {
        Optional<String> address = Optional.empty();
        Optional<String> user = Optional.empty();
        Optional<String> pass = Optional.empty();
        String where;
        if (p.proxySecretRef().isPresent()) {
            ResourceId ref = new ResourceId(p.id().namespace(), p.proxySecretRef().get());
            address = secrets.get(ref, "address").map(s -> s.reveal().trim());
            user = secrets.get(ref, "username").map(s -> s.reveal());
            pass = secrets.get(ref, "password").map(s -> s.reveal());
            where = "proxySecretRef " + ref;
            if (address.isEmpty()) {
                throw new Payloads.NotSendable(where + " has no key address");
            }
        } else if (p.proxy().isPresent()) {
            address = p.proxy();
            where = "spec.proxy";
        } else {
            address = p.secretRef().flatMap(s -> secrets.get(new ResourceId(p.id().namespace(), s), "proxy")).map(s -> s.reveal().trim());
            where = "the key proxy of secretRef";
        }
        if (address.isEmpty()) {
            return Optional.empty();
        }
        java.net.URI u;
        try {
            u = java.net.URI.create(address.get());
        } catch (IllegalArgumentException e) {
            throw new Payloads.NotSendable(where + ": the proxy address is not a URL");
        }
        if (u.getHost() == null || u.getScheme() == null || !u.getScheme().toLowerCase(java.util.Locale.ROOT).startsWith("http")) {
            throw new Payloads.NotSendable(where + ": the proxy address is not an http(s) URL");
        }
        if (u.getUserInfo() != null && user.isEmpty()) {
            String[] up = u.getUserInfo().split(":", 2);
            user = Optional.of(up[0]);
            pass = up.length > 1 ? Optional.of(up[1]) : Optional.empty();
        }
        int port = u.getPort() > 0 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
        return Optional.of(new HttpSender.Proxy(u.getHost(), port, user, pass));
    }

    /** The Provider's secret keys Flux reads: address, token, headers (a YAML map), username, password. */
    private Payloads.ProviderSecrets secretsOf(Provider p) {
        if (p.secretRef().isEmpty()) {
            return Payloads.ProviderSecrets.NONE;
        }
        ResourceId ref = new ResourceId(p.id().namespace(), p.secretRef().get());
        Optional<String> headersYaml = secrets.get(ref, "headers").map(s -> s.reveal());
        Map<String, String> headers = new LinkedHashMap<>();
        if (headersYaml.isPresent()) {
            Object parsed;
            try {
                parsed = new Yaml().load(headersYaml.get());
            } catch (RuntimeException e) {
                throw new Payloads.NotSendable("the key 'headers' of secret " + ref + " is not YAML");
            }
            if (!(parsed instanceof Map<?, ?> m)) {
                throw new Payloads.NotSendable("the key 'headers' of secret " + ref + " is not a map of header: value");
            }
            m.forEach((k, v) -> headers.put(String.valueOf(k), String.valueOf(v)));
        }
        return new Payloads.ProviderSecrets(secrets.get(ref, "address").map(s -> s.reveal().trim()),
                secrets.get(ref, "token").map(s -> s.reveal()), headers, secrets.get(ref, "username").map(s -> s.reveal()),
                secrets.get(ref, "password").map(s -> s.reveal()));
    }

    /** A message with every secret value of the Provider replaced, for logs, audit and status. */
    static String redact(String message, Payloads.ProviderSecrets ps) {
        String m = message;
        for (String s : ps.sensitive()) {
            if (s.length() >= 4) {
                m = m.replace(s, "***");
            }
        }
        return m;
    }
}
