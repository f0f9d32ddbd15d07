package io.tagstream.common.events;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every decision, rejection and error the services write to {@code tagstream.audit}, under the stable dotted name
 * operators filter on ({@link AuditRecord#action()} on the wire). {@code docs/asyncapi.yaml} lists the same names with
 * the same sentences; a test keeps the two equal.
 */
public enum AuditAction {
    CONFIG_RELOAD("config.reload", "any", "A configuration generation was applied, or refused with the loader's errors"),
    ACCESS_DENIED("access.denied", "any", "A request was refused by access control (HTTP 401, 403 or 415); the reason names the rule"),
    EVENT_MALFORMED("event.malformed", "any", "A record on a consumed topic could not be read; it is skipped, not retried"),

    WEBHOOK_ACCEPTED("webhook.accepted", "registry-poller", "A webhook named repositories that are now checked against the registry"),
    WEBHOOK_IGNORED("webhook.ignored", "registry-poller", "A valid webhook about something not acted on (a pull, a delete, a blob)"),
    WEBHOOK_UNMATCHED("webhook.unmatched", "registry-poller", "A webhook named no ImageRepository its Receiver may trigger"),
    WEBHOOK_REJECTED("webhook.rejected", "registry-poller", "A webhook failed authentication (HTTP 401)"),
    WEBHOOK_MALFORMED("webhook.malformed", "registry-poller", "A webhook body was not the provider's payload (HTTP 400)"),
    WEBHOOK_UNKNOWN("webhook.unknown", "registry-poller", "A webhook reached no Receiver (HTTP 404)"),
    WEBHOOK_UNCONFIGURED("webhook.unconfigured", "registry-poller", "A Receiver's token secret is missing (HTTP 503)"),
    SCAN_REQUESTED("scan.requested", "registry-poller", "A scan was asked for over the API, or refused for an unknown repository"),
    SCAN_CHANGED("scan.changed", "registry-poller", "A scan found new, moved or removed tags"),
    SCAN_FAILED("scan.failed", "registry-poller", "A scan failed; written once per distinct reason, not on every retry"),
    TAG_REMOVED("tag.removed", "registry-poller", "The registry no longer lists a known tag"),
    REPOSITORY_MOVED("repository.moved", "registry-poller", "spec.image names another image: it is scanned as new"),
    REPOSITORY_REMOVED("repository.removed", "registry-poller", "An ImageRepository left the configuration: its tags are dropped"),

    POLICY_MATCHED("policy.matched", "policy-evaluator", "A policy selected a new image"),
    POLICY_UNSELECTED("policy.unselected", "policy-evaluator", "A policy no longer selects anything (its tags are gone)"),
    POLICY_FAILED("policy.failed", "policy-evaluator", "A policy could not be evaluated (no tag matches, a bad pattern)"),
    POLICY_REMOVED("policy.removed", "policy-evaluator", "An ImagePolicy left the configuration: its selection is forgotten"),

    PROMOTION_APPROVED("promotion.approved", "promoter", "A selection or promotion was approved (by auto, a person or a signal)"),
    PROMOTION_PENDING("promotion.pending", "promoter", "A promotion waits at its gate; the reason says for what"),
    PROMOTION_REJECTED("promotion.rejected", "promoter", "A person rejected a promotion"),
    PROMOTION_SUPERSEDED("promotion.superseded", "promoter", "A newer selection or a configuration edit ended a pending promotion"),
    PROMOTION_EXPIRED("promotion.expired", "promoter", "A pending promotion's deadline passed"),
    PROMOTION_AVAILABLE("promotion.available", "promoter", "An approved image is at its target (copied and verified when it has one)"),
    PROMOTION_FAILED("promotion.failed", "promoter", "Carrying out an approved promotion failed (the copy, a missing gate)"),
    MIRROR_COPIED("mirror.copied", "promoter", "A mirror copied a tag (or one of its referrers) to its destination, digest unchanged"),
    MIRROR_OVERWRITTEN("mirror.overwritten", "promoter", "A mirror replaced a destination tag whose source moved (overwrite: true)"),
    MIRROR_DRIFTED("mirror.drifted", "promoter", "A mirrored tag moved at the source; without overwrite the destination is left"
            + " alone"),
    MIRROR_FAILED("mirror.failed", "promoter", "A mirror's copy or prune failed, in the registry's words; the rest of the mirror"
            + " continues and the copy is tried again"),
    MIRROR_PRUNED("mirror.pruned", "promoter", "Prune deleted a destination tag the mirror had copied (or kept it, saying why)"),
    PROMOTION_REQUEST_REFUSED("promotion.request-refused", "promoter", "A decision was refused (unknown, or not pending)"),

    APPROVAL_UNUSED("approval.unused", "git-writer", "No ImageUpdateAutomation selects the approved policy"),
    APPROVAL_SUPERSEDED("approval.superseded", "git-writer", "A copy of an older approval was not written over a newer image"),
    APPROVAL_BLOCKED("approval.blocked", "git-writer", "A marker's file has a problem (not YAML, a marker off a scalar): "
            + "its ref is not written and is tried again until the file is fixed"),
    APPROVAL_ALREADY_WRITTEN("approval.already-written", "git-writer", "The ref was written before; a person's later edit stands"),
    COMMIT_PUSHED("commit.pushed", "git-writer", "A commit was pushed"),
    COMMIT_SKIPPED("commit.skipped", "git-writer", "git already held the values: no commit"),
    COMMIT_FAILED("commit.failed", "git-writer", "A commit or push failed (refused, unreachable, a broken clone)"),
    PULL_REQUEST_OPENED("pull-request.opened", "git-writer", "A pull (merge) request was opened for an automation's head branch"),
    PULL_REQUEST_UPDATED("pull-request.updated", "git-writer", "The open pull request was rewritten to list every pending change"),
    PULL_REQUEST_CLOSED("pull-request.closed", "git-writer", "A pull request was closed: by Tagstream (nothing left to propose) or"
            + " by a person (its refs are rejected)"),
    PULL_REQUEST_MERGED("pull-request.merged", "git-writer", "A pull request Tagstream opened was merged"),
    PULL_REQUEST_FAILED("pull-request.failed", "git-writer", "The forge refused or could not be reached; the change stays pending"
            + " and is tried again"),
    SETTER_PROBLEM("setter.problem", "git-writer", "A setter marker could not be applied (a bad marker, an unknown field)"),
    LEDGER_RECONCILED("ledger.reconciled", "git-writer", "Ledger entries of targets no longer configured were dropped or moved"),

    NOTIFICATION_FAILED("notification.failed", "notifier", "A notification was not delivered: the receiver refused it, it was"
            + " still failing when its retry budget ran out, its Provider cannot send, or a pod stopped while sending it (then"
            + " it is not sent again)");

    private final String wire;
    private final String service;
    private final String meaning;

    AuditAction(String wire, String service, String meaning) {
        this.wire = wire;
        this.service = service;
        this.meaning = meaning;
    }

    /** The name on the wire, e.g. {@code webhook.rejected}. */
    public String wire() {
        return wire;
    }

    /** The service that writes it, or {@code any}. */
    public String service() {
        return service;
    }

    /** What it means, as {@code docs/asyncapi.yaml} says. */
    public String meaning() {
        return meaning;
    }

    public static Optional<AuditAction> of(String wire) {
        return Arrays.stream(values()).filter(a -> a.wire.equals(wire)).findFirst();
    }

    @Override
    public String toString() {
        return wire;
    }
}
