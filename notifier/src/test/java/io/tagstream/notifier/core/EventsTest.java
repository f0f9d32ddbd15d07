package io.tagstream.notifier.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tagstream.common.config.ConfigLoader;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.Audit;
import io.tagstream.common.events.AuditAction;
import io.tagstream.common.events.CommitPushed;
import io.tagstream.common.events.PolicyMatched;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Which records become Flux events, about which object, with which severity, reason and message. */
class EventsTest {

    static final TagstreamConfig CONFIG = new ConfigLoader().parse(Map.of("c.yaml", """
            apiVersion: image.toolkit.fluxcd.io/v1
            kind: ImagePolicy
            metadata: {name: app, namespace: flux-system}
            spec: {imageRepositoryRef: {name: app}, policy: {semver: {range: '>=1.0.0'}}}
            ---
            apiVersion: image.toolkit.fluxcd.io/v1
            kind: ImageRepository
            metadata: {name: app, namespace: flux-system, labels: {team: a}}
            spec: {image: ghcr.io/acme/app, interval: 1m}
            ---
            apiVersion: tagstream.io/v1alpha1
            kind: ImagePromotion
            metadata: {name: app-prod, namespace: flux-system}
            spec: {sourcePolicyRef: {name: app}, target: {image: prod.example/app}}
            """)).config();

    static final Instant T = Instant.parse("2026-12-06T10:00:00Z");

    static Arguments row(String service, AuditAction action, String subject, String expected) {
        var r = new Audit(service).record(action, subject, action.wire().endsWith("failed") ? io.tagstream.common.events.AuditRecord.Outcome.ERROR
                : io.tagstream.common.events.AuditRecord.Outcome.OK, "why", Optional.empty()).data();
        r = new io.tagstream.common.events.AuditRecord(r.id(), T, r.service(), r.action(), r.subject(), r.outcome(), r.reason(),
                Optional.empty(), Optional.empty());
        return Arguments.of(r, expected);
    }

    static Stream<Arguments> audits() {
        return Stream.of(
                row("registry-poller", AuditAction.SCAN_FAILED, "flux-system/app", "ImageRepository flux-system/app error ReadOperationFailed"),
                row("policy-evaluator", AuditAction.POLICY_FAILED, "flux-system/app", "ImagePolicy flux-system/app error ReconciliationFailed"),
                row("policy-evaluator", AuditAction.POLICY_UNSELECTED, "flux-system/app", "ImagePolicy flux-system/app error ReconciliationFailed"),
                row("git-writer", AuditAction.COMMIT_FAILED, "flux-system/auto", "ImageUpdateAutomation flux-system/auto error GitOperationFailed"),
                row("promoter", AuditAction.PROMOTION_PENDING, "flux-system/app-prod", "ImagePromotion flux-system/app-prod info Pending"),
                row("promoter", AuditAction.PROMOTION_APPROVED, "flux-system/app-prod", "ImagePromotion flux-system/app-prod info Approved"),
                row("promoter", AuditAction.PROMOTION_AVAILABLE, "flux-system/app-prod", "ImagePromotion flux-system/app-prod info Available"),
                row("promoter", AuditAction.PROMOTION_SUPERSEDED, "flux-system/app-prod", "ImagePromotion flux-system/app-prod info Superseded"),
                row("promoter", AuditAction.PROMOTION_REJECTED, "flux-system/app-prod", "ImagePromotion flux-system/app-prod error Rejected"),
                row("promoter", AuditAction.PROMOTION_EXPIRED, "flux-system/app-prod", "ImagePromotion flux-system/app-prod error Expired"),
                row("promoter", AuditAction.PROMOTION_FAILED, "flux-system/app-prod", "ImagePromotion flux-system/app-prod error Failed"),
                // a policy's own approval is audited under the policy: its selection already told it
                row("promoter", AuditAction.PROMOTION_APPROVED, "flux-system/app", "none"),
                // for operators, not alerts
                row("registry-poller", AuditAction.WEBHOOK_REJECTED, "flux-system/app", "none"),
                row("any", AuditAction.CONFIG_RELOAD, "config", "none"),
                row("notifier", AuditAction.NOTIFICATION_FAILED, "flux-system/slack", "none"),
                // a subject that is not a resource (an image ref) is not attributed to one
                row("registry-poller", AuditAction.SCAN_FAILED, "ghcr.io/acme/app:1.0", "none"));
    }

    @ParameterizedTest
    @MethodSource("audits")
    void auditRecords(io.tagstream.common.events.AuditRecord r, String expected) {
        Optional<FluxEvent> e = Events.of(new Input.Audited("id", r), CONFIG);
        assertEquals(expected, e.map(x -> x.involvedObject().kind() + " " + x.involvedObject().id() + " " + x.severity().wire()
                + " " + x.reason()).orElse("none"));
        e.ifPresent(x -> {
            assertEquals("why", x.message());
            assertEquals(r.service(), x.reportingController());
            assertEquals(T, x.timestamp());
            assertEquals(x.involvedObject().kind().equals("ImagePromotion") ? "tagstream.io/v1alpha1" : "image.toolkit.fluxcd.io/v1",
                    x.involvedObject().apiVersion());
        });
    }

    @Test
    void aSelectionIsToldAsFluxsImageReflectorTellsIt() {
        String digest = "sha256:" + "a".repeat(64);
        FluxEvent first = Events.of(new Input.Selected("e1", new PolicyMatched("flux-system/app", "ghcr.io/acme/app", "1.0.0",
                digest, Optional.empty(), T)), CONFIG).orElseThrow();
        assertEquals("Latest image tag for 'ghcr.io/acme/app' resolved to 1.0.0", first.message());
        assertEquals("Succeeded", first.reason());
        assertEquals(Map.of("image.toolkit.fluxcd.io/revision", "1.0.0@" + digest), first.metadata());
        FluxEvent next = Events.of(new Input.Selected("e2", new PolicyMatched("flux-system/app", "ghcr.io/acme/app", "1.1.0",
                digest, Optional.of(new PolicyMatched.TagRef("1.0.0", digest)), T)), CONFIG).orElseThrow();
        assertEquals("Latest image tag for 'ghcr.io/acme/app' updated from 1.0.0 to 1.1.0", next.message());
    }

    @Test
    void aPushIsToldAsFluxsImageAutomationTellsIt() {
        String sha = "0123456789abcdef0123456789abcdef01234567";
        FluxEvent e = Events.of(new Input.Pushed("e", new CommitPushed("flux-system/auto", "https://git.example/fleet", "main", sha,
                List.of(), T, List.of(), Optional.of("Update from image update automation"))), CONFIG).orElseThrow();
        assertEquals("pushed commit '0123456' to branch 'main'\nUpdate from image update automation", e.message());
        assertEquals("ImageUpdateAutomation", e.involvedObject().kind());
        assertEquals(Map.of("image.toolkit.fluxcd.io/revision", "main@sha1:" + sha), e.metadata());
        assertEquals("git-writer", e.reportingController());
    }
}
