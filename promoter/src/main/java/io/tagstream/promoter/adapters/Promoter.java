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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Runs the approval gates against Kafka: promotions live in a compacted topic (a restarted pod finds them pending and
 * approvable), every decision is audited with who and why, and an approved promotion is announced only when its image
 * is at the target, the copy verified to have the source's digest.
 */
@ApplicationScoped
public class Promoter {

    private static final Logger LOG = Logger.getLogger(Promoter.class);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "tagstream.promoter.state-topic")
    String stateTopic;

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
    private CompactedTopic store;
    private RegistryAccess access;

    void start(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 1000) StartupEvent e) {
        access = new RegistryAccess(secrets);
        store = new CompactedTopic(bootstrap, stateTopic).ensureExists(3);
        int n = store.load((k, v) -> {
            if (v != null) {
                gates.restore(Json.read(v.getBytes(StandardCharsets.UTF_8), Promotion.class));
            }
        });
        LOG.infof("restored %d promotion records from %s", n, stateTopic);
        io.micrometer.core.instrument.Gauge.builder("tagstream.promoter.pending", gates,
                g -> g.list(Optional.of(Promotion.State.PENDING)).size()).register(metrics);
        restored.complete(null);
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
        if (decision.promotions().isEmpty()) {
            return;
        }
        List<Promotion> changed;
        synchronized (gates) {
            changed = gates.matched(event.data(), decision.promotions(), event.correlationId(), Instant.now());
        }
        for (Promotion p : changed) {
            record(p, Optional.of(event));
        }
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
            copies.submit(() -> carryOut(p));
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
        if (!restored.isDone()) {
            return;
        }
        List<Promotion> expired;
        synchronized (gates) {
            expired = gates.expire(Instant.now());
        }
        expired.forEach(p -> record(p, Optional.empty()));
    }

    public Promotion approve(String id, String by, String comment) throws Gates.Refused {
        Promotion p;
        synchronized (gates) {
            p = gates.approve(id, by, comment, config.config(), Instant.now());
        }
        record(p, Optional.empty());
        return p;
    }

    public Promotion reject(String id, String by, String comment) throws Gates.Refused {
        Promotion p;
        synchronized (gates) {
            p = gates.reject(id, by, comment, Instant.now());
        }
        record(p, Optional.empty());
        return p;
    }

    public List<Promotion> signal(String signal, String digest, String by) throws Gates.Refused {
        List<Promotion> changed;
        synchronized (gates) {
            changed = gates.signal(signal, digest, by, config.config(), Instant.now());
        }
        changed.forEach(p -> record(p, Optional.empty()));
        return changed;
    }
}
