package io.tagstream.common.service;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.inject.Singleton;
import jakarta.enterprise.inject.Produces;
import java.util.Map;

/**
 * The HELP text of every Tagstream metric, in one place for all five services, given to each meter as it registers
 * (so the code that counts stays one line). A Tagstream meter missing here registers with the text "Tagstream metric
 * without a description", which the metrics test catches.
 */
@Singleton
public class MetricHelp {

    static final Map<String, String> HELP = Map.ofEntries(
            Map.entry("tagstream.http.refused", "Requests refused before their body was read, by status (401, 404, 413, 415, 429)"),
            Map.entry("tagstream.poller.webhooks", "Webhook deliveries, by provider and outcome (accepted, ignored, rejected, malformed, unknown)"),
            Map.entry("tagstream.poller.scan", "Time to scan one ImageRepository (list tags, resolve digests), by repository"),
            Map.entry("tagstream.poller.tags.seen", "Tags listed by scans, by repository"),
            Map.entry("tagstream.poller.scan.errors", "Scans that failed (registry unreachable, refused, rate limited), by repository"),
            Map.entry("tagstream.registry.responses", "Registry HTTP responses, by host and status"),
            Map.entry("tagstream.registry.retries", "Registry requests retried after a 429, 5xx or a lost connection, by host"),
            Map.entry("tagstream.registry.ratelimit.waits", "Registry requests that waited for the host's request-rate budget, by host"),
            Map.entry("tagstream.evaluator.evaluation", "Time to evaluate what one event or configuration change selects, by trigger"),
            Map.entry("tagstream.evaluator.selections.changed", "Selections announced (selected) or withdrawn (unselected)"),
            Map.entry("tagstream.evaluator.policy.failures", "Evaluations in which a policy could not run (invalid range, no tag, time budget)"),
            Map.entry("tagstream.evaluator.policies.not.ready", "ImagePolicies that select nothing now, with a reason in their status"),
            Map.entry("tagstream.promoter.decisions", "Promotions decided, by ImagePromotion and state (approved, rejected, expired, failed, superseded)"),
            Map.entry("tagstream.promoter.pending", "Promotions waiting for approvals or signals"),
            Map.entry("tagstream.promoter.leader", "1 while this pod is the promoter leader, which decides and copies"),
            Map.entry("tagstream.gitwriter.commits", "Commits pushed, by automation"),
            Map.entry("tagstream.gitwriter.changes", "Values rewritten in pushed commits, by automation"),
            Map.entry("tagstream.gitwriter.push.attempts", "Push attempts (more than one per commit when someone else pushed first), by automation"),
            Map.entry("tagstream.gitwriter.update", "Time from taking approvals to a pushed commit (or to finding nothing to write), by automation"),
            Map.entry("tagstream.gitwriter.failures", "Updates that failed (clone, template, push refused), by automation"),
            Map.entry("tagstream.gitwriter.superseded", "Approvals superseded by a newer one for the same marker before their commit, by automation"),
            Map.entry("tagstream.gitwriter.already.written", "Approvals found already in git (redelivered), by automation"),
            Map.entry("tagstream.notifier.events.routed", "Events that went to at least one Alert (queued, one delivery per Alert)"),
            Map.entry("tagstream.notifier.events.duplicate", "Events dropped as equal to one sent within the duplicate window (Flux's 5 minutes)"),
            Map.entry("tagstream.notifier.events.too.old", "Events not sent because they were read more than max-event-age after they happened"),
            Map.entry("tagstream.notifier.deliveries.open", "Deliveries this pod read and has not finished (being sent or waiting to be tried again)"),
            Map.entry("tagstream.notifier.delivered", "Notifications the receiver accepted, by Provider type"),
            Map.entry("tagstream.notifier.retries", "Sends tried again after no answer, 408, 429 or 5xx, by Provider type"),
            Map.entry("tagstream.notifier.failed", "Notifications not delivered, by state (failed: refused, out of retries or unsendable;"
                    + " uncertain: a pod stopped mid-send)"));

    static final String MISSING = "Tagstream metric without a description";

    /** The filter Quarkus applies to every meter registry of the service. */
    @Produces
    @Singleton
    public MeterFilter describeTagstreamMetrics() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (!id.getName().startsWith("tagstream.") || id.getDescription() != null) {
                    return id;
                }
                return new Meter.Id(id.getName(), io.micrometer.core.instrument.Tags.of(id.getTags()), id.getBaseUnit(),
                        HELP.getOrDefault(id.getName(), MISSING), id.getType());
            }
        };
    }
}
