package io.tagstream.promoter.adapters;

import io.tagstream.common.events.AuditAction;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.Audit;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.service.ConfigWatch;
import io.tagstream.promoter.core.Gate;
import io.tagstream.promoter.core.Gates;
import io.tagstream.promoter.core.Promotion;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * The one pod that changes promotions: the one Kafka assigned the single partition of the requests topic
 * ({@link Leadership}). It opens promotions for gated selections, applies decisions once and stores their replies,
 * expires deadlines and follows configuration edits; {@link Gates} decides, this carries the effects out. A leader
 * that dies is replaced when its Kafka session ends; the new one reads the state topic to its end before deciding,
 * and finishes the copies its predecessor had not.
 */
@ApplicationScoped
public class Leader {

    private static final Logger LOG = Logger.getLogger(Leader.class);

    @Inject
    PromotionStore store;

    @Inject
    ImageCopies copies;

    @Inject
    Publisher publisher;

    @Inject
    ConfigWatch config;

    @Inject
    MeterRegistry metrics;

    private final AtomicBoolean leading = new AtomicBoolean();

    void start(@Observes StartupEvent e) {
        Gauge.builder("tagstream.promoter.leader", leading, l -> l.get() ? 1 : 0)
                .description("1 on the pod that decides and carries out promotions").register(metrics);
    }

    /** Kafka gave this pod the requests partition: once it has read everything its predecessor wrote, it leads. */
    void lead() {
        if (!store.caughtUp(Duration.ofSeconds(30))) {
            LOG.warnf("leading before the state topic was read to its end (30 s)");
        }
        leading.set(true);
        reconfigured(config.config()); // edits made while no pod led
        List<Promotion> unfinished = store.gates().approvedNotCarriedOut();
        LOG.infof("this pod leads: it decides and carries out promotions (%d approved ones to finish)", unfinished.size());
        unfinished.forEach(copies::carry);
    }

    void follow() {
        if (leading.getAndSet(false)) {
            LOG.info("this pod no longer leads; it keeps answering reads and forwarding requests");
        }
    }

    public boolean leads() {
        return leading.get();
    }

    /** Promotions follow an edited configuration (see {@link Gates#reconfigured}). */
    void reconfigured(@Observes TagstreamConfig cfg) {
        if (!store.restored() || !leading.get()) {
            return;
        }
        apply(decide(g -> g.reconfigured(cfg, Instant.now())), Optional.empty());
    }

    /** Opens the promotions for a gated selection (a redelivered one finds them open and opens nothing). */
    void open(Request.Open r) {
        if (!leading.get()) {
            return; // the partition moved on: the pod it went to reads this record again
        }
        Gate.Decision decision = Gate.decide(r.match(), config.config(), Instant.now());
        var event = r.event();
        apply(decide(g -> g.matched(r.match(), decision.promotions(), event.correlationId(), Instant.now())), Optional.of(event));
    }

    /** Applies a decision once, stores its reply for the pod that took it, audits a refusal. */
    void decide(Request.Decision r) {
        if (!leading.get() || store.answered(r.id())) {
            return;
        }
        Instant now = Instant.now();
        TagstreamConfig cfg = config.config();
        Reply reply;
        try {
            List<Gates.Effect> effects;
            synchronized (store.gates()) {
                if (r instanceof Request.Approve a) {
                    effects = store.gates().approve(a.promotion(), a.caller(), a.comment(), cfg, now);
                } else if (r instanceof Request.Reject j) {
                    effects = store.gates().reject(j.promotion(), j.caller(), j.comment(), cfg, now);
                } else {
                    Request.Signal s = (Request.Signal) r;
                    effects = store.gates().signal(s.signal(), s.digest(), s.caller(), cfg, now);
                }
            }
            apply(effects, Optional.empty());
            reply = new Reply(r.id(), 200, Optional.empty(), Gates.promotions(effects), now);
        } catch (Gates.Refused e) {
            reply = new Reply(r.id(), status(e.reason().kind()), Optional.of(e.getMessage()), List.of(), now);
            publisher.audit(Publisher.AUDIT.rejected(AuditAction.PROMOTION_REQUEST_REFUSED, r.subject(),
                    r.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " by " + r.caller().id() + ": " + e.getMessage(),
                    Optional.empty()));
        }
        store.answer(reply);
    }

    private static int status(Gates.Kind kind) {
        return switch (kind) {
            case UNKNOWN -> 404;
            case CONFLICT -> 409;
            case INVALID -> 400;
            case FORBIDDEN -> 403;
        };
    }

    /**
     * A request that cannot be applied for a reason retrying will not fix (a record Kafka refuses, a request a newer
     * or broken pod wrote): a decision is answered 422 with the reason, a selection is skipped; both are audited.
     * Nothing later waits behind it.
     */
    void refuse(Request r, String why) {
        if (r instanceof Request.Decision d) {
            if (!store.answered(d.id())) {
                store.answer(new Reply(d.id(), 422, Optional.of("the promoter cannot apply this request: " + why), List.of(),
                        Instant.now()));
            }
            publisher.audit(Publisher.AUDIT.rejected(AuditAction.PROMOTION_REQUEST_REFUSED, d.subject(),
                    d.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " by " + d.by() + " cannot be applied: " + why,
                    Optional.empty()));
        } else if (r instanceof Request.Open o) {
            publisher.audit(Publisher.AUDIT.error(AuditAction.PROMOTION_REQUEST_REFUSED, o.match().policy(),
                    "the selection of " + o.match().tag() + " cannot open its promotions: " + why, Optional.of(o.event())));
        }
    }

    @Scheduled(every = "${tagstream.promoter.expiry-check:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void expire() {
        if (!store.restored() || !leading.get()) {
            return;
        }
        apply(decide(g -> g.expire(Instant.now())), Optional.empty());
        store.dropRepliesBefore(Instant.now().minus(store.requestRetention()));
    }

    private interface Step {
        List<Gates.Effect> on(Gates gates);
    }

    private List<Gates.Effect> decide(Step step) {
        Gates gates = store.gates();
        synchronized (gates) {
            return step.on(gates);
        }
    }

    /** Stores and audits each changed promotion, and carries out the approved ones. */
    private void apply(List<Gates.Effect> effects, Optional<CloudEvent<?>> cause) {
        for (Gates.Effect effect : effects) {
            if (effect instanceof Gates.Changed c) {
                recorded(c, cause);
            } else if (effect instanceof Gates.CarryOut o) {
                copies.carry(o.promotion());
            }
        }
    }

    private void recorded(Gates.Changed c, Optional<CloudEvent<?>> cause) {
        Promotion p = c.promotion();
        store.put(p);
        String state = p.state().name().toLowerCase(Locale.ROOT);
        metrics.counter("tagstream.promoter.decisions", "promotion", p.promotion(), "state", state).increment();
        String last = p.last().note();
        CloudEvent<AuditRecord> audit = switch (p.state()) {
            case APPROVED -> Publisher.AUDIT.ok(AuditAction.PROMOTION_APPROVED, p.promotion(), p.source() + " " + last, cause);
            case PENDING -> Publisher.AUDIT.ok(AuditAction.PROMOTION_PENDING, p.promotion(), p.source() + ": " + last
                    + (c.waitingFor().isEmpty() ? "" : "; waiting for " + String.join(" and ", c.waitingFor())), cause);
            case REJECTED -> Publisher.AUDIT.rejected(AuditAction.PROMOTION_REJECTED, p.promotion(), ended(p), cause);
            case SUPERSEDED -> Publisher.AUDIT.rejected(AuditAction.PROMOTION_SUPERSEDED, p.promotion(), ended(p), cause);
            case EXPIRED -> Publisher.AUDIT.rejected(AuditAction.PROMOTION_EXPIRED, p.promotion(), ended(p), cause);
            case FAILED -> Publisher.AUDIT.error(AuditAction.PROMOTION_FAILED, p.promotion(), ended(p), cause);
        };
        publisher.audit(Audit.inChain(audit, p.correlationId()));
    }

    private static String ended(Promotion p) {
        return p.source() + ": " + p.reason().orElse("");
    }
}
