package io.tagstream.promoter.adapters;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.tagstream.common.config.ImagePolicy;
import io.tagstream.common.config.ImagePromotion;
import io.tagstream.common.config.ImageRepository;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.Secrets;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.ImageRef;
import io.tagstream.common.events.Json;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.common.registry.ImageCopier;
import io.tagstream.common.registry.RegistryAccess;
import io.tagstream.common.registry.RegistryClient;
import io.tagstream.common.registry.RepositoryName;
import io.tagstream.common.service.ConfigWatch;
import io.tagstream.common.state.CompactedTopic;
import io.tagstream.common.state.Topics;
import io.tagstream.promoter.core.Gate;
import io.tagstream.promoter.core.Gates;
import io.tagstream.promoter.core.Promotion;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.config.TopicConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Runs the approval gates against Kafka: promotions live in a compacted topic (a restarted pod finds them pending and
 * approvable), every decision is audited with who and why, and an approved promotion is announced only when its image
 * is at the target, the copy verified to have the source's digest.
 *
 * <p>Any number of pods may run. Each follows the state topic, so each lists and shows every promotion and takes
 * decisions over REST; but only one pod, the leader, changes promotions: the one Kafka assigned the single partition
 * of the requests topic. Decisions and matches that open promotions travel through that topic to it, and it answers
 * each decision with a reply in the state topic, which the asking pod reads back. A leader that dies is replaced when
 * its Kafka session ends; the new one reads the state topic to its end before deciding, and finishes the copies its
 * predecessor had not.
 */
@ApplicationScoped
public class Promoter {

    private static final Logger LOG = Logger.getLogger(Promoter.class);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "tagstream.promoter.state-topic")
    String stateTopic;

    @ConfigProperty(name = "tagstream.promoter.request-topic")
    String requestTopic;

    /** How long the requests topic, and so the leader's memory of answered requests, keeps a request. */
    @ConfigProperty(name = "tagstream.promoter.request-retention", defaultValue = "24h")
    java.time.Duration requestRetention;

    @ConfigProperty(name = "tagstream.promoter.answer-timeout", defaultValue = "15s")
    java.time.Duration answerTimeout;

    @Inject
    Publisher publisher;

    @Inject
    ConfigWatch config;

    @Inject
    Secrets secrets;

    @Inject
    io.micrometer.core.instrument.MeterRegistry metrics;

    private final Gates gates = new Gates();
    private final CompletableFuture<Void> restored = new CompletableFuture<>();
    private final ExecutorService copies = Executors.newFixedThreadPool(4);
    private final AtomicBoolean leading = new AtomicBoolean();
    /** Requests answered (id → when), as the replies in the state topic say; a redelivered one is not applied again. */
    private final Map<String, Instant> answered = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Reply>> asked = new ConcurrentHashMap<>();
    private final Set<String> carrying = ConcurrentHashMap.newKeySet();
    private CompactedTopic store;
    private RegistryAccess access;

    /** Before the connectors start: one partition, so that Kafka gives the requests, and so the lead, to one pod. */
    void createTopics(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.PLATFORM_BEFORE + 100) StartupEvent e) {
        Topics.ensure(bootstrap, requestTopic, 1, Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(requestRetention.toMillis())));
    }

    void start(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 1000) StartupEvent e) {
        access = new RegistryAccess(secrets);
        store = new CompactedTopic(bootstrap, stateTopic).ensureExists(3);
        int n = store.loadAndFollow(this::stored);
        LOG.infof("restored %d promotion records from %s", n, stateTopic);
        io.micrometer.core.instrument.Gauge.builder("tagstream.promoter.pending", gates,
                g -> g.list(Optional.of(Promotion.State.PENDING)).size()).register(metrics);
        io.micrometer.core.instrument.Gauge.builder("tagstream.promoter.leader", leading, l -> l.get() ? 1 : 0)
                .description("1 on the pod that decides and carries out promotions").register(metrics);
        restored.complete(null);
    }

    /** A record of the state topic, from this pod or the one leading: a promotion's newest version, or a reply. */
    private void stored(String key, String value) {
        if (key.startsWith(Reply.KEY_PREFIX)) {
            if (value == null) {
                answered.remove(key.substring(Reply.KEY_PREFIX.length()));
                return;
            }
            Reply reply = Json.read(value.getBytes(StandardCharsets.UTF_8), Reply.class);
            reply.promotions().forEach(gates::restore);
            answered.put(reply.request(), reply.at());
            Optional.ofNullable(asked.remove(reply.request())).ifPresent(f -> f.complete(reply));
        } else if (value != null) {
            gates.restore(Json.read(value.getBytes(StandardCharsets.UTF_8), Promotion.class));
        }
    }

    /** Kafka gave this pod the requests partition: once it has read everything its predecessor wrote, it leads. */
    void lead() {
        restored.join();
        if (!store.awaitFollowed(java.time.Duration.ofSeconds(30))) {
            LOG.warnf("leading before %s was read to its end (30 s)", stateTopic);
        }
        leading.set(true);
        reconfigured(config.config()); // edits made while no pod led
        List<Promotion> unfinished = gates.approvedNotCarriedOut();
        LOG.infof("this pod leads: it decides and carries out promotions (%d approved ones to finish)", unfinished.size());
        unfinished.forEach(this::carry);
    }

    /** On the leader: promotions follow an edited configuration (see {@link Gates#reconfigured}). */
    void reconfigured(@Observes TagstreamConfig cfg) {
        if (!restored.isDone() || !leading.get()) {
            return;
        }
        List<Promotion> changed;
        synchronized (gates) {
            changed = gates.reconfigured(cfg, Instant.now());
        }
        changed.forEach(p -> record(p, Optional.empty()));
    }

    void follow() {
        if (leading.getAndSet(false)) {
            LOG.info("this pod no longer leads; it keeps answering reads and forwarding requests");
        }
    }

    public boolean leads() {
        return leading.get();
    }

    void stop(@Observes ShutdownEvent e) {
        copies.shutdownNow();
        if (store != null) {
            store.close();
        }
    }

    public Gates gates() {
        return gates;
    }

    void matched(CloudEvent<PolicyMatched> event) {
        restored.join();
        TagstreamConfig cfg = config.config();
        Gate.Decision decision = Gate.decide(event.data(), cfg, Instant.now());
        var approved = CloudEvent.causedBy(event, Publisher.SERVICE, decision.own());
        metrics.counter("tagstream.promoter.decisions", "promotion", decision.own().promotion(), "state", "approved").increment();
        publisher.approved(approved);
        publisher.audit(Publisher.AUDIT.ok("promotion.approved", decision.own().promotion(), decision.own().target()
                + " approved by auto for markers naming policy " + event.data().policy()
                + (decision.promotions().isEmpty() ? "" : "; " + decision.promotions().size() + " promotion(s) gate the rest"),
                Optional.of(approved)));
        if (!decision.promotions().isEmpty()) {
            publisher.toLeader(event);
        }
    }

    /** On the leader: opens the promotions for a match (a redelivered match finds them open and opens nothing). */
    void open(CloudEvent<PolicyMatched> event) {
        if (!leading.get()) {
            return; // the partition moved on: the pod it went to reads this record again
        }
        Gate.Decision decision = Gate.decide(event.data(), config.config(), Instant.now());
        List<Promotion> changed;
        synchronized (gates) {
            changed = gates.matched(event.data(), decision.promotions(), event.correlationId(), Instant.now());
        }
        for (Promotion p : changed) {
            record(p, Optional.of(event));
        }
    }

    /** On the leader: applies a decision once, stores its reply for the pod that took it, audits a refusal. */
    void decide(Request r) {
        if (!leading.get() || answered.containsKey(r.id())) {
            return;
        }
        Instant now = Instant.now();
        Reply reply;
        try {
            List<Promotion> changed;
            synchronized (gates) {
                if (r instanceof Request.Approve a) {
                    changed = List.of(gates.approve(a.promotion(), a.by(), a.comment(), config.config(), now));
                } else if (r instanceof Request.Reject j) {
                    changed = List.of(gates.reject(j.promotion(), j.by(), j.comment(), now));
                } else {
                    Request.Signal s = (Request.Signal) r;
                    changed = gates.signal(s.signal(), s.digest(), s.by(), config.config(), now);
                }
            }
            changed.forEach(p -> record(p, Optional.empty()));
            reply = new Reply(r.id(), 200, Optional.empty(), changed, now);
        } catch (Gates.Refused e) {
            reply = new Reply(r.id(), e.status(), Optional.of(e.getMessage()), List.of(), now);
            publisher.audit(Publisher.AUDIT.rejected("promotion.request-refused", r.subject(),
                    r.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + " by " + r.by() + ": " + e.getMessage(),
                    Optional.empty()));
        }
        store.put(reply.key(), Json.writeString(reply));
        answered.put(r.id(), now);
    }

    /**
     * Sends a decision to the leader and waits for its reply; empty if none came within the answer timeout (no pod
     * leads at the moment): the request stays queued and is applied once one does.
     */
    public Optional<Reply> ask(Request r) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        asked.put(r.id(), reply);
        try {
            publisher.request(r);
            return Optional.of(reply.get(answerTimeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            asked.remove(r.id());
        }
    }

    public java.time.Duration answerTimeout() {
        return answerTimeout;
    }

    /** Stores, audits and, for an approval, carries a promotion out. */
    void record(Promotion p, Optional<CloudEvent<?>> cause) {
        store.put(p.id(), Json.writeString(p));
        metrics.counter("tagstream.promoter.decisions", "promotion", p.promotion(),
                "state", p.state().name().toLowerCase(java.util.Locale.ROOT)).increment();
        String last = p.history().get(p.history().size() - 1);
        var audit = switch (p.state()) {
            case APPROVED -> Publisher.AUDIT.ok("promotion.approved", p.promotion(), p.source() + " " + last.substring(last.indexOf(' ') + 1), cause);
            case PENDING -> Publisher.AUDIT.ok("promotion.pending", p.promotion(), p.source() + ": " + last.substring(last.indexOf(' ') + 1)
                    + waitingFor(p), cause);
            case REJECTED, SUPERSEDED, EXPIRED -> Publisher.AUDIT.rejected("promotion." + p.state().name().toLowerCase(java.util.Locale.ROOT),
                    p.promotion(), p.source() + ": " + p.reason().orElse(""), cause);
            case FAILED -> Publisher.AUDIT.error("promotion.failed", p.promotion(), p.source() + ": " + p.reason().orElse(""), cause);
        };
        publisher.audit(io.tagstream.common.events.Audit.inChain(audit, p.correlationId()));
        if (p.state() == Promotion.State.APPROVED && p.target().isEmpty()) {
            carry(p);
        }
    }

    private void carry(Promotion p) {
        if (carrying.add(p.id())) {
            copies.submit(() -> {
                try {
                    carryOut(p);
                } finally {
                    carrying.remove(p.id());
                }
            });
        }
    }

    private String waitingFor(Promotion p) {
        return config.config().find(ImagePromotion.class, ResourceId.parse(p.promotion())).map(g -> {
            List<String> w = new ArrayList<>();
            if (g.approval().mode() == ImagePromotion.Mode.MANUAL && p.approvals().isEmpty()) {
                w.add("a person's approval");
            }
            g.approval().signals().stream().filter(s -> !p.signals().contains(s)).forEach(s -> w.add("signal " + s));
            return w.isEmpty() ? "" : "; waiting for " + String.join(" and ", w);
        }).orElse("");
    }

    /** Copies when the promotion has a target (unless the target already holds the digest), then announces it. */
    private void carryOut(Promotion p) {
        TagstreamConfig cfg = config.config();
        Promotion done;
        try {
            ImagePromotion gate = cfg.find(ImagePromotion.class, ResourceId.parse(p.promotion()))
                    .orElseThrow(() -> new IllegalStateException("ImagePromotion " + p.promotion() + " is no longer configured"));
            String target = p.source();
            boolean copied = false;
            if (gate.target().isPresent()) {
                List<String> tags = Gates.targetTags(gate, p);
                RepositoryName to = RepositoryName.parse(gate.target().get().image());
                RegistryClient dst = access.client(to, cfg);
                boolean there = dst.resolve(to.path(), tags.get(0)).map(r -> r.digest().equals(p.digest())).orElse(false);
                if (!there) {
                    RepositoryName from = RepositoryName.parse(p.image());
                    RegistryClient src = sourceClient(p, from, cfg);
                    ImageCopier.copy(src, from.path(), p.digest(), dst, to.path(), tags, copies);
                    if (gate.copySignatures()) {
                        copySignatures(src, from, dst, to, p.digest());
                    }
                }
                target = ImageRef.of(to.canonical(), tags.get(0), p.digest()).toString();
                copied = true;
            }
            synchronized (gates) {
                done = gates.carried(p.id(), Optional.of(target), Optional.empty(), Instant.now());
            }
            store.put(done.id(), Json.writeString(done));
            PromotionApproved approved = new PromotionApproved(p.promotion(), p.policy(), p.source(), target,
                    p.decidedBy().orElse("auto"), p.decidedAt().orElse(Instant.now()), copied);
            var event = CloudEvent.inChain(p.correlationId(), Publisher.SERVICE, approved);
            publisher.approved(event);
            publisher.audit(Publisher.AUDIT.ok("promotion.available", p.promotion(), (copied ? "copied to " : "") + target
                    + " with digest " + p.digest(), Optional.of(event)));
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            synchronized (gates) {
                done = gates.carried(p.id(), Optional.empty(), Optional.of(why), Instant.now());
            }
            store.put(done.id(), Json.writeString(done));
            var audit = Publisher.AUDIT.error("promotion.failed", p.promotion(), p.source() + ": " + why, Optional.empty());
            publisher.audit(io.tagstream.common.events.Audit.inChain(audit, p.correlationId()));
        }
    }

    private RegistryClient sourceClient(Promotion p, RepositoryName from, TagstreamConfig cfg) {
        Optional<ImageRepository> repo = cfg.find(ImagePolicy.class, ResourceId.parse(p.policy()))
                .flatMap(pol -> cfg.find(ImageRepository.class, pol.imageRepositoryRef()));
        return repo.map(r -> access.client(r, from, cfg)).orElseGet(() -> access.client(from, cfg));
    }

    /** cosign's tag convention: {@code sha256-<hex>.sig|.att|.sbom} next to the image. */
    private void copySignatures(RegistryClient src, RepositoryName from, RegistryClient dst, RepositoryName to, String digest) {
        String base = digest.replace(':', '-');
        for (String suffix : List.of(".sig", ".att", ".sbom")) {
            String tag = base + suffix;
            if (src.resolve(from.path(), tag).isPresent()) {
                ImageCopier.copy(src, from.path(), tag, dst, to.path(), List.of(tag), copies);
            }
        }
    }

    @Scheduled(every = "${tagstream.promoter.expiry-check:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void expire() {
        if (!restored.isDone() || !leading.get()) {
            return;
        }
        List<Promotion> expired;
        synchronized (gates) {
            expired = gates.expire(Instant.now());
        }
        expired.forEach(p -> record(p, Optional.empty()));
        // a reply is kept as long as its request can be redelivered
        Instant cutoff = Instant.now().minus(requestRetention);
        answered.forEach((id, at) -> {
            if (at.isBefore(cutoff)) {
                store.put(Reply.KEY_PREFIX + id, null);
                answered.remove(id);
            }
        });
    }
}
