package io.tagstream.gitwriter.adapters;

import io.tagstream.common.events.AuditAction;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.CommitPushed;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.gitwriter.core.Ledger;
import io.tagstream.gitwriter.core.Setters;
import io.tagstream.gitwriter.core.Workspace;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Tells Kafka what git holds, once: a push is recorded as intended before it happens (with the event id it will be
 * announced under), announced after it happened, and its ledger entries stored; a pod that died in between leaves
 * the intent, and the branch's next writer finds the commit in git and announces it with the same id.
 */
@ApplicationScoped
public class PushOutbox {

    private static final Logger LOG = Logger.getLogger(PushOutbox.class);

    @Inject
    LedgerStore store;

    @Inject
    Publisher publisher;

    /** Kafka did not take the record of a push about to happen: nothing is pushed, and the commit is tried again. */
    static final class KafkaUnavailable extends RuntimeException {
        KafkaUnavailable(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** Records that {@code staged} may be pushed, as {@code event} with these entries; throws KafkaUnavailable if not. */
    Ledger.Intent intend(String branch, Workspace.Staged staged, CloudEvent<CommitPushed> event, Map<String, Ledger.Entry> entries) {
        Ledger.Intent i = new Ledger.Intent(staged.commit(), event.id(), event.time(), event.correlationId(), event.data(), entries);
        try {
            store.intend(branch, i);
        } catch (RuntimeException e) {
            throw new KafkaUnavailable(e);
        }
        return i;
    }

    /**
     * Announces an update (audit, and commit-pushed for a push), then stores its ledger entries and clears the branch's
     * intent; retried with backoff until Kafka has it all. Returns false when interrupted.
     */
    boolean settle(String branch, String automation, Workspace.Outcome out, Optional<Ledger.Intent> pushed,
            Map<String, Ledger.Entry> entries, String held, boolean auditProblems, CloudEvent<PromotionApproved> cause,
            int approvals) {
        boolean announced = false;
        for (long backoff = 500; ; backoff = Math.min(backoff * 2, 30_000)) {
            try {
                if (!announced) {
                    announce(branch, automation, out, pushed.map(PushOutbox::event), held, auditProblems, cause, approvals);
                    announced = true;
                }
                store.written(branch, entries, pushed.isPresent());
                return true;
            } catch (RuntimeException e) {
                LOG.errorf("branch %s: %s but could not tell Kafka (%s); retrying in %d ms", branch,
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

    /**
     * A push recorded as intended and not announced — the pod that made it died in between: when git has the commit,
     * it is announced now with the event id chosen then, and its entries are recorded, so the approvals redelivered
     * to this pod find their values written; when git does not have it, it never was pushed and is forgotten.
     */
    void recover(String branch, Workspace ws, String pushBranch) {
        Optional<Ledger.Intent> found = store.ledger().intent(branch);
        if (found.isEmpty()) {
            return;
        }
        Ledger.Intent i = found.get();
        boolean inGit;
        try {
            inGit = ws.holds(pushBranch, i.commit());
        } catch (Exception e) {
            LOG.warnf("branch %s: cannot tell whether %s was pushed (%s); asking again with the next approval", branch, i.commit(), e);
            return;
        }
        if (inGit) {
            publisher.pushed(event(i));
            publisher.audit(Publisher.AUDIT.ok(AuditAction.COMMIT_PUSHED, branch, "pushed " + i.commit().substring(0, 12) + " with "
                    + i.pushed().changes().size() + " change(s), announced after its writer stopped", Optional.of(event(i))));
            store.written(branch, i.entries(), true);
        } else {
            store.forget(branch);
        }
    }

    private static CloudEvent<CommitPushed> event(Ledger.Intent i) {
        return new CloudEvent<>(i.eventId(), Publisher.SERVICE, i.eventTime(), i.correlationId(), i.pushed());
    }

    /** The audit records and the commit-pushed event for one finished update. */
    private void announce(String branch, String automation, Workspace.Outcome out, Optional<CloudEvent<CommitPushed>> pushed,
            String held, boolean auditProblems, CloudEvent<PromotionApproved> cause, int approvals) {
        if (auditProblems) {
            for (Setters.Problem p : out.problems()) {
                publisher.audit(Publisher.AUDIT.error(AuditAction.SETTER_PROBLEM, automation, p.toString(), Optional.of(cause)));
            }
        }
        if (pushed.isEmpty()) {
            if (!held.isEmpty()) {
                publisher.audit(Publisher.AUDIT.ok(AuditAction.COMMIT_SKIPPED, branch, "git already holds " + held + ": no commit",
                        Optional.of(cause)));
            }
            return;
        }
        publisher.pushed(pushed.get());
        publisher.audit(Publisher.AUDIT.ok(AuditAction.COMMIT_PUSHED, branch, "pushed " + out.commit().get().substring(0, 12) + " with "
                + out.changes().size() + " change(s) for " + approvals + " approval(s) after " + out.attempts() + " attempt(s)",
                Optional.of(pushed.get())));
    }
}
