package io.tagstream.gitwriter.adapters;

import io.micrometer.core.instrument.MeterRegistry;
import io.tagstream.common.config.ImageUpdateAutomation;
import io.tagstream.common.events.AuditAction;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.CommitPushed;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.gitwriter.core.ChangeRequest;
import io.tagstream.gitwriter.core.CommitMessage;
import io.tagstream.gitwriter.core.CommitPlan;
import io.tagstream.gitwriter.core.ImageValues;
import io.tagstream.gitwriter.core.Ledger;
import io.tagstream.gitwriter.core.Proposal;
import io.tagstream.gitwriter.core.PullRequests;
import io.tagstream.gitwriter.core.Routing;
import io.tagstream.gitwriter.core.Workspace;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * One commit for a batch of approvals of one automation on one branch, read top to bottom: announce a push a dead
 * writer left behind, plan against the ledger (what is new, what is written already, what is superseded), commit and
 * push, tell Kafka. Each approval is acknowledged only after its commit is pushed, or after git was found to hold its
 * values already (no commit, no empty commit). A ref written once is never written again: a person's revert stands
 * until a newer image is approved, across redeliveries and restarts.
 */
@ApplicationScoped
public class BranchCommitter {

    private static final Logger LOG = Logger.getLogger(BranchCommitter.class);

    @ConfigProperty(name = "tagstream.git.max-push-attempts", defaultValue = "10")
    int maxAttempts;

    @Inject
    LedgerStore ledger;

    @Inject
    PushOutbox outbox;

    @Inject
    Workspaces workspaces;

    @Inject
    AutomationStatuses statuses;

    @Inject
    Publisher publisher;

    @Inject
    MeterRegistry metrics;

    @Inject
    PullRequestSync pullRequests;

    void commit(String branch, List<BranchWorkers.Job> jobs) {
        BranchWorkers.Job last = jobs.get(jobs.size() - 1);
        Routing.Target target = last.target();
        ImageUpdateAutomation a = target.automation();
        String automation = a.id().toString();
        CloudEvent<PromotionApproved> cause = last.event();
        Workspace ws = workspaces.of(target);
        outbox.recover(branch, ws, target.pushBranch());
        boolean proposing = a.pullRequest().isPresent();
        Proposal proposed = proposing ? ledger.ledger().proposal(target.scope())
                : Proposal.none();
        if (proposing && !proposed.synced()) {
            pullRequests.finish(target, proposed, cause); // pushed before, the forge not told yet: finish that first
            proposed = ledger.ledger().proposal(target.scope());
        }

        CommitPlan plan = CommitPlan.of(ledger.ledger(), target.scope(), jobs.stream().map(BranchWorkers.Job::approval).toList());
        plan.supersededNote().ifPresent(note -> {
            metrics.counter("tagstream.gitwriter.superseded", "automation", automation).increment(plan.superseded().size());
            publisher.audit(Publisher.AUDIT.ok(AuditAction.APPROVAL_SUPERSEDED, automation, note, Optional.of(cause)));
        });
        plan.alreadyWrittenNote().ifPresent(note -> {
            metrics.counter("tagstream.gitwriter.already.written", "automation", automation).increment(plan.written().size());
            publisher.audit(Publisher.AUDIT.ok(AuditAction.APPROVAL_ALREADY_WRITTEN, automation, note, Optional.of(cause)));
        });
        if (plan.nothingToWrite()) {
            ledger.unblock(target.scope(), plan.written().keySet()); // written after all: nothing to try again
            statuses.ran(target, Instant.now(), Optional.empty(), Optional.empty(), jobs.size());
            jobs.forEach(j -> j.done().run());
            return;
        }

        Instant started = Instant.now();
        // pull-request mode: the head branch is rebuilt from the base with every change still pending plus the new ones
        Optional<ChangeRequest> now = proposing
                ? pullRequests.current(target, proposed, cause) : Optional.empty();
        Map<String, ImageValues> values = proposing
                ? PullRequests.carried(proposed, now, plan.values()) : plan.values();
        AtomicReference<Ledger.Intent> intent = new AtomicReference<>();
        Workspace.Author author = new Workspace.Author(a.author().name(), a.author().email());
        Workspace.Request request = Workspace.Request.of(target.checkoutBranch(), a.updatePath(), values, author, "")
                .pushTo(target.pushBranch())
                .alsoPushTo(a.pushRefspecDestination())
                .message(changes -> CommitMessages.render(a, values, changes))
                .pushOptions(a.pushOptions())
                .attempts(maxAttempts)
                .beforePush(staged -> intent.set(outbox.intend(branch, staged, pushedEvent(target, staged, jobs, cause),
                        ledger.ledger().entries(target.scope(), plan.writtenExcept(staged.blocked()), plan.positions(),
                                Optional.of(staged.commit()), Instant.now()))));
        Workspace.Outcome out;
        try {
            out = update(ws, request, branch, a);
        } catch (PushOutbox.KafkaUnavailable e) {
            throw e; // nothing pushed: retried as a whole
        } catch (Exception e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            LOG.errorf("automation %s could not write %s: %s", a.id(), branch, reason);
            // keyed by the automation, like its other records, so its notifications name it; the branch is in the reason
            publisher.audit(Publisher.AUDIT.error(AuditAction.COMMIT_FAILED, automation, "could not write " + branch + ": "
                    + reason, Optional.of(cause)));
            metrics.counter("tagstream.gitwriter.failures", "automation", automation).increment();
            statuses.ran(target, started, Optional.empty(), Optional.of(reason), jobs.size());
            jobs.forEach(j -> j.done().run()); // audited; a redelivery would fail the same way until someone fixes it
            return;
        }

        // markers whose files have problems were not written: recorded as blocked (tried again until the file is
        // fixed), never as written
        Map<String, ImageValues> written = plan.writtenExcept(out.blocked());
        Map<String, ImageValues> blocked = new java.util.LinkedHashMap<>(plan.values());
        blocked.keySet().retainAll(out.blocked());
        String problem = out.problems().stream().map(Object::toString).collect(java.util.stream.Collectors.joining("; "));
        java.util.Set<String> newlyBlocked = blocked.isEmpty() ? java.util.Set.of()
                : ledger.block(target.scope(), blocked, problem.isEmpty() ? "not written" : problem);
        boolean repeat = !blocked.isEmpty() && newlyBlocked.isEmpty();

        // git holds the change now; what follows tells Kafka, and is retried until Kafka has it
        Optional<Ledger.Intent> pushed = out.commit().map(c -> intent.get());
        if (proposing) {
            // the forge is told before Kafka, so commit-pushed names the request; if the forge fails, the retry finds
            // the push through its intent, announces it (without the request) and finishes the request
            Optional<ChangeRequest> proposedBy = pullRequests.propose(target,
                    proposal(target, proposed, now, out, values, jobs), now, cause);
            pushed = pushed.map(i -> proposedBy.map(r -> new Ledger.Intent(i.commit(), i.eventId(), i.eventTime(), i.correlationId(),
                    i.pushed().proposedBy(new CommitPushed.ChangeRequestRef(r.provider(), r.url(), r.number(), r.state(),
                            r.headSha())), i.entries())).orElse(i));
        }
        Map<String, Ledger.Entry> entries = pushed.map(Ledger.Intent::entries).orElseGet(() -> ledger.ledger()
                .entries(target.scope(), written, plan.positions(), Optional.empty(), Instant.now()));
        if (!outbox.settle(branch, automation, out, pushed, entries, CommitPlan.describe(written), !repeat, cause, jobs.size())) {
            return; // shutting down: unacknowledged, so the approvals are read again and found written
        }
        ledger.unblock(target.scope(), written.keySet());
        if (!newlyBlocked.isEmpty()) {
            publisher.audit(Publisher.AUDIT.error(AuditAction.APPROVAL_BLOCKED, automation, CommitPlan.describe(blocked)
                    + " not written: " + problem + "; tried again until the file is fixed", Optional.of(cause)));
        }
        Optional<String> error = !blocked.isEmpty() ? Optional.of(problem)
                : out.commit().isPresent() || out.problems().isEmpty() ? Optional.empty() : Optional.of(out.problems().get(0).toString());
        statuses.ran(target, started, out.commit(), error, jobs.size());
        if (out.commit().isPresent()) {
            metrics.counter("tagstream.gitwriter.commits", "automation", automation).increment();
            metrics.counter("tagstream.gitwriter.changes", "automation", automation).increment(out.changes().size());
        }
        metrics.counter("tagstream.gitwriter.push.attempts", "automation", automation).increment(out.attempts());
        metrics.timer("tagstream.gitwriter.update", "automation", automation).record(Duration.between(started, Instant.now()));
        jobs.forEach(j -> j.done().run());
    }

    /**
     * The update; when the remote did not refuse, the clone may be what is broken (a killed pod's lock files), so once
     * more from a fresh clone before calling it a failure.
     */
    private static Workspace.Outcome update(Workspace ws, Workspace.Request request, String branch, ImageUpdateAutomation a)
            throws Exception {
        try {
            return ws.update(request);
        } catch (Workspace.PushRefused | PushOutbox.KafkaUnavailable e) {
            throw e;
        } catch (Exception e) {
            LOG.warnf("automation %s: %s failed in clone (%s); cloning afresh", a.id(), branch, e.toString());
            ws.discard();
            return ws.update(request);
        }
    }

    /** What the head branch now carries over the base, described for the request's title and body. */
    private static Proposal proposal(Routing.Target target, Proposal before,
            Optional<ChangeRequest> now, Workspace.Outcome out, Map<String, ImageValues> values, List<BranchWorkers.Job> jobs) {
        Map<String, PullRequests.Origin> origins = new java.util.HashMap<>();
        for (BranchWorkers.Job j : jobs) {
            j.approval().values().forEach((marker, v) -> {
                if (v.equals(values.get(marker))) {
                    PromotionApproved p = j.event().data();
                    origins.put(marker, new PullRequests.Origin(p.promotion(), p.approvedBy(),
                            j.event().correlationId()));
                }
            });
        }
        var items = PullRequests.items(out.changes(), values, origins, before);
        ImageUpdateAutomation a = target.automation();
        var pr = a.pullRequest().orElseThrow();
        String base = target.checkoutBranch();
        String title = pr.title().map(t -> CommitMessage.render(a, t, out.changes()))
                .orElseGet(() -> PullRequests.defaultTitle(base, items));
        String body = pr.body().map(t -> CommitMessage.render(a, t, out.changes()))
                .orElseGet(() -> PullRequests.defaultBody(a, base, target.pushBranch(), items));
        return new Proposal(items, PullRequests.title(pr, title.strip()),
                body, now.or(before::request), false, Instant.now());
    }

    /** What the push will announce, fixed before the push (one event id however often it is sent). */
    private static CloudEvent<CommitPushed> pushedEvent(Routing.Target target, Workspace.Staged staged, List<BranchWorkers.Job> jobs,
            CloudEvent<PromotionApproved> cause) {
        return CloudEvent.causedBy(cause, Publisher.SERVICE, new CommitPushed(target.automation().id().toString(),
                Workspace.safeUrl(target.repository().url()), target.pushBranch(), staged.commit(), staged.changes().stream()
                        .map(c -> new CommitPushed.Change(c.file(), c.setter(), c.oldValue(), c.newValue())).toList(),
                Instant.now(), jobs.stream().map(j -> j.event().id()).toList(), Optional.of(staged.message())));
    }
}
