package io.tagstream.gitwriter.adapters;

import io.tagstream.common.events.AuditAction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.common.events.Json;
import io.tagstream.common.service.ConfigWatch;
import io.tagstream.common.state.CompactedTopic;
import io.tagstream.common.state.Topics;
import io.tagstream.gitwriter.core.Ledger;
import io.tagstream.gitwriter.core.Routing;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The {@link Ledger} (what was written into which marker, and pushes about to happen) and the compacted topic it lives
 * in. The topic is followed, not only loaded: when Kafka hands a branch over from another pod, its entries are here.
 */
@ApplicationScoped
public class LedgerStore {

    private static final Logger LOG = Logger.getLogger(LedgerStore.class);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "tagstream.git-writer.state-topic")
    String stateTopic;

    @ConfigProperty(name = "tagstream.git-writer.branch-topic")
    String branchTopic;

    @Inject
    ConfigWatch config;

    @Inject
    Publisher publisher;

    private final Ledger ledger = new Ledger();
    private volatile int branchPartitions = 6;
    private final CompletableFuture<Void> restored = new CompletableFuture<>();
    private CompactedTopic store;

    /*
     * Before the messaging connectors start (they do at priority LIBRARY_BEFORE): a consumer or producer touching the
     * branch topic first would have the broker create it with its default partition count.
     */
    void createTopics(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE + 100) StartupEvent e) {
        Topics.ensure(bootstrap, branchTopic, 6, Map.of()); // six partitions, so up to six git-writer pods share the branches
        branchPartitions = Topics.partitions(bootstrap, branchTopic);
        store = new CompactedTopic(bootstrap, stateTopic).ensureExists(3);
    }

    void start(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) StartupEvent e) {
        int n = store.loadAndFollow(ledger::restore);
        LOG.infof("restored %d written markers from %s", n, stateTopic);
        restored.complete(null);
        reconfigured(config.config());
    }

    void stop(@Observes ShutdownEvent e) {
        if (store != null) {
            store.close();
        }
    }

    /** The ledger, once restored from its topic. */
    Ledger ledger() {
        restored.join();
        return ledger;
    }

    /**
     * A new configuration: entries of an automation whose repository, branch or path changed, or that was removed, are
     * dropped (the new target starts with no memory); the refs a moved automation last wrote are sent again for its
     * new target, so it gets them at this reload, not at the next approval; entries from before scopes move to their
     * automation's scope.
     */
    void reconfigured(@Observes TagstreamConfig cfg) {
        if (!restored.isDone()) {
            return;
        }
        Instant loaded = config.status().loadedAt().orElse(Instant.now());
        Map<String, String> scopes = Routing.scopes(cfg);
        Map<String, Optional<String>> plan = ledger.reconcile(scopes, loaded);
        if (plan.isEmpty()) {
            return;
        }
        List<Ledger.Carry> carried = ledger.toCarry(plan, scopes);
        Map<String, String> records = new LinkedHashMap<>();
        ledger.apply(plan).forEach((k, v) -> records.put(k, v == null ? null : Json.writeString(v)));
        store.putAll(records);
        int resent = carry(carried, cfg);
        long moved = plan.values().stream().filter(Optional::isPresent).count();
        long dropped = plan.size() - moved;
        LOG.infof("ledger follows the configuration: %d entries dropped, %d moved to their automation's scope, %d refs sent"
                + " to moved automations' new targets", dropped, moved, resent);
        publisher.audit(Publisher.AUDIT.ok(AuditAction.LEDGER_RECONCILED, "git-writer", dropped + " entries of automations,"
                + " repositories, branches or paths no longer configured dropped; " + moved + " moved to their automation's"
                + " scope; " + resent + " refs sent to the new target of an automation that moved", Optional.empty()));
    }

    /** Each carried ref as an approval for its automation's new branch, through the branch topic like any other. */
    private int carry(List<Ledger.Carry> carried, TagstreamConfig cfg) {
        int sent = 0;
        Map<String, Routing.Target> automations = Routing.automations(cfg);
        for (Ledger.Carry c : carried) {
            Routing.Target target = automations.get(c.automation());
            Optional<PromotionApproved> approval = Routing.carried(c, cfg, Instant.now());
            if (target == null || approval.isEmpty()) {
                continue;
            }
            publisher.forBranch(target.branchKey(), CloudEvent.start(Publisher.SERVICE, approval.get()), Optional.empty()).join();
            sent++;
        }
        return sent;
    }

    /** Records a push about to happen; nothing may be pushed unless this returned. */
    void intend(String branch, Ledger.Intent intent) {
        store.put(Ledger.intentKey(branch), Json.writeString(intent));
        ledger.intend(branch, intent);
    }

    /** Stores entries as written and, if {@code clearIntent}, forgets the branch's push intent. */
    void written(String branch, Map<String, Ledger.Entry> entries, boolean clearIntent) {
        Map<String, String> records = new LinkedHashMap<>();
        entries.forEach((k, v) -> records.put(k, Json.writeString(v)));
        if (clearIntent) {
            records.put(Ledger.intentKey(branch), null);
        }
        store.putAll(records);
        entries.forEach(ledger::restore);
        if (clearIntent) {
            ledger.settle(branch);
        }
    }

    /** How many partitions the branch topic has: which pod owns a branch follows from it. */
    int branchPartitions() {
        return branchPartitions;
    }

    /**
     * Records refs that could not be written because their files have problems; returns the markers whose problem is
     * new (not the one already recorded for that ref), which are the ones to audit.
     */
    java.util.Set<String> block(String scope, Map<String, io.tagstream.gitwriter.core.ImageValues> values, String problem) {
        java.util.Set<String> fresh = new java.util.TreeSet<>();
        Map<String, String> records = new LinkedHashMap<>();
        values.forEach((setter, v) -> {
            String ref = Ledger.ref(v);
            Optional<Ledger.Blocked> was = ledger.blocked(scope, setter);
            if (was.isPresent() && was.get().ref().equals(ref) && was.get().problem().equals(problem)) {
                return; // tried again, same ref, same problem
            }
            Ledger.Blocked b = new Ledger.Blocked(ref, problem, Instant.now());
            records.put(Ledger.blockedKey(scope, setter), Json.writeString(b));
            ledger.block(scope, setter, b);
            fresh.add(setter);
        });
        if (!records.isEmpty()) {
            store.putAll(records);
        }
        return fresh;
    }

    /** Forgets the blocked refs of markers now written (or moved on). */
    void unblock(String scope, java.util.Collection<String> setters) {
        Map<String, String> records = new LinkedHashMap<>();
        for (String setter : setters) {
            if (ledger.blocked(scope, setter).isPresent()) {
                records.put(Ledger.blockedKey(scope, setter), null);
                ledger.unblock(Ledger.blockedKey(scope, setter));
            }
        }
        if (!records.isEmpty()) {
            store.putAll(records);
        }
    }

    /** Forgets a blocked ref by key (its automation is no longer configured there). */
    void unblock(String key) {
        store.put(key, null);
        ledger.unblock(key);
    }

    /** Stores what an automation in pull-request mode proposes now. */
    void propose(String scope, io.tagstream.gitwriter.core.Proposal p) {
        store.put(Ledger.proposalKey(scope), Json.writeString(p));
        ledger.propose(scope, p);
    }

    /** Forgets a push intent that never reached git. */
    void forget(String branch) {
        store.put(Ledger.intentKey(branch), null);
        ledger.settle(branch);
    }
}
