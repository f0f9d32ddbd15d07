package io.tagstream.notifier.core;

import io.tagstream.common.config.ImagePromotion;
import io.tagstream.common.config.Resource;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.AuditAction;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CommitPushed;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.notifier.core.FluxEvent.InvolvedObject;
import io.tagstream.notifier.core.FluxEvent.Severity;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What Tagstream tells a Flux Provider, as Flux's own controllers would: each record the notifier reads becomes at
 * most one {@link FluxEvent} about the Flux object it concerns (an ImageRepository's scan error, an ImagePolicy's new
 * selection or failure, an ImageUpdateAutomation's commit or failed push) or about an {@code ImagePromotion} (pending
 * and what it waits for, approved, available, rejected, expired, superseded, failed). Everything else the audit topic
 * carries (webhooks, access denials, reloads…) is for operators, not alerts.
 */
public final class Events {

    public static final String FLUX_IMAGE = "image.toolkit.fluxcd.io/v1";
    public static final String TAGSTREAM = "tagstream.io/v1alpha1";

    private Events() {}

    public static Optional<FluxEvent> of(Input in, TagstreamConfig config) {
        if (in instanceof Input.Selected s) {
            return Optional.of(selected(s.matched()));
        }
        if (in instanceof Input.Pushed p) {
            return Optional.of(pushed(p.pushed()));
        }
        return audited(((Input.Audited) in).record(), config);
    }

    /** Flux's image-reflector message for a policy's new latest image. */
    static FluxEvent selected(PolicyMatched m) {
        String message = m.previous().filter(p -> !p.tag().equals(m.tag()))
                .map(p -> "Latest image tag for '" + m.image() + "' updated from " + p.tag() + " to " + m.tag())
                .orElse("Latest image tag for '" + m.image() + "' resolved to " + m.tag());
        if (m.previous().filter(p -> p.tag().equals(m.tag())).isPresent()) {
            message += " (new digest " + m.digest() + ")";
        }
        InvolvedObject o = object(FLUX_IMAGE, "ImagePolicy", m.policy());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(o.group() + "/revision", m.tag() + "@" + m.digest());
        return new FluxEvent(o, Severity.INFO, m.matchedAt(), message, "Succeeded", meta, "policy-evaluator",
                Optional.empty());
    }

    /**
     * Flux's image-automation message for a push: {@code pushed commit '<short sha>' to branch '<branch>'} and the
     * commit message on the next line; the revision metadata is Flux's {@code <branch>@sha1:<sha>}.
     */
    static FluxEvent pushed(CommitPushed c) {
        String shortSha = c.commit().length() > 7 ? c.commit().substring(0, 7) : c.commit();
        String message = "pushed commit '" + shortSha + "' to branch '" + c.branch() + "'"
                + c.message().filter(m -> !m.isEmpty()).map(m -> "\n" + m).orElse("");
        InvolvedObject o = object(FLUX_IMAGE, "ImageUpdateAutomation", c.automation());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(o.group() + "/revision", c.branch() + "@sha1:" + c.commit());
        return new FluxEvent(o, Severity.INFO, c.pushedAt(), message, "Succeeded", meta, "git-writer", Optional.empty());
    }

    static Optional<FluxEvent> audited(AuditRecord r, TagstreamConfig config) {
        Optional<AuditAction> action = AuditAction.of(r.action());
        if (action.isEmpty()) {
            return Optional.empty(); // written by a newer service: not known here
        }
        return switch (action.get()) {
            case SCAN_FAILED -> about(r, FLUX_IMAGE, "ImageRepository", Severity.ERROR, "ReadOperationFailed");
            case POLICY_FAILED, POLICY_UNSELECTED -> about(r, FLUX_IMAGE, "ImagePolicy", Severity.ERROR, "ReconciliationFailed");
            case COMMIT_FAILED -> about(r, FLUX_IMAGE, "ImageUpdateAutomation", Severity.ERROR, "GitOperationFailed");
            case PROMOTION_PENDING -> promotion(r, config, Severity.INFO, "Pending");
            case PROMOTION_APPROVED -> promotion(r, config, Severity.INFO, "Approved");
            case PROMOTION_AVAILABLE -> promotion(r, config, Severity.INFO, "Available");
            case PROMOTION_SUPERSEDED -> promotion(r, config, Severity.INFO, "Superseded");
            case PROMOTION_REJECTED -> promotion(r, config, Severity.ERROR, "Rejected");
            case PROMOTION_EXPIRED -> promotion(r, config, Severity.ERROR, "Expired");
            case PROMOTION_FAILED -> promotion(r, config, Severity.ERROR, "Failed");
            default -> Optional.empty();
        };
    }

    /**
     * A promotion's record; a policy's own approval (no ImagePromotion gates it) is audited under the policy's name
     * and already told as the policy's selection, so only configured ImagePromotions are told about.
     */
    private static Optional<FluxEvent> promotion(AuditRecord r, TagstreamConfig config, Severity severity, String reason) {
        Optional<ResourceId> id = resourceId(r.subject());
        if (id.isEmpty() || config.find(ImagePromotion.class, id.get()).isEmpty()) {
            return Optional.empty();
        }
        return about(r, TAGSTREAM, "ImagePromotion", severity, reason);
    }

    private static Optional<FluxEvent> about(AuditRecord r, String apiVersion, String kind, Severity severity, String reason) {
        if (resourceId(r.subject()).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new FluxEvent(object(apiVersion, kind, r.subject()), severity, r.time(), r.reason(), reason,
                Map.of(), r.service(), Optional.empty()));
    }

    private static InvolvedObject object(String apiVersion, String kind, String id) {
        int slash = id.indexOf('/');
        return new InvolvedObject(apiVersion, kind, slash < 0 ? ResourceId.DEFAULT_NAMESPACE : id.substring(0, slash),
                slash < 0 ? id : id.substring(slash + 1));
    }

    /** The labels of the object an event is about, for an Alert's {@code matchLabels}. */
    public static Map<String, String> labels(InvolvedObject o, TagstreamConfig config) {
        ResourceId id = new ResourceId(o.namespace(), o.name());
        return config.resources().stream().filter(r -> r.kind().equals(o.kind()) && r.id().equals(id))
                .map(Resource::labels).findFirst().orElse(Map.of());
    }

    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[a-z0-9][-a-z0-9]*/[a-z0-9][-a-z0-9.]*");

    /** A subject that names a resource ({@code namespace/name}), not an image or a branch. */
    static Optional<ResourceId> resourceId(String subject) {
        return ID.matcher(subject).matches() ? Optional.of(ResourceId.parse(subject)) : Optional.empty();
    }
}
