package io.tagstream.promoter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tagstream.common.config.ConfigLoader;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.Json;
import io.tagstream.common.events.PolicyMatched;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GatesTest {

    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    static final String D = "sha256:" + "a".repeat(64);

    static TagstreamConfig config(String approval) {
        return config(approval, "prod.example/app", "['{{tag}}', 'rc-{{digest.short}}', '{{policy}}-{{tag}}']");
    }

    static TagstreamConfig config(String approval, String target, String tags) {
        return config(approval, target, tags, "");
    }

    /** @param extra more lines of the ImagePromotion's spec */
    static TagstreamConfig config(String approval, String target, String tags, String extra) {
        return new ConfigLoader().parse(Map.of("c.yaml", """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: qe, namespace: ns}
                spec: {image: qe.example/app, interval: 1m}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: qe, namespace: ns}
                spec: {imageRepositoryRef: {name: qe}, policy: {semver: {range: '>=1'}}}
                ---
                apiVersion: tagstream.io/v1alpha1
                kind: ImagePromotion
                metadata: {name: prod, namespace: ns}
                spec:
                  sourcePolicyRef: {name: qe}
                  target: {image: %s, tags: %s}
                  approval: %s
                  %s
                """.formatted(target, tags, approval, extra))).config();
    }

    static PolicyMatched match(String tag) {
        return new PolicyMatched("ns/qe", "qe.example/app", tag, D, Optional.empty(), NOW);
    }

    @Test
    void manualWithSignalsNeedsBoth() throws Exception {
        TagstreamConfig c = config("{mode: manual, signals: [qe-passed, sec-scan]}");
        Gates g = new Gates();
        Promotion p = Gates.promotions(g.matched(match("1.0.0"), c.promotions(), "corr", NOW)).get(0);
        assertEquals(Promotion.State.PENDING, p.state());
        assertEquals(Promotion.State.PENDING, Gates.promotions(g.approve(p.id(), "alice", "", c, NOW)).get(0).state());
        assertEquals(Promotion.State.PENDING, Gates.promotions(g.signal("qe-passed", D, "ci", c, NOW)).get(0).state());
        Promotion done = Gates.promotions(g.signal("sec-scan", D, "scanner", c, NOW)).get(0);
        assertEquals(Promotion.State.APPROVED, done.state());
        assertEquals(Optional.of("signal:sec-scan"), done.decidedBy());
        assertEquals(Gates.Reason.NOTHING_PENDING_FOR_DIGEST,
                assertThrows(Gates.Refused.class, () -> g.signal("qe-passed", D, "ci", c, NOW)).reason(),
                "nothing is pending for this digest any more");
    }

    @Test
    void aRestoredPendingPromotionIsStillApprovable() throws Exception {
        TagstreamConfig c = config("{mode: manual}");
        Gates before = new Gates();
        Promotion p = Gates.promotions(before.matched(match("2.0.0"), c.promotions(), "corr", NOW)).get(0);
        Gates after = new Gates();
        after.restore(Json.read(Json.writeString(p).getBytes(StandardCharsets.UTF_8), Promotion.class));
        assertEquals(List.of(p), after.list(Optional.of(Promotion.State.PENDING)));
        assertEquals(Promotion.State.APPROVED, Gates.promotions(after.approve(p.id(), "bob", "ok", c, NOW)).get(0).state());
        assertEquals(List.of(), after.matched(match("2.0.0"), c.promotions(), "corr", NOW), "a redelivered match opens nothing");
    }

    @Test
    void aFollowerReadingAnOlderVersionAfterANewerKeepsTheNewer() throws Exception {
        TagstreamConfig c = config("{mode: manual}");
        Gates leader = new Gates();
        Promotion opened = Gates.promotions(leader.matched(match("3.0.0"), c.promotions(), "corr", NOW)).get(0);
        Promotion approved = Gates.promotions(leader.approve(opened.id(), "bob", "", c, NOW)).get(0);
        Gates follower = new Gates();
        follower.restore(approved);
        follower.restore(opened); // the pod's own earlier write, read back late
        assertEquals(Promotion.State.APPROVED, follower.get(opened.id()).orElseThrow().state());
        assertEquals(List.of(approved), follower.approvedNotCarriedOut());
        Promotion carried = follower.carried(opened.id(), Optional.of("prod.example/app:3.0.0@" + D), Optional.empty(), NOW);
        assertEquals(List.of(), follower.approvedNotCarriedOut(), "carried out: " + carried.target());
    }

    @Test
    void targetTagTemplates() {
        TagstreamConfig c = config("{mode: auto}");
        Gates g = new Gates();
        Promotion p = Gates.promotions(g.matched(match("924"), c.promotions(), "corr", NOW)).get(0);
        assertEquals(List.of("924", "rc-aaaaaaaaaaaa", "qe-924"), CopyPlan.of(c.promotions().get(0), p).orElseThrow().tags());
        assertEquals(Promotion.State.APPROVED, p.state());
        assertEquals(Optional.of("auto"), p.decidedBy());
    }

    @Test
    void promotionsFollowTheirEditedGate() throws Exception {
        TagstreamConfig c = config("{mode: manual}");
        Gates g = new Gates();
        Promotion carried = Gates.promotions(g.matched(match("1.0.0"), c.promotions(), "corr", NOW)).get(0);
        g.approve(carried.id(), "alice", "", c, NOW);
        g.carried(carried.id(), Optional.of("prod.example/app:1.0.0@" + D), Optional.empty(), NOW);
        Promotion waiting = Gates.promotions(g.matched(new PolicyMatched("ns/qe", "qe.example/app", "1.1.0",
                "sha256:" + "b".repeat(64), Optional.empty(), NOW), c.promotions(), "corr2", NOW)).get(0);
        assertEquals(List.of(), g.reconfigured(c, NOW), "nothing edited, nothing changes");

        TagstreamConfig retargeted = config("{mode: manual}", "acr.example/fleet/app", "['{{tag}}']");
        List<Promotion> moved = Gates.promotions(g.reconfigured(retargeted, NOW));
        assertEquals(List.of(carried.id()), moved.stream().map(Promotion::id).toList());
        assertEquals(Optional.empty(), moved.get(0).target(), "to be copied into the new target and announced again");
        assertEquals(List.of(carried.id()), g.approvedNotCarriedOut().stream().map(Promotion::id).toList());
        assertEquals(Promotion.State.PENDING, g.get(waiting.id()).orElseThrow().state(), "a pending one simply waits");

        List<Promotion> removed = Gates.promotions(g.reconfigured(TagstreamConfig.EMPTY, NOW));
        assertEquals(List.of(waiting.id()), removed.stream().map(Promotion::id).toList());
        assertEquals(Promotion.State.SUPERSEDED, removed.get(0).state());
        assertEquals(Optional.of("ImagePromotion ns/prod is no longer configured"), removed.get(0).reason());
        assertEquals(Gates.Reason.NOT_PENDING,
                assertThrows(Gates.Refused.class, () -> g.approve(waiting.id(), "bob", "", c, NOW)).reason());
    }

    record Flow(String name, String approval, List<String> steps, Promotion.State state, List<String> waitingFor,
            boolean carryOut) {}

    /** Each step: "approve:<user>", "signal:<name>", "reject:<user>"; the last step's effects are checked. */
    @Test
    void eachDecisionReturnsItsEffects() throws Exception {
        List<Flow> rows = List.of(
                new Flow("auto: approved and carried out at once", "{mode: auto}", List.of(), Promotion.State.APPROVED,
                        List.of(), true),
                new Flow("manual: waits for a person", "{mode: manual}", List.of(), Promotion.State.PENDING,
                        List.of("a person's approval"), false),
                new Flow("manual with signals: waits for both", "{mode: manual, signals: [qe-passed]}", List.of(),
                        Promotion.State.PENDING, List.of("a person's approval", "signal qe-passed"), false),
                new Flow("a person approved, a signal missing", "{mode: manual, signals: [qe-passed]}", List.of("approve:alice"),
                        Promotion.State.PENDING, List.of("signal qe-passed"), false),
                new Flow("the last signal approves and carries out", "{mode: manual, signals: [qe-passed]}",
                        List.of("approve:alice", "signal:qe-passed"), Promotion.State.APPROVED, List.of(), true),
                new Flow("rejected: nothing to carry out", "{mode: manual}", List.of("reject:bob"), Promotion.State.REJECTED,
                        List.of(), false));
        for (Flow r : rows) {
            TagstreamConfig c = config(r.approval());
            Gates g = new Gates();
            List<Gates.Effect> effects = g.matched(match("1.0.0"), c.promotions(), "corr", NOW);
            String id = Gates.promotions(effects).get(0).id();
            for (String step : r.steps()) {
                String[] s = step.split(":");
                effects = switch (s[0]) {
                    case "approve" -> g.approve(id, s[1], "", c, NOW);
                    case "reject" -> g.reject(id, s[1], "", NOW);
                    default -> g.signal(s[1], D, "ci", c, NOW);
                };
            }
            Gates.Changed changed = (Gates.Changed) effects.get(0);
            assertEquals(r.state(), changed.promotion().state(), r.name());
            assertEquals(r.waitingFor(), changed.waitingFor(), r.name());
            assertEquals(r.carryOut(), effects.stream().anyMatch(e -> e instanceof Gates.CarryOut), r.name());
        }
    }

    record Refusal(String name, String approval, String step, Gates.Reason reason) {}

    @Test
    void refusalsSayWhyAsATypeNotAStatusCode() throws Exception {
        List<Refusal> rows = List.of(
                new Refusal("unknown promotion", "{mode: manual}", "approve-unknown", Gates.Reason.NO_SUCH_PROMOTION),
                new Refusal("the same person twice", "{mode: manual, signals: [qe-passed]}", "approve-twice",
                        Gates.Reason.ALREADY_APPROVED_BY_USER),
                new Refusal("decided already", "{mode: auto}", "approve", Gates.Reason.NOT_PENDING),
                new Refusal("a signal the gate does not need", "{mode: manual}", "signal-other", Gates.Reason.NOT_WAITING_FOR_SIGNAL),
                new Refusal("a comment of 600 KB", "{mode: manual}", "huge-comment", Gates.Reason.FIELD_TOO_LONG),
                new Refusal("an approver's name of 1,000 characters", "{mode: manual}", "huge-by", Gates.Reason.FIELD_TOO_LONG),
                new Refusal("fifty-one approvers while a signal is missing", "{mode: manual, signals: [qe-passed]}", "many",
                        Gates.Reason.TOO_MANY_APPROVALS));
        for (Refusal r : rows) {
            TagstreamConfig c = config(r.approval());
            Gates g = new Gates();
            String id = Gates.promotions(g.matched(match("1.0.0"), c.promotions(), "corr", NOW)).get(0).id();
            Gates.Refused e = assertThrows(Gates.Refused.class, () -> {
                switch (r.step()) {
                    case "approve-unknown" -> g.approve("ns.nope", "alice", "", c, NOW);
                    case "approve-twice" -> {
                        g.approve(id, "alice", "", c, NOW);
                        g.approve(id, "alice", "", c, NOW);
                    }
                    case "approve" -> g.approve(id, "alice", "", c, NOW);
                    case "huge-comment" -> g.reject(id, "alice", "x".repeat(600_000), NOW);
                    case "huge-by" -> g.approve(id, "a".repeat(1000), "", c, NOW);
                    case "many" -> {
                        for (int i = 0; i <= Gates.MAX_APPROVALS; i++) {
                            g.approve(id, "user-" + i, "", c, NOW);
                        }
                    }
                    default -> g.signal("sec-scan", D, "ci", c, NOW);
                }
            }, r.name());
            assertEquals(r.reason(), e.reason(), r.name() + ": " + e.getMessage());
        }
        assertEquals(Gates.Kind.INVALID, Gates.Reason.FIELD_TOO_LONG.kind());
        assertEquals(Optional.of("comment is 600000 characters; at most 4096"),
                Gates.checkFields("bob", "x".repeat(600_000), null));
        assertEquals(Gates.Kind.UNKNOWN, Gates.Reason.NO_SUCH_PROMOTION.kind());
        assertEquals(Gates.Kind.CONFLICT, Gates.Reason.NOT_PENDING.kind());
    }

    @Test
    void historyIsTypedAndRecordsStoredAsTextStillRead() {
        TagstreamConfig c = config("{mode: auto}");
        Promotion p = Gates.promotions(new Gates().matched(match("1.0.0"), c.promotions(), "corr", NOW)).get(0);
        assertEquals(List.of(Promotion.Kind.OPENED, Promotion.Kind.APPROVED), p.history().stream().map(Promotion.Step::kind).toList());
        assertEquals(p, Json.read(Json.writeString(p).getBytes(StandardCharsets.UTF_8), Promotion.class));

        String stored = Json.writeString(p).replaceFirst("\"history\":\\[.*]", "\"history\":[\"" + NOW
                + " opened by the selection of 1.0.0\",\"" + NOW + " approved by user:alice (ok)\",\"" + NOW
                + " approved (user:alice)\",\"" + NOW + " target is now acr.example/app (was prod.example/app): copying again\"]");
        Promotion old = Json.read(stored.getBytes(StandardCharsets.UTF_8), Promotion.class);
        assertEquals(List.of(new Promotion.Step(NOW, Promotion.Kind.OPENED, "opened by the selection of 1.0.0"),
                new Promotion.Step(NOW, Promotion.Kind.APPROVAL, "approved by user:alice (ok)"),
                new Promotion.Step(NOW, Promotion.Kind.APPROVED, "approved (user:alice)"),
                new Promotion.Step(NOW, Promotion.Kind.RETARGETED, "target is now acr.example/app (was prod.example/app): copying again")),
                old.history());
    }

    @Test
    void theCopyPlanNamesTargetTagsAndCosignArtifacts() {
        Promotion p = Gates.promotions(new Gates().matched(match("924"), config("{mode: auto}").promotions(), "corr", NOW)).get(0);
        TagstreamConfig signed = config("{mode: auto}", "ctfacentry.azurecr.io/eose-fleet/app", "['{{tag}}']",
                "copySignatures: true");
        CopyPlan plan = CopyPlan.of(signed.promotions().get(0), p).orElseThrow();
        assertEquals("qe.example/app", plan.from().canonical());
        assertEquals("ctfacentry.azurecr.io/eose-fleet/app:924@" + D, plan.targetRef());
        String base = "sha256-" + "a".repeat(64);
        assertEquals(List.of(base + ".sig", base + ".att", base + ".sbom"), plan.signatureTags());
        assertEquals(List.of(), CopyPlan.of(config("{mode: auto}").promotions().get(0), p).orElseThrow().signatureTags(),
                "signatures only when the gate asks");
    }
}
