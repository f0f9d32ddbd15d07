package io.tagstream.gitwriter.adapters;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.PromotionApproved;
import jakarta.annotation.Priority;
import jakarta.interceptor.Interceptor;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.utils.Utils;
import io.tagstream.common.service.ConfigWatch;
import io.tagstream.gitwriter.core.StateKey;
import io.tagstream.gitwriter.core.CommitPlan;
import io.tagstream.gitwriter.core.ImageValues;
import io.tagstream.gitwriter.core.Ledger;
import io.tagstream.gitwriter.core.Routing;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * One worker thread per branch this pod owns, so one branch is written by one writer at a time and automations sharing
 * it are serialised. A worker commits the first approval after an idle period at once; approvals that arrive while it
 * commits and pushes (or within the optional window) join the next commit, so bursts make few commits.
 *
 * <p>Kafka moves a branch-topic partition to another pod only after this pod's revocation callback returns; the
 * callback drops the partition's queued approvals (unacknowledged, so the new owner reads them again) and waits for
 * its commits under way, so two pods never write one branch at once and a stale older approval can never land after
 * the new owner wrote a newer one.
 */
@ApplicationScoped
public class BranchWorkers {

    private static final Logger LOG = Logger.getLogger(BranchWorkers.class);

    /** One approval waiting for a branch, with what to do once it is in git. */
    record Job(Routing.Target target, CloudEvent<PromotionApproved> event, CommitPlan.Approval approval, int partition,
            Runnable done) {}

    @ConfigProperty(name = "tagstream.git.group-window", defaultValue = "0s")
    Duration window;

    @ConfigProperty(name = "tagstream.git.revoke-timeout", defaultValue = "60s")
    Duration revokeTimeout;

    /** How often refs blocked by a file's problem are tried again (one fetch per blocked branch). */
    @ConfigProperty(name = "tagstream.git.blocked-retry", defaultValue = "30s")
    Duration blockedRetry;

    /** How often each open pull request is looked at between approvals (merged, closed, or its changes in the base). */
    @ConfigProperty(name = "tagstream.git.pull-request-refresh", defaultValue = "2m")
    Duration pullRequestRefresh;

    @Inject
    PullRequestSync pullRequests;

    @Inject
    Workspaces workspaces;

    @Inject
    ConfigWatch config;

    @Inject
    BranchCommitter committer;

    @Inject
    AutomationStatuses statuses;

    @Inject
    LedgerStore ledger;

    private final Map<String, BlockingQueue<Job>> queues = new ConcurrentHashMap<>();
    private final ExecutorService workers = Executors.newCachedThreadPool();
    private final Object ownership = new Object();
    /** Branch-topic partitions this pod owns, and how many commits are under way per partition. */
    private final Set<Integer> owned = new HashSet<>();
    private final Map<Integer, Integer> busy = new HashMap<>();
    private final Set<String> retrying = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService retries;

    void start(@Observes @Priority(Interceptor.Priority.APPLICATION + 1100) StartupEvent e) {
        retries = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "git-writer-blocked-retry"));
        retries.scheduleWithFixedDelay(() -> {
            try {
                retryBlocked();
            } catch (RuntimeException ex) {
                LOG.warnf("retrying blocked refs failed: %s", ex.getMessage());
            }
        }, blockedRetry.toMillis(), blockedRetry.toMillis(), TimeUnit.MILLISECONDS);
        retries.scheduleWithFixedDelay(this::refreshPullRequests, pullRequestRefresh.toMillis(), pullRequestRefresh.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private final Map<String, Object> branchLocks = new ConcurrentHashMap<>();

    /** Held while a branch is written or its pull request looked at: one writer per branch at a time. */
    private Object lock(String branch) {
        return branchLocks.computeIfAbsent(branch, k -> new Object());
    }

    /**
     * Each pull-request-mode automation whose branch this pod owns has its request looked at ({@link PullRequestSync#refresh}),
     * under the branch's lock; a forge error waits for the next round.
     */
    void refreshPullRequests() {
        for (Routing.Target t : Routing.automations(config.config()).values()) {
            if (t.automation().pullRequest().isEmpty()) {
                continue;
            }
            int partition = partitionOf(t.branchKey());
            synchronized (ownership) {
                if (!owned.contains(partition)) {
                    continue;
                }
            }
            try {
                synchronized (lock(t.branchKey())) {
                    pullRequests.refresh(t, workspaces.of(t));
                }
            } catch (Exception e) {
                LOG.warnf("automation %s: looking at its pull request failed: %s", t.automation().id(), e.getMessage());
            }
        }
    }

    void stop(@Observes ShutdownEvent e) {
        workers.shutdownNow();
        if (retries != null) {
            retries.shutdownNow();
        }
    }

    /**
     * Refs blocked by a problem in their marker's file go to their branch's worker again, on the pod that owns the
     * branch, so the ref is written once someone fixes the file; a blocked ref of a target no longer configured is
     * forgotten.
     */
    void retryBlocked() {
        TagstreamConfig cfg = config.config();
        Map<String, Routing.Target> byScope = new HashMap<>();
        Routing.automations(cfg).values().forEach(t -> byScope.put(t.scope(), t));
        ledger.ledger().blocked().forEach((key, b) -> {
            StateKey.Blocked k = Ledger.blockedOf(key);
            Routing.Target t = byScope.get(k.scope());
            Optional<PromotionApproved> approval = t == null ? Optional.empty() : Routing.carried(
                    new Ledger.Carry(t.automation().id().toString(), k.marker(), b.ref()), cfg, Instant.now());
            if (approval.isEmpty()) {
                ledger.unblock(key);
                return;
            }
            int partition = partitionOf(t.branchKey());
            synchronized (ownership) {
                if (!owned.contains(partition) || !retrying.add(key)) {
                    return; // another pod's branch, or tried already and not finished
                }
            }
            Map<String, ImageValues> values = Routing.values(approval.get(), cfg);
            queue(t.branchKey()).add(new Job(t, CloudEvent.start(Publisher.SERVICE, approval.get()),
                    new CommitPlan.Approval(values, Optional.empty()), partition, () -> retrying.remove(key)));
            statuses.pending(t, +1);
        });
    }

    /** The branch topic's partition a branch key goes to (Kafka's default partitioner), so the pod owning it acts. */
    private int partitionOf(String branchKey) {
        return Utils.toPositive(Utils.murmur2(branchKey.getBytes(StandardCharsets.UTF_8))) % ledger.branchPartitions();
    }

    private BlockingQueue<Job> queue(String branch) {
        return queues.computeIfAbsent(branch, k -> {
            BlockingQueue<Job> q = new LinkedBlockingQueue<>();
            workers.submit(() -> work(k, q));
            return q;
        });
    }

    /**
     * Queues an approval, read from {@code partition} of the branch topic, for every automation it concerns that writes
     * {@code branch}; {@code done} runs when all of them have handled it. An approval from a partition this pod no
     * longer owns is dropped unacknowledged: its new owner reads it again. {@code position} is where the approval sits
     * in the promotion-approved topic, which orders approvals for one marker.
     */
    public void accept(CloudEvent<PromotionApproved> event, Optional<Ledger.Position> position, String branch, int partition,
            Runnable done) {
        ledger.ledger(); // approvals wait for the ledger: without it, what was written already is unknown
        synchronized (ownership) {
            if (!owned.contains(partition)) {
                LOG.debugf("approval %s for %s dropped: partition %d moved to another pod", event.id(), branch, partition);
                return;
            }
        }
        TagstreamConfig cfg = config.config();
        List<Routing.Target> targets = Routing.targets(ResourceId.parse(event.data().policy()), branch, cfg);
        if (targets.isEmpty()) {
            done.run(); // the configuration changed since the approval was routed here: nothing writes this branch now
            return;
        }
        Map<String, ImageValues> values = Routing.values(event.data(), cfg);
        AtomicInteger remaining = new AtomicInteger(targets.size());
        Runnable oneDone = () -> {
            if (remaining.decrementAndGet() == 0) {
                done.run();
            }
        };
        for (Routing.Target t : targets) {
            queue(branch).add(new Job(t, event, new CommitPlan.Approval(values, position), partition, oneDone));
            statuses.pending(t, +1);
        }
    }

    private void work(String branch, BlockingQueue<Job> queue) {
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
                mine.forEach(j -> byAutomation.computeIfAbsent(j.target().automation().id().toString(), k -> new ArrayList<>())
                        .add(j));
                for (List<Job> jobs : byAutomation.values()) {
                    if (!commitUntilDone(branch, jobs)) {
                        return;
                    }
                }
            } finally {
                release(mine);
            }
        }
    }

    /**
     * Git refusals are handled (audited) by the committer; anything else — Kafka unreachable for the audit or the
     * ledger — is retried with backoff, so a branch's worker never dies and leaves its queue unread. Returns false when
     * interrupted; stops retrying when the branch moved to another pod (its jobs are read again there).
     */
    private boolean commitUntilDone(String branch, List<Job> jobs) {
        long backoff = 500;
        while (true) {
            try {
                synchronized (lock(branch)) {
                    committer.commit(branch, jobs);
                }
                return true;
            } catch (RuntimeException e) {
                LOG.errorf(e, "branch %s: could not finish %d approval(s); retrying in %d ms", branch, jobs.size(), backoff);
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
                    statuses.pending(j.target(), -1);
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
    public void assigned(Collection<Integer> partitions) {
        synchronized (ownership) {
            owned.addAll(partitions);
            LOG.infof("branch partitions assigned %s; this pod owns %s", new TreeSet<>(partitions), new TreeSet<>(owned));
        }
    }

    /**
     * Kafka takes these partitions away: their queued approvals are dropped (the next owner reads them again) and, if
     * {@code finish}, this returns once their commits under way have finished, or after the revoke timeout. Partitions
     * lost (this pod was too slow to answer the group) already have a new owner: nothing to wait for.
     */
    public void revoked(Collection<Integer> partitions, boolean finish) {
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
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        LOG.warnf("branch partitions %s revoked while commits are still under way after %s", partitions,
                                revokeTimeout);
                        break;
                    }
                    ownership.wait(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LOG.infof("branch partitions revoked %s (%d queued approval(s) left to the next owner); this pod owns %s",
                    new TreeSet<>(partitions), dropped.size(), new TreeSet<>(owned));
        }
        dropped.forEach(j -> statuses.pending(j.target(), -1));
    }
}
