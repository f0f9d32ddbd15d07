package io.tagstream.evaluator.adapters;

import io.tagstream.common.events.AuditAction;
import io.tagstream.common.service.ConfigWatch;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.TagDiscovered;
import io.tagstream.common.events.TagRemoved;
import io.tagstream.evaluator.core.Selections;
import io.tagstream.evaluator.core.Selections.Effect;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Runs {@link Selections} against Kafka: restores it from the state topic at start, feeds it events and configuration
 * changes one at a time, and carries out its effects in a safe order: a selection is published before it is recorded
 * as announced, so a crash between the two repeats an announcement (downstream is idempotent) and never loses one.
 */
@ApplicationScoped
public class EvaluationRunner {

    private static final Logger LOG = Logger.getLogger(EvaluationRunner.class);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "tagstream.evaluator.state-topic")
    String stateTopic;

    @Inject
    Publisher publisher;

    @Inject
    ConfigWatch config;

    /** How long one configured policy's evaluation may run before it stops and reports why (the selection stays). */
    @ConfigProperty(name = "tagstream.evaluator.budget", defaultValue = "10s")
    java.time.Duration budget;

    private final Selections selections = new Selections();
    private final CompletableFuture<Void> restored = new CompletableFuture<>();
    private StateLog state;

    void start(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 1000) StartupEvent e) {
        io.micrometer.core.instrument.Gauge.builder("tagstream.evaluator.policies.not.ready", selections,
                s -> s.status().stream().filter(p -> p.latest().isEmpty() && p.lastError().isPresent()).count()).register(metrics);
        selections.budgets(() -> io.tagstream.evaluator.core.Budget.of(budget, System::nanoTime));
        state = new StateLog(bootstrap, stateTopic);
        state.ensureTopic(3);
        long t0 = System.nanoTime();
        int n = state.load(selections);
        int moved = state.migrate(selections);
        if (moved > 0) {
            LOG.infof("moved %d known tags to the state layout keyed by image", moved);
        }
        LOG.infof("restored %d state records (%d known tags) from %s in %d ms", n, selections.knownTags(), stateTopic,
                (System.nanoTime() - t0) / 1_000_000);
        restored.complete(null);
        reconfigured(config.config());
    }

    void stop(@Observes ShutdownEvent e) {
        if (state != null) {
            state.close();
        }
    }

    void onConfig(@Observes TagstreamConfig c) {
        if (restored.isDone()) {
            reconfigured(c);
        }
    }

    private void reconfigured(TagstreamConfig c) {
        synchronized (selections) {
            apply(timed("config", () -> selections.reconfigured(c, Instant.now())), Optional.empty());
        }
    }

    void discovered(CloudEvent<TagDiscovered> event) {
        awaitRestored();
        synchronized (selections) {
            apply(timed("tag-discovered", () -> selections.discovered(event.data(), config.config(), Instant.now())), Optional.of(event));
        }
    }

    void removed(CloudEvent<TagRemoved> event) {
        awaitRestored();
        synchronized (selections) {
            apply(timed("tag-removed", () -> selections.removed(event.data(), config.config(), Instant.now())), Optional.of(event));
        }
    }

    @Inject
    io.micrometer.core.instrument.MeterRegistry metrics;

    /** One evaluation, counted and timed by what set it off. */
    private List<Effect> timed(String trigger, java.util.function.Supplier<List<Effect>> evaluation) {
        long t0 = System.nanoTime();
        List<Effect> effects = evaluation.get();
        metrics.timer("tagstream.evaluator.evaluation", "trigger", trigger).record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        for (Effect e : effects) {
            if (e instanceof Selections.Matched) {
                metrics.counter("tagstream.evaluator.selections.changed", "change", "selected").increment();
            } else if (e instanceof Selections.Unselected) {
                metrics.counter("tagstream.evaluator.selections.changed", "change", "unselected").increment();
            } else if (e instanceof Selections.PolicyFailed) {
                metrics.counter("tagstream.evaluator.policy.failures").increment();
            }
        }
        return effects;
    }

    private void awaitRestored() {
        try {
            restored.get(5, TimeUnit.MINUTES);
        } catch (Exception e) {
            throw new IllegalStateException("state not restored from " + stateTopic, e);
        }
    }

    /**
     * Carries the effects out, with the broker writes in flight together and awaited once: a selection is stored as
     * announced only after its policy-matched is in Kafka, so a crash in between repeats an event, never loses one.
     */
    private void apply(List<Effect> effects, Optional<CloudEvent<?>> cause) {
        List<java.util.concurrent.CompletableFuture<Void>> writes = new java.util.ArrayList<>();
        for (Effect effect : effects) {
            if (effect instanceof Selections.TagStored t) {
                writes.add(state.tag(t.imageRepository(), t.tag(), t.repository(), t.facts()));
            } else if (effect instanceof Selections.TagDropped t) {
                writes.add(state.tagRemoved(t.imageRepository(), t.repository(), t.tag()));
            } else if (effect instanceof Selections.ScanOpened o) {
                writes.add(state.scanOpened(o.imageRepository(), o.repository(), o.scan()));
            } else if (effect instanceof Selections.ScanClosed c) {
                writes.add(state.scanClosed(c.imageRepository(), c.repository()));
            } else if (effect instanceof Selections.Matched m) {
                var event = cause.<CloudEvent<io.tagstream.common.events.PolicyMatched>>map(
                        c -> CloudEvent.causedBy(c, Publisher.SERVICE, m.event()))
                        .orElseGet(() -> CloudEvent.start(Publisher.SERVICE, m.event()));
                writes.add(publisher.matched(event).thenCompose(v -> state.selection(m.event().policy(), m.event().image(),
                        m.event().tag(), m.event().digest())));
                publisher.audit(Publisher.AUDIT.ok(AuditAction.POLICY_MATCHED, m.event().policy(), "selected " + m.event().subject()
                        + m.event().previous().map(p -> " (was " + p.tag() + ")").orElse(""), Optional.of(event)));
            } else if (effect instanceof Selections.Unselected u) {
                writes.add(state.selectionCleared(u.policy()));
                publisher.audit(Publisher.AUDIT.rejected(AuditAction.POLICY_UNSELECTED, u.policy(), "no longer selects "
                        + u.was().tag() + ": " + u.reason(), cause));
            } else if (effect instanceof Selections.PolicyForgotten f) {
                writes.add(state.selectionCleared(f.policy()));
                publisher.audit(Publisher.AUDIT.ok(AuditAction.POLICY_REMOVED, f.policy(), "ImagePolicy " + f.policy()
                        + " is no longer configured: its selection " + f.was().tag() + " is forgotten", cause));
            } else if (effect instanceof Selections.PolicyFailed f) {
                publisher.audit(Publisher.AUDIT.rejected(AuditAction.POLICY_FAILED, f.policy(), f.reason(), cause));
            }
        }
        try {
            java.util.concurrent.CompletableFuture.allOf(writes.toArray(java.util.concurrent.CompletableFuture[]::new))
                    .get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("could not store the evaluation in Kafka: " + e.getMessage(), e);
        }
    }

    public Selections selections() {
        return selections;
    }
}
