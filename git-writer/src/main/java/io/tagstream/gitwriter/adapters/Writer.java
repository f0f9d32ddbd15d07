package io.tagstream.gitwriter.adapters;

import io.tagstream.common.service.ConfigWatch;
import io.quarkus.qute.Engine;
import io.quarkus.qute.TemplateException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tagstream.common.events.Json;
import io.tagstream.common.state.CompactedTopic;
import io.tagstream.gitwriter.core.Ledger;
import jakarta.annotation.Priority;
import io.tagstream.common.config.GitRepository;
import io.tagstream.common.config.ImagePolicy;
import io.tagstream.common.config.ImagePromotion;
import io.tagstream.common.config.ImageUpdateAutomation;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.Secret;
import io.tagstream.common.config.Secrets;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.CommitPushed;
import io.tagstream.common.events.ImageRef;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.gitwriter.core.ImageValues;
import io.tagstream.gitwriter.core.Setters;
import io.tagstream.gitwriter.core.Workspace;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Turns approvals into commits. Approvals reach it re-keyed by branch ({@link PromotionApprovedConsumer}), so each
 * branch belongs to one pod; within the pod every branch has one worker thread, so one branch is written by one
 * writer at a time and automations sharing it are serialised. A worker commits the first approval after an idle period at once;
 * approvals that arrive while it commits and pushes (or within the optional window) join the next commit, so bursts
 * make few commits. An approval is acknowledged to Kafka only after its commit is pushed, or after git was found to
 * hold its values already (no commit, no empty commit). What was written into which marker is kept in a compacted
 * topic (the {@link Ledger}), so a ref written once is never written again: a person's revert stands until a newer
 * image is approved, across redeliveries and restarts.
 */
@ApplicationScoped
public class Writer {

    private static final Logger LOG = Logger.getLogger(Writer.class);

    /** One approval waiting for a branch, with what to do once it is in git. */
    record Job(ImageUpdateAutomation automation, GitRepository repo, CloudEvent<PromotionApproved> event,
            Map<String, ImageValues> values, Optional<Ledger.Position> approval, int partition, Runnable done) {}

    /** What the status API shows for one automation. */
    public record AutomationStatus(String automation, String repository, String branch, Optional<Instant> lastRun,
            Optional<String> lastPushedCommit, Optional<Instant> lastPushTime, Optional<String> lastError, int pendingChanges) {}

    @ConfigProperty(name = "tagstream.git.workdir")
    Path workdir;

    @ConfigProperty(name = "tagstream.git.group-window", defaultValue = "0s")
    Duration window;

    @ConfigProperty(name = "tagstream.git.max-push-attempts", defaultValue = "10")
    int maxAttempts;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "tagstream.git-writer.state-topic")
    String stateTopic;

    @ConfigProperty(name = "tagstream.git-writer.branch-topic")
    String branchTopic;

    @Inject
    Publisher publisher;

    @Inject
    ConfigWatch config;

    @Inject
    Secrets secrets;

    @Inject
    io.micrometer.core.instrument.MeterRegistry metrics;

    private final Engine qute = Engine.builder().addDefaults().build();
    private final Map<String, BlockingQueue<Job>> queues = new ConcurrentHashMap<>();
    private final Map<String, Workspace> workspaces = new ConcurrentHashMap<>();
    private final Map<String, AutomationStatus> status = new ConcurrentHashMap<>();
    private final ExecutorService workers = Executors.newCachedThreadPool();
    private final Ledger ledger = new Ledger();
    private final CompletableFuture<Void> restored = new CompletableFuture<>();
    private CompactedTopic store;
    /*
     * Branch-topic partitions this pod owns, and how many commits are under way per partition. Kafka moves a partition
     * to another pod only after this pod's revocation callback returns; the callback drops the partition's queued jobs
     * (unacknowledged, so the new owner gets them again) and waits for its commits under way, so two pods never write
     * one branch at once and a stale older approval can never land after the new owner wrote a newer one.
     */
    private final Object ownership = new Object();
    private final java.util.Set<Integer> owned = new java.util.HashSet<>();
    private final Map<Integer, Integer> busy = new java.util.HashMap<>();

    @ConfigProperty(name = "tagstream.git.revoke-timeout", defaultValue = "60s")
    Duration revokeTimeout;

    /*
     * Before the messaging connectors start (they do at priority LIBRARY_BEFORE): a consumer or producer touching the
     * branch topic first would have the broker create it with its default partition count.
     */
    void createTopics(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.PLATFORM_BEFORE + 100) StartupEvent e) {
        // six partitions, so up to six git-writer pods share the branches
        io.tagstream.common.state.Topics.ensure(bootstrap, branchTopic, 6, Map.of());
        store = new CompactedTopic(bootstrap, stateTopic).ensureExists(3);
    }

    void start(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 1000) StartupEvent e) {
        // followed, not only loaded: when Kafka hands a branch over from another pod, its ledger is already here
        int n = store.loadAndFollow(ledger::restore);
        LOG.infof("restored %d written markers from %s", n, stateTopic);
        restored.complete(null);
        reconfigured(config.config());
    }

    private static String scope(ImageUpdateAutomation a, GitRepository repo) {
        return Ledger.scope(a.id().toString(), Workspace.safeUrl(repo.url()), pushBranch(a, repo), a.updatePath());
    }

    /**
     * A new configuration: ledger entries of an automation whose repository, branch or path changed, or that was
     * removed, are dropped (the new target starts with no memory, so it gets the current refs); entries from before
     * scopes move to their automation's scope.
     */
    void reconfigured(@Observes TagstreamConfig cfg) {
        if (!restored.isDone()) {
            return;
        }
        Map<String, String> scopes = new LinkedHashMap<>();
        for (ImageUpdateAutomation a : cfg.automations()) {
            cfg.find(GitRepository.class, a.sourceRef()).ifPresent(r -> scopes.put(a.id().toString(), scope(a, r)));
        }
        Map<String, Optional<String>> plan = ledger.reconcile(scopes, config.status().loadedAt().orElse(Instant.now()));
        if (plan.isEmpty()) {
            return;
        }
        Map<String, String> records = new LinkedHashMap<>();
        ledger.apply(plan).forEach((k, v) -> records.put(k, v == null ? null : Json.writeString(v)));
        store.putAll(records);
        long moved = plan.values().stream().filter(Optional::isPresent).count();
        long dropped = plan.size() - moved;
        LOG.infof("ledger follows the configuration: %d entries dropped, %d moved to their automation's scope", dropped, moved);
        publisher.audit(Publisher.AUDIT.ok("ledger.reconciled", "git-writer", dropped + " entries of automations, repositories,"
                + " branches or paths no longer configured dropped; " + moved + " moved to their automation's scope", Optional.empty()));
    }

    void stop(@Observes ShutdownEvent e) {
        workers.shutdownNow();
        workspaces.values().forEach(Workspace::close);
        if (store != null) {
            store.close();
        }
    }

    /** The automations an approval concerns: same namespace, not suspended, selecting its policy. */
    private List<ImageUpdateAutomation> targets(CloudEvent<PromotionApproved> event, TagstreamConfig cfg) {
        ResourceId policyId = ResourceId.parse(event.data().policy());
        Optional<ImagePolicy> policy = cfg.find(ImagePolicy.class, policyId);
        return cfg.automations().stream()
                .filter(a -> !a.suspend() && a.id().namespace().equals(policyId.namespace()))
                .filter(a -> a.policySelector().entrySet().stream()
                        .allMatch(l -> policy.map(p -> l.getValue().equals(p.labels().get(l.getKey()))).orElse(false)))
                .filter(a -> cfg.find(GitRepository.class, a.sourceRef()).isPresent())
                .toList();
    }

    /** The branches ({@code <repository URL>#<branch>}) an approval will be written to; none is audited as unused. */
    public List<String> branches(CloudEvent<PromotionApproved> event) {
        TagstreamConfig cfg = config.config();
        List<String> keys = targets(event, cfg).stream()
                .map(a -> {
                    GitRepository repo = cfg.find(GitRepository.class, a.sourceRef()).orElseThrow();
                    return branchKey(repo.url(), pushBranch(a, repo));
                })
                .distinct().toList();
        if (keys.isEmpty()) {
            publisher.audit(Publisher.AUDIT.rejected("approval.unused", event.data().promotion(), "no ImageUpdateAutomation in "
                    + ResourceId.parse(event.data().policy()).namespace() + " selects policy " + event.data().policy(),
                    Optional.of(event)));
        }
        return keys;
    }

    /**
     * Queues an approval, read from {@code partition} of the branch topic, for every automation it concerns that writes
     * {@code branch}; {@code done} runs when all of them have handled it. An approval from a partition this pod no
     * longer owns is dropped unacknowledged: its new owner reads it again. {@code approval} is where the approval sits
     * in the promotion-approved topic, which orders approvals for one marker.
     */
    public void accept(CloudEvent<PromotionApproved> event, Optional<Ledger.Position> approval, String branch, int partition,
            Runnable done) {
        restored.join();
        synchronized (ownership) {
            if (!owned.contains(partition)) {
                LOG.debugf("approval %s for %s dropped: partition %d moved to another pod", event.id(), branch, partition);
                return;
            }
        }
        TagstreamConfig cfg = config.config();
        ResourceId policyId = ResourceId.parse(event.data().policy());
        Optional<ImagePolicy> policy = cfg.find(ImagePolicy.class, policyId);
        Map<String, ImageValues> values = values(event.data(), policy, cfg);
        List<ImageUpdateAutomation> targets = targets(event, cfg).stream()
                .filter(a -> {
                    GitRepository repo = cfg.find(GitRepository.class, a.sourceRef()).orElseThrow();
                    return branchKey(repo.url(), pushBranch(a, repo)).equals(branch);
                })
                .toList();
        if (targets.isEmpty()) {
            done.run(); // the configuration changed since the approval was routed here: nothing writes this branch now
            return;
        }
        var remaining = new java.util.concurrent.atomic.AtomicInteger(targets.size());
        for (ImageUpdateAutomation a : targets) {
            GitRepository repo = cfg.find(GitRepository.class, a.sourceRef()).orElseThrow();
            queues.computeIfAbsent(branch, k -> {
                BlockingQueue<Job> q = new LinkedBlockingQueue<>();
                workers.submit(() -> work(k, q));
                return q;
            }).add(new Job(a, repo, event, values, approval, partition, () -> {
                if (remaining.decrementAndGet() == 0) {
                    done.run();
                }
            }));
            pending(a, repo, +1);
        }
    }

    /**
     * The policy's own approval sets markers naming the policy (Flux's meaning); a promotion's approval sets only markers
     * naming the promotion, with its target ref, since the policy's markers were set when the policy selected the image.
     */
    private static Map<String, ImageValues> values(PromotionApproved a, Optional<ImagePolicy> policy, TagstreamConfig cfg) {
        boolean pin = policy.map(p -> p.digestReflectionPolicy() != ImagePolicy.DigestReflection.NEVER).orElse(false);
        if (a.promotion().equals(a.policy())) {
            ImageRef source = ImageRef.parse(a.source());
            return Map.of(a.policy().replace('/', ':'), new ImageValues(source.repository(), source.tag().orElse(""),
                    source.digest().orElse(""), pin));
        }
        ImageRef target = ImageRef.parse(a.target());
        boolean promotionPins = cfg.find(ImagePromotion.class, ResourceId.parse(a.promotion())).isPresent() && pin;
        return Map.of(a.promotion().replace('/', ':'), new ImageValues(target.repository(), target.tag().orElse(""),
                target.digest().orElse(""), promotionPins));
    }

    private static String pushBranch(ImageUpdateAutomation a, GitRepository repo) {
        return a.pushBranch().orElse(checkoutBranch(a, repo));
    }

    private static String checkoutBranch(ImageUpdateAutomation a, GitRepository repo) {
        return a.checkoutRef().flatMap(r -> r.branch()).or(() -> repo.ref().branch()).orElse("main");
    }

    private static String branchKey(String url, String branch) {
        return Workspace.safeUrl(url) + "#" + branch;
    }

    private void work(String key, BlockingQueue<Job> queue) {
        while (!Thread.currentThread().isInterrupted()) {
            List<Job> batch = new ArrayList<>();
            try {
                batch.add(queue.take());
                if (!window.isZero()) {
                    Thread.sleep(window.toMillis());
                }
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch); // everything that arrived meanwhile joins this commit
            List<Job> mine = claim(batch);
            try {
                Map<String, List<Job>> byAutomation = new LinkedHashMap<>();
                mine.forEach(j -> byAutomation.computeIfAbsent(j.automation().id().toString(), k -> new ArrayList<>()).add(j));
                for (List<Job> jobs : byAutomation.values()) {
                    if (!commitUntilDone(key, jobs)) {
                        return;
                    }
                }
            } finally {
                release(mine);
            }
        }
    }

    /**
     * Git refusals are handled (audited) inside {@link #commit}; anything else — Kafka unreachable for the audit or the
     * ledger — is retried with backoff, so a branch's worker never dies and leaves its queue unread. Returns false when
     * interrupted; stops retrying when the branch moved to another pod (its jobs are read again there).
     */
    private boolean commitUntilDone(String key, List<Job> jobs) {
        long backoff = 500;
        while (true) {
            try {
                commit(key, jobs);
                return true;
            } catch (RuntimeException e) {
                LOG.errorf(e, "branch %s: could not finish %d approval(s); retrying in %d ms", key, jobs.size(), backoff);
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            backoff = Math.min(backoff * 2, 30_000);
            synchronized (ownership) {
                if (jobs.stream().noneMatch(j -> owned.contains(j.partition()))) {
                    return true;
                }
            }
        }
    }

    /**
     * The jobs whose partition this pod still owns, counted as under way until {@link #release}; the others were
     * revoked between being queued and taken, and are left to the partition's next owner.
     */
    private List<Job> claim(List<Job> batch) {
        synchronized (ownership) {
            List<Job> mine = new ArrayList<>();
            for (Job j : batch) {
                if (owned.contains(j.partition())) {
                    mine.add(j);
                    busy.merge(j.partition(), 1, Integer::sum);
                } else {
                    pending(j.automation(), j.repo(), -1);
                }
            }
            return mine;
        }
    }

    private void release(List<Job> jobs) {
        synchronized (ownership) {
            jobs.forEach(j -> busy.computeIfPresent(j.partition(), (p, n) -> n == 1 ? null : n - 1));
            ownership.notifyAll();
        }
    }

    /** Kafka gave this pod these branch-topic partitions. */
    public void assigned(java.util.Collection<Integer> partitions) {
        synchronized (ownership) {
            owned.addAll(partitions);
            LOG.infof("branch partitions assigned %s; this pod owns %s", new java.util.TreeSet<>(partitions),
                    new java.util.TreeSet<>(owned));
        }
    }

    /**
     * Kafka takes these partitions away: their queued approvals are dropped (the next owner reads them again) and, if
     * {@code finish}, this returns once their commits under way have finished, or after the revoke timeout. Partitions
     * lost (this pod was too slow to answer the group) already have a new owner: nothing to wait for.
     */
    public void revoked(java.util.Collection<Integer> partitions, boolean finish) {
        List<Job> dropped = new ArrayList<>();
        synchronized (ownership) {
            owned.removeAll(partitions);
            queues.values().forEach(q -> q.removeIf(j -> {
                boolean gone = partitions.contains(j.partition());
                if (gone) {
                    dropped.add(j);
                }
                return gone;
            }));
            long deadline = System.nanoTime() + revokeTimeout.toNanos();
            try {
                while (finish && partitions.stream().anyMatch(busy::containsKey)) {
                    long left = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        LOG.warnf("branch partitions %s revoked while commits are still under way after %s", partitions, revokeTimeout);
                        break;
                    }
                    ownership.wait(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LOG.infof("branch partitions revoked %s (%d queued approval(s) left to the next owner); this pod owns %s",
                    new java.util.TreeSet<>(partitions), dropped.size(), new java.util.TreeSet<>(owned));
        }
        dropped.forEach(j -> pending(j.automation(), j.repo(), -1));
    }

    private void commit(String key, List<Job> jobs) {
        ImageUpdateAutomation a = jobs.get(jobs.size() - 1).automation();
        GitRepository repo = jobs.get(jobs.size() - 1).repo();
        String automation = a.id().toString();
        String scope = scope(a, repo);
        CloudEvent<PromotionApproved> last = jobs.get(jobs.size() - 1).event();
        if (ledger.intent(key).isPresent()) {
            recover(key, workspaces.computeIfAbsent(key + "|" + checkoutBranch(a, repo), k -> open(k, repo, a)),
                    pushBranch(a, repo), a, last);
        }
        Map<String, ImageValues> values = new LinkedHashMap<>();
        Map<String, Ledger.Position> positions = new LinkedHashMap<>();
        Map<String, Ledger.Entry> written = new LinkedHashMap<>();
        Map<String, String> superseded = new LinkedHashMap<>();
        for (Job j : jobs) { // later approvals win
            Ledger.Split split = ledger.split(scope, j.values(), j.approval());
            split.fresh().forEach((setter, v) -> {
                values.put(setter, v);
                j.approval().ifPresentOrElse(p -> positions.put(setter, p), () -> positions.remove(setter));
                written.remove(setter);
            });
            split.written().forEach((setter, entry) -> {
                values.remove(setter);
                written.put(setter, entry);
            });
            split.superseded().forEach((setter, entry) -> superseded.put(setter, Ledger.ref(j.values().get(setter))
                    + " (approval at promotion-approved " + j.approval().orElseThrow() + ") is older than " + entry.ref()
                    + " (at " + entry.approval().orElseThrow() + ")"));
        }
        if (!superseded.isEmpty()) {
            metrics.counter("tagstream.gitwriter.superseded", "automation", automation).increment(superseded.size());
            publisher.audit(Publisher.AUDIT.ok("approval.superseded", automation, String.join("; ", superseded.values())
                    + ": a copy of an approval already handled, not written over the newer image", Optional.of(last)));
        }
        if (!written.isEmpty()) {
            metrics.counter("tagstream.gitwriter.already.written", "automation", automation).increment(written.size());
            publisher.audit(Publisher.AUDIT.ok("approval.already-written", automation, describeWritten(written)
                    + ": not written again, so a change a person made in git since then stands until a newer image is approved",
                    Optional.of(last)));
        }
        if (values.isEmpty()) {
            record(a, repo, Instant.now(), Optional.empty(), Optional.empty(), -jobs.size());
            jobs.forEach(j -> j.done().run());
            return;
        }
        String checkout = checkoutBranch(a, repo);
        String push = pushBranch(a, repo);
        Instant started = Instant.now();
        Workspace ws = workspaces.computeIfAbsent(key + "|" + checkout, k -> open(k, repo, a));
        // what the push will announce, fixed before the push (one event id however often it is sent)
        java.util.concurrent.atomic.AtomicReference<Ledger.Intent> intent = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.function.Consumer<Workspace.Staged> beforePush = staged -> {
            CloudEvent<CommitPushed> ev = CloudEvent.causedBy(last, Publisher.SERVICE, new CommitPushed(automation,
                    Workspace.safeUrl(repo.url()), push, staged.commit(), staged.changes().stream()
                            .map(c -> new CommitPushed.Change(c.file(), c.setter(), c.oldValue(), c.newValue())).toList(),
                    Instant.now(), jobs.stream().map(j -> j.event().id()).toList()));
            Ledger.Intent i = new Ledger.Intent(staged.commit(), ev.id(), ev.time(), ev.correlationId(), ev.data(),
                    ledger.entries(scope, values, positions, Optional.of(staged.commit()), Instant.now()));
            try {
                store.put(Ledger.intentKey(key), Json.writeString(i));
            } catch (RuntimeException e) {
                throw new KafkaUnavailable(e);
            }
            ledger.intend(key, i);
            intent.set(i);
        };
        Workspace.Outcome out;
        try {
            java.util.concurrent.Callable<Workspace.Outcome> update = () -> ws.update(checkout, push, a.updatePath(), values,
                    new Workspace.Author(a.author().name(), a.author().email()), changes -> message(a, values, changes),
                    a.pushOptions(), maxAttempts, beforePush);
            try {
                out = update.call();
            } catch (Workspace.PushRefused | KafkaUnavailable e) {
                throw e;
            } catch (Exception e) {
                // the remote did not refuse: the clone may be what is broken (a killed pod's lock files); once more
                // from a fresh clone before calling it a failure
                LOG.warnf("automation %s: %s failed in clone (%s); cloning afresh", a.id(), key, e.toString());
                ws.discard();
                out = update.call();
            }
        } catch (KafkaUnavailable e) {
            throw e; // nothing pushed: retried as a whole
        } catch (Exception e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            LOG.errorf("automation %s could not write %s: %s", a.id(), key, reason);
            publisher.audit(Publisher.AUDIT.error("commit.failed", key, reason, Optional.of(last)));
            metrics.counter("tagstream.gitwriter.failures", "automation", automation).increment();
            record(a, repo, started, Optional.empty(), Optional.of(reason), -jobs.size());
            jobs.forEach(j -> j.done().run()); // audited; a redelivery would fail the same way until someone fixes it
            return;
        }
        Optional<Ledger.Intent> pushed = out.commit().map(c -> intent.get());
        Map<String, Ledger.Entry> entries = pushed.map(Ledger.Intent::entries)
                .orElseGet(() -> ledger.entries(scope, values, positions, Optional.empty(), Instant.now()));
        // git holds the change now; what follows tells Kafka, and is retried until Kafka has it
        if (!settle(key, a, out, pushed, entries, values, last, jobs.size())) {
            return; // shutting down: unacknowledged, so the approvals are read again and found written
        }
        record(a, repo, started, out.commit(), out.commit().isPresent() || out.problems().isEmpty() ? Optional.empty()
                : Optional.of(out.problems().get(0).toString()), -jobs.size());
        if (out.commit().isPresent()) {
            metrics.counter("tagstream.gitwriter.commits", "automation", automation).increment();
            metrics.counter("tagstream.gitwriter.changes", "automation", automation).increment(out.changes().size());
        }
        metrics.counter("tagstream.gitwriter.push.attempts", "automation", automation).increment(out.attempts());
        metrics.timer("tagstream.gitwriter.update", "automation", automation).record(Duration.between(started, Instant.now()));
        jobs.forEach(j -> j.done().run());
    }

    /** Kafka did not take the record of a push about to happen: nothing is pushed, and the commit is tried again. */
    static final class KafkaUnavailable extends RuntimeException {
        KafkaUnavailable(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }

    /**
     * Announces an update (audit, and commit-pushed for a push), then stores its ledger entries and clears the branch's
     * intent; retried with backoff until Kafka has it all. Returns false when interrupted.
     */
    private boolean settle(String key, ImageUpdateAutomation a, Workspace.Outcome out, Optional<Ledger.Intent> pushed,
            Map<String, Ledger.Entry> entries, Map<String, ImageValues> values, CloudEvent<PromotionApproved> last, int approvals) {
        boolean announced = false;
        for (long backoff = 500; ; backoff = Math.min(backoff * 2, 30_000)) {
            try {
                if (!announced) {
                    announce(key, a, out, pushed.map(Writer::event), values, last, approvals);
                    announced = true;
                }
                persist(key, entries, pushed.isPresent());
                return true;
            } catch (RuntimeException e) {
                LOG.errorf("branch %s: %s but could not tell Kafka (%s); retrying in %d ms", key,
                        out.commit().map(c -> "pushed " + c).orElse("git holds the values"), e.getMessage(), backoff);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }

    private void persist(String key, Map<String, Ledger.Entry> entries, boolean clearIntent) {
        Map<String, String> records = toJson(entries);
        if (clearIntent) {
            records.put(Ledger.intentKey(key), null);
        }
        store.putAll(records);
        entries.forEach(ledger::restore);
        if (clearIntent) {
            ledger.settle(key);
        }
    }

    private static CloudEvent<CommitPushed> event(Ledger.Intent i) {
        return new CloudEvent<>(i.eventId(), Publisher.SERVICE, i.eventTime(), i.correlationId(), i.pushed());
    }

    /**
     * A push recorded as intended and not announced — the pod that made it died in between: when git has the commit,
     * it is announced now with the event id chosen then, and its entries are recorded, so the approvals redelivered
     * to this pod find their values written; when git does not have it, it never was pushed and is forgotten.
     */
    private void recover(String key, Workspace ws, String push, ImageUpdateAutomation a, CloudEvent<PromotionApproved> cause) {
        Optional<Ledger.Intent> found = ledger.intent(key);
        if (found.isEmpty()) {
            return;
        }
        Ledger.Intent i = found.get();
        boolean inGit;
        try {
            inGit = ws.holds(push, i.commit());
        } catch (Exception e) {
            LOG.warnf("branch %s: cannot tell whether %s was pushed (%s); asking again with the next approval", key, i.commit(), e);
            return;
        }
        if (inGit) {
            publisher.pushed(event(i));
            publisher.audit(Publisher.AUDIT.ok("commit.pushed", key, "pushed " + i.commit().substring(0, 12) + " with "
                    + i.pushed().changes().size() + " change(s), announced after its writer stopped", Optional.of(event(i))));
            persist(key, i.entries(), true);
        } else {
            store.put(Ledger.intentKey(key), null);
            ledger.settle(key);
        }
    }

    /** The audit records and the commit-pushed event for one finished update. */
    private void announce(String key, ImageUpdateAutomation a, Workspace.Outcome out, Optional<CloudEvent<CommitPushed>> pushed,
            Map<String, ImageValues> values, CloudEvent<PromotionApproved> last, int approvals) {
        for (Setters.Problem p : out.problems()) {
            publisher.audit(Publisher.AUDIT.error("setter.problem", a.id().toString(), p.toString(), Optional.of(last)));
        }
        if (pushed.isEmpty()) {
            publisher.audit(Publisher.AUDIT.ok("commit.skipped", key, "git already holds " + describe(values) + ": no commit",
                    Optional.of(last)));
            return;
        }
        publisher.pushed(pushed.get());
        publisher.audit(Publisher.AUDIT.ok("commit.pushed", key, "pushed " + out.commit().get().substring(0, 12) + " with "
                + out.changes().size() + " change(s) for " + approvals + " approval(s) after " + out.attempts() + " attempt(s)",
                Optional.of(pushed.get())));
    }

    /** A working clone with the repository's credentials (token or SSH key) and the automation's signing key. */
    private Workspace open(String key, GitRepository repo, ImageUpdateAutomation a) {
        Workspace ws = new Workspace(workdir.resolve(hash(key)), repo.url(), secret(repo, "username"), secret(repo, "password"));
        try {
            Optional<String> identity = secret(repo, "identity");
            if (identity.isPresent()) {
                ws.useSsh(identity.get(), secret(repo, "known_hosts").orElseThrow(() -> new IllegalStateException(
                        "GitRepository " + repo.id() + ": secret has an SSH identity but no known_hosts")));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        a.signingKeySecretRef().ifPresent(ref -> {
            ResourceId id = new ResourceId(a.id().namespace(), ref);
            String armored = secrets.get(id, "git.asc").map(Secret::reveal).orElseThrow(() -> new IllegalStateException(
                    "ImageUpdateAutomation " + a.id() + ": signing key secret " + id + " has no git.asc"));
            ws.signWith(new io.tagstream.gitwriter.core.OpenPgpSigner(armored, secrets.get(id, "passphrase").map(Secret::reveal)));
        });
        return ws;
    }

    private String message(ImageUpdateAutomation a, Map<String, ImageValues> values, List<Setters.Change> changes) {
        String template = a.messageTemplate().orElse(ImageUpdateAutomation.DEFAULT_MESSAGE);
        try {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("automation", a.id().name());
            data.put("namespace", a.id().namespace());
            Map<String, String> flat = new LinkedHashMap<>();
            values.forEach((k, v) -> flat.put(k, v.image() + ":" + v.tag()));
            data.put("values", flat);
            data.put("changes", changes.stream().map(c -> Map.of("file", c.file(), "setter", c.setter(), "old", c.oldValue(),
                    "new", c.newValue())).toList());
            return qute.parse(template).data(data).render();
        } catch (TemplateException e) {
            return template; // not a Qute template (a Go template copied from Flux): use it as written
        }
    }

    private static Map<String, String> toJson(Map<String, Ledger.Entry> entries) {
        Map<String, String> out = new LinkedHashMap<>();
        entries.forEach((k, v) -> out.put(k, Json.writeString(v)));
        return out;
    }

    private static String describeWritten(Map<String, Ledger.Entry> written) {
        List<String> out = new ArrayList<>();
        written.forEach((setter, e) -> out.add(setter + "=" + e.ref() + " was written "
                + e.commit().map(c -> "by commit " + c.substring(0, Math.min(12, c.length()))).orElse("(git held it already)")
                + " at " + e.at()));
        return String.join("; ", out);
    }

    private static String describe(Map<String, ImageValues> values) {
        List<String> out = new ArrayList<>();
        values.forEach((k, v) -> out.add(k + "=" + v.tag()));
        return String.join(", ", out);
    }

    private Optional<String> secret(GitRepository repo, String key) {
        return repo.secretRef().flatMap(s -> secrets.get(new ResourceId(repo.id().namespace(), s), key)).map(Secret::reveal);
    }

    private static String hash(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void pending(ImageUpdateAutomation a, GitRepository repo, int delta) {
        status.compute(a.id().toString(), (k, s) -> s == null
                ? new AutomationStatus(k, Workspace.safeUrl(repo.url()), pushBranch(a, repo), Optional.empty(), Optional.empty(),
                        Optional.empty(), Optional.empty(), Math.max(0, delta))
                : new AutomationStatus(k, s.repository(), s.branch(), s.lastRun(), s.lastPushedCommit(), s.lastPushTime(),
                        s.lastError(), Math.max(0, s.pendingChanges() + delta)));
    }

    private void record(ImageUpdateAutomation a, GitRepository repo, Instant ran, Optional<String> commit, Optional<String> error,
            int pendingDelta) {
        status.compute(a.id().toString(), (k, s) -> new AutomationStatus(k, Workspace.safeUrl(repo.url()), pushBranch(a, repo),
                Optional.of(ran), commit.or(() -> s == null ? Optional.empty() : s.lastPushedCommit()),
                commit.isPresent() ? Optional.of(Instant.now()) : s == null ? Optional.empty() : s.lastPushTime(), error,
                Math.max(0, (s == null ? 0 : s.pendingChanges()) + pendingDelta)));
    }

    public List<AutomationStatus> status() {
        Map<String, AutomationStatus> out = new LinkedHashMap<>();
        for (ImageUpdateAutomation a : config.config().automations()) {
            String id = a.id().toString();
            out.put(id, status.getOrDefault(id, new AutomationStatus(id, config.config().find(GitRepository.class, a.sourceRef())
                    .map(r -> Workspace.safeUrl(r.url())).orElse(""), a.pushBranch().orElse(""), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), 0)));
        }
        return List.copyOf(out.values());
    }

}
