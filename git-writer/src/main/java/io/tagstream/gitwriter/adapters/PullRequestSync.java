package io.tagstream.gitwriter.adapters;

import io.tagstream.common.config.PullRequest;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.Secret;
import io.tagstream.common.config.Secrets;
import io.tagstream.common.events.AuditAction;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.gitwriter.adapters.forge.Forges;
import io.tagstream.gitwriter.core.ChangeRequest;
import io.tagstream.gitwriter.core.Forge;
import io.tagstream.gitwriter.core.Proposal;
import io.tagstream.gitwriter.core.PullRequests;
import io.tagstream.gitwriter.core.Routing;
import io.tagstream.gitwriter.core.Workspace;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Carries out pull-request mode's decisions ({@link PullRequests}) on the forge: reads the request as it is, opens,
 * rewrites or closes it, records the result in the state topic and the audit. A forge error is audited, shown in the
 * automation's status, and thrown, so the branch's worker tries again with backoff (waiting out {@code Retry-After}
 * first); the proposal stays stored as not yet synced, so the retry finishes it without pushing again.
 */
@ApplicationScoped
public class PullRequestSync {

    private static final Logger LOG = Logger.getLogger(PullRequestSync.class);
    private static final Duration LONGEST_WAIT = Duration.ofMinutes(2);

    @Inject
    LedgerStore ledger;

    @Inject
    Secrets secrets;

    @Inject
    Publisher publisher;

    @Inject
    AutomationStatuses statuses;

    private final Map<String, Forge> forges = new ConcurrentHashMap<>();

    /** The forge client of {@code target}. */
    Forge forge(Routing.Target target) {
        PullRequest pr = target.automation().pullRequest().orElseThrow();
        String token = token(target, pr);
        // keyed by everything the client is made of, so an edited setting or a rotated token takes effect at once
        String key = String.join("|", target.scope(), pr.provider().id(), pr.api(target.repository().url()).orElse(""),
                pr.project(target.repository().url()).orElse(""), Integer.toHexString(token.hashCode()));
        return forges.computeIfAbsent(key, k -> Forges.of(pr, target.repository().url(), token));
    }

    private String token(Routing.Target target, PullRequest pr) {
        String ns = target.automation().id().namespace();
        Optional<ResourceId> secret = pr.secretRef().map(n -> new ResourceId(ns, n))
                .or(() -> target.repository().secretRef().map(n -> new ResourceId(target.repository().id().namespace(), n)));
        return secret.flatMap(id -> secrets.get(id, "token").or(() -> secrets.get(id, "password"))).map(Secret::reveal).orElse("");
    }

    /**
     * The request for the automation's head branch as the forge shows it now: the stored one, read again, else the
     * open one found by head branch (a create whose answer was lost, a state topic that was reset).
     */
    Optional<ChangeRequest> current(Routing.Target target, Proposal stored, CloudEvent<PromotionApproved> cause) {
        Forge forge = forge(target);
        try {
            Optional<ChangeRequest> now = stored.request().isPresent() ? byNumber(forge, stored.request().get().number())
                    : Optional.empty();
            if (now.isEmpty()) {
                now = forge.find(target.pushBranch(), target.checkoutBranch());
            }
            Optional<ChangeRequest> seen = now;
            stored.request().filter(ChangeRequest::open).ifPresent(was -> seen.filter(n -> !n.open()).ifPresent(n -> {
                boolean merged = ChangeRequest.MERGED.equals(n.state());
                publisher.audit(Publisher.AUDIT.ok(merged ? AuditAction.PULL_REQUEST_MERGED : AuditAction.PULL_REQUEST_CLOSED,
                        target.automation().id().toString(), describe(n) + (merged ? " was merged"
                                : " was closed without merging: its refs are rejected and not proposed again ("
                                + String.join(", ", stored.pending().keySet()) + ")"), Optional.ofNullable(cause)));
                // recorded at once, so the change is audited once however often it is looked at again
                ledger.propose(target.scope(), new Proposal(stored.pending(), stored.title(), stored.body(), seen, stored.synced(),
                        Instant.now()));
            }));
            return now;
        } catch (Forge.Refused e) {
            throw failed(target, e, cause);
        }
    }

    /** The request by number; empty when the forge no longer has it (deleted, the repository moved): found by branch then. */
    private static Optional<ChangeRequest> byNumber(Forge forge, long number) {
        try {
            return Optional.of(forge.get(number));
        } catch (Forge.Refused e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Stores {@code next} as not yet synced, then makes the forge show it; {@code now} is the request as
     * {@link #current} found it.
     */
    Optional<ChangeRequest> propose(Routing.Target target, Proposal next, Optional<ChangeRequest> now,
            CloudEvent<PromotionApproved> cause) {
        ledger.propose(target.scope(), next);
        return sync(target, next, now, cause);
    }

    /**
     * Looks at the request between approvals: a merge or a close by a person is recorded (and audited) as it happens,
     * and an open request whose every change reached the base some other way is closed, so none is left stale. One
     * GET per open request, and a fetch; nothing is pushed.
     */
    void refresh(Routing.Target target, Workspace ws) throws Exception {
        Proposal stored = ledger.ledger().proposal(target.scope());
        if (!stored.synced()) {
            finish(target, stored, null);
            return;
        }
        if (stored.request().isEmpty() || !stored.request().get().open()) {
            return;
        }
        Optional<ChangeRequest> now = current(target, stored, null);
        if (now.isEmpty() || !now.get().open()) {
            ledger.propose(target.scope(), new Proposal(Map.of(), stored.title(), stored.body(), now, true, Instant.now()));
            statuses.proposed(target, now);
            return;
        }
        boolean pending = !ws.wouldChange(target.checkoutBranch(), target.automation().updatePath(), stored.values()).isEmpty();
        if (!pending) {
            sync(target, new Proposal(Map.of(), stored.title(), stored.body(), now, false, Instant.now()), now, null);
        }
    }

    /** Finishes a stored proposal the forge does not show yet (a forge error, a pod that died in between). */
    void finish(Routing.Target target, Proposal stored, CloudEvent<PromotionApproved> cause) {
        sync(target, stored, current(target, stored, cause), cause);
    }

    private Optional<ChangeRequest> sync(Routing.Target target, Proposal p, Optional<ChangeRequest> now,
            CloudEvent<PromotionApproved> cause) {
        PullRequest pr = target.automation().pullRequest().orElseThrow();
        Forge forge = forge(target);
        String automation = target.automation().id().toString();
        String base = target.checkoutBranch();
        String head = target.pushBranch();
        PullRequests.Step step = PullRequests.next(now, !p.pending().isEmpty(), p.title(), p.body(), base);
        Optional<ChangeRequest> result;
        try {
            if (step instanceof PullRequests.Create) {
                result = Optional.of(create(forge, pr, target, p, cause));
            } else if (step instanceof PullRequests.Edit e) {
                ChangeRequest r = forge.edit(e.number(), p.title(), p.body());
                audit(AuditAction.PULL_REQUEST_UPDATED, automation, describe(r) + " now lists " + list(p), cause);
                result = Optional.of(r);
            } else if (step instanceof PullRequests.Close c) {
                ChangeRequest r = forge.close(c.number(), c.body());
                audit(AuditAction.PULL_REQUEST_CLOSED, automation, describe(r) + " closed: every change it carried is in "
                        + base + " already", cause);
                result = Optional.of(r);
            } else {
                result = now; // Keep, Nothing: the forge shows what it should
            }
        } catch (Forge.Refused e) {
            throw failed(target, e, cause);
        }
        ledger.propose(target.scope(), new Proposal(p.pending(), p.title(), p.body(), result, true, Instant.now()));
        statuses.proposed(target, result);
        LOG.debugf("automation %s: %s → %s", automation, step, result.map(PullRequestSync::describe).orElse("no request"));
        return result;
    }

    private ChangeRequest create(Forge forge, PullRequest pr, Routing.Target target, Proposal p,
            CloudEvent<PromotionApproved> cause) {
        String automation = target.automation().id().toString();
        ChangeRequest r;
        String how;
        try {
            r = forge.create(target.pushBranch(), target.checkoutBranch(), p.title(), p.body(), pr.draft());
            how = " opened from " + target.pushBranch() + " into " + target.checkoutBranch();
        } catch (Forge.Refused e) {
            if (!e.exists()) {
                throw e;
            }
            // opened by an earlier try whose answer was lost: taken over, finished like a new one
            ChangeRequest found = forge.find(target.pushBranch(), target.checkoutBranch()).orElseThrow(() -> e);
            r = found.shows(p.title(), p.body()) ? found : forge.edit(found.number(), p.title(), p.body());
            how = " existed already (an earlier answer was lost) and is taken over";
        }
        forge.decorate(r, pr.labels(), pr.reviewers(), pr.assignees());
        if (pr.autoMerge()) {
            forge.autoMerge(r, pr.mergeMethod().id());
        }
        audit(AuditAction.PULL_REQUEST_OPENED, automation, describe(r) + how + " with " + list(p) + (pr.autoMerge()
                ? "; auto-merge (" + pr.mergeMethod().id() + ") requested" : ""), cause);
        return r;
    }

    private RuntimeException failed(Routing.Target target, Forge.Refused e, CloudEvent<PromotionApproved> cause) {
        String automation = target.automation().id().toString();
        publisher.audit(Publisher.AUDIT.error(AuditAction.PULL_REQUEST_FAILED, automation, e.getMessage()
                + "; the change stays pending and is tried again", Optional.ofNullable(cause)));
        statuses.ran(target, Instant.now(), Optional.empty(), Optional.of(e.getMessage()), 0);
        e.retryAfter().ifPresent(wait -> {
            try {
                Thread.sleep(Math.min(wait.toMillis(), LONGEST_WAIT.toMillis()));
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        });
        return e;
    }

    private void audit(AuditAction action, String automation, String note, CloudEvent<PromotionApproved> cause) {
        publisher.audit(Publisher.AUDIT.ok(action, automation, note, Optional.ofNullable(cause)));
    }

    static String describe(ChangeRequest r) {
        return r.provider() + " #" + r.number() + " " + r.url();
    }

    private static String list(Proposal p) {
        StringBuilder s = new StringBuilder();
        p.pending().forEach((marker, i) -> s.append(s.isEmpty() ? "" : ", ").append(marker).append(" → ").append(i.to()));
        return s.toString();
    }
}
