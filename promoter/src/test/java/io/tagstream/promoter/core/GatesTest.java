package io.tagstream.promoter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        assertEquals(Promotion.State.PENDING, Gates.promotions(g.approve(p.id(), Gates.Caller.of("alice"), "", c, NOW)).get(0).state());
        assertEquals(Promotion.State.PENDING, Gates.promotions(g.signal("qe-passed", D, Gates.Caller.of("ci"), c, NOW)).get(0).state());
        Promotion done = Gates.promotions(g.signal("sec-scan", D, Gates.Caller.of("scanner"), c, NOW)).get(0);
        assertEquals(Promotion.State.APPROVED, done.state());
        assertEquals(Optional.of("signal:sec-scan"), done.decidedBy());
        assertEquals(Gates.Reason.NOTHING_PENDING_FOR_DIGEST,
                assertThrows(Gates.Refused.class, () -> g.signal("qe-passed", D, Gates.Caller.of("ci"), c, NOW)).reason(),
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
        assertEquals(Promotion.State.APPROVED, Gates.promotions(after.approve(p.id(), Gates.Caller.of("bob"), "ok", c, NOW)).get(0).state());
        assertEquals(List.of(), after.matched(match("2.0.0"), c.promotions(), "corr", NOW), "a redelivered match opens nothing");
    }

    @Test
    void aFollowerReadingAnOlderVersionAfterANewerKeepsTheNewer() throws Exception {
        TagstreamConfig c = config("{mode: manual}");
        Gates leader = new Gates();
        Promotion opened = Gates.promotions(leader.matched(match("3.0.0"), c.promotions(), "corr", NOW)).get(0);
        Promotion approved = Gates.promotions(leader.approve(opened.id(), Gates.Caller.of("bob"), "", c, NOW)).get(0);
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
        g.approve(carried.id(), Gates.Caller.of("alice"), "", c, NOW);
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
                assertThrows(Gates.Refused.class, () -> g.approve(waiting.id(), Gates.Caller.of("bob"), "", c, NOW)).reason());
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
                    case "approve" -> g.approve(id, Gates.Caller.of(s[1]), "", c, NOW);
                    case "reject" -> g.reject(id, Gates.Caller.of(s[1]), "", c, NOW);
                    default -> g.signal(s[1], D, Gates.Caller.of("ci"), c, NOW);
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
                    case "approve-unknown" -> g.approve("ns.nope", Gates.Caller.of("alice"), "", c, NOW);
                    case "approve-twice" -> {
                        g.approve(id, Gates.Caller.of("alice"), "", c, NOW);
                        g.approve(id, Gates.Caller.of("alice"), "", c, NOW);
                    }
                    case "approve" -> g.approve(id, Gates.Caller.of("alice"), "", c, NOW);
                    case "huge-comment" -> g.reject(id, Gates.Caller.of("alice"), "x".repeat(600_000), c, NOW);
                    case "huge-by" -> g.approve(id, Gates.Caller.of("a".repeat(1000)), "", c, NOW);
                    case "many" -> {
                        for (int i = 0; i <= Gates.MAX_APPROVALS; i++) {
                            g.approve(id, Gates.Caller.of("user-" + i), "", c, NOW);
                        }
                    }
                    default -> g.signal("sec-scan", D, Gates.Caller.of("ci"), c, NOW);
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

    record Decider(String name, String approval, List<Gates.Caller> approvals, Gates.Caller last, Promotion.State state,
            Optional<Gates.Reason> refused, List<String> waitingFor) {}

    static Gates.Caller user(String name, String... groups) {
        return new Gates.Caller("user:" + name, java.util.Set.of(groups));
    }

    /** Who may decide (approvers) and how many distinct identities it takes (requiredApprovals): our extension. */
    @Test
    void approversAndRequiredApprovalsDecideWhoAndHowMany() throws Exception {
        String twoOfSre = "{mode: manual, requiredApprovals: 2, approvers: {groups: [sre]}}";
        List<Decider> rows = List.of(
                new Decider("an approver in the group approves", "{mode: manual, approvers: {groups: [sre]}}", List.of(),
                        user("alice", "sre"), Promotion.State.APPROVED, Optional.empty(), List.of()),
                new Decider("a user named in the list approves", "{mode: manual, approvers: {users: [bob]}}", List.of(),
                        user("bob"), Promotion.State.APPROVED, Optional.empty(), List.of()),
                new Decider("an API token named in the list approves", "{mode: manual, approvers: {users: ['token:release-bot']}}",
                        List.of(), new Gates.Caller("token:release-bot", java.util.Set.of()), Promotion.State.APPROVED, Optional.empty(), List.of()),
                new Decider("someone outside the list is refused", "{mode: manual, approvers: {users: [bob], groups: [sre]}}",
                        List.of(), user("eve", "devs"), Promotion.State.PENDING, Optional.of(Gates.Reason.NOT_AN_APPROVER), List.of()),
                new Decider("a token is not the user of the same name", "{mode: manual, approvers: {users: [bob]}}",
                        List.of(), new Gates.Caller("token:bob", java.util.Set.of()), Promotion.State.PENDING,
                        Optional.of(Gates.Reason.NOT_AN_APPROVER), List.of()),
                new Decider("one of two: still pending, says how many more", twoOfSre, List.of(), user("alice", "sre"),
                        Promotion.State.PENDING, Optional.empty(), List.of("1 more of 2 distinct approvals")),
                new Decider("two distinct identities approve", twoOfSre, List.of(user("alice", "sre")), user("carol", "sre"),
                        Promotion.State.APPROVED, Optional.empty(), List.of()),
                new Decider("the same identity twice is not two approvals", twoOfSre, List.of(user("alice", "sre")),
                        user("alice", "sre"), Promotion.State.PENDING, Optional.of(Gates.Reason.ALREADY_APPROVED_BY_USER), List.of()),
                new Decider("a legacy bare name is the same user", twoOfSre, List.of(user("alice", "sre")),
                        new Gates.Caller("alice", java.util.Set.of("sre")), Promotion.State.PENDING,
                        Optional.of(Gates.Reason.ALREADY_APPROVED_BY_USER), List.of()));
        for (Decider r : rows) {
            TagstreamConfig c = config(r.approval());
            Gates g = new Gates();
            String id = Gates.promotions(g.matched(match("1.0.0"), c.promotions(), "corr", NOW)).get(0).id();
            for (Gates.Caller a : r.approvals()) {
                g.approve(id, a, "", c, NOW);
            }
            if (r.refused().isPresent()) {
                Gates.Refused e = assertThrows(Gates.Refused.class, () -> g.approve(id, r.last(), "", c, NOW), r.name());
                assertEquals(r.refused().get(), e.reason(), r.name() + ": " + e.getMessage());
                assertEquals(r.state(), g.get(id).orElseThrow().state(), r.name());
                continue;
            }
            Gates.Changed changed = (Gates.Changed) g.approve(id, r.last(), "", c, NOW).get(0);
            assertEquals(r.state(), changed.promotion().state(), r.name());
            assertEquals(r.waitingFor(), changed.waitingFor(), r.name());
        }
        TagstreamConfig c = config("{mode: manual, approvers: {groups: [sre]}}");
        Gates g = new Gates();
        String id = Gates.promotions(g.matched(match("1.0.0"), c.promotions(), "corr", NOW)).get(0).id();
        Gates.Refused e = assertThrows(Gates.Refused.class, () -> g.reject(id, user("eve", "devs"), "no", c, NOW));
        assertEquals("user:eve may not reject promotion " + id + ": ImagePromotion ns/prod is decided only by groups sre (rule: approvers)",
                e.getMessage());
        assertEquals(Gates.Kind.FORBIDDEN, e.reason().kind());
    }

    record SelfRow(String why, Optional<String> pushedBy, Gates.Caller caller, boolean refused) {}

    @Test
    void whoPushedAnImageMayNotApproveIt() throws Exception {
        TagstreamConfig c = config("{mode: manual, forbidSelfApproval: true}");
        for (SelfRow r : List.of(
                new SelfRow("the pusher approving", Optional.of("alice"), Gates.Caller.of("alice"), true),
                new SelfRow("case and an e-mail domain do not make another person", Optional.of("Alice@Example.com"),
                        Gates.Caller.of("user:alice"), true),
                new SelfRow("a bot's token pushed and approves", Optional.of("release-bot"), Gates.Caller.of("token:release-bot"), true),
                new SelfRow("someone else", Optional.of("alice"), Gates.Caller.of("bob"), false),
                new SelfRow("nobody named: taken, and the history says it was not checked", Optional.empty(), Gates.Caller.of("alice"), false))) {
            Gates g = new Gates();
            PolicyMatched m = new PolicyMatched("ns/qe", "qe.example/app", "1.0.0", D, Optional.empty(), NOW, r.pushedBy());
            Promotion opened = Gates.promotions(g.matched(m, c.promotions(), "corr", NOW)).get(0);
            assertEquals(r.pushedBy(), opened.pushedBy(), r.why());
            if (r.refused()) {
                Gates.Refused e = assertThrows(Gates.Refused.class, () -> g.approve(opened.id(), r.caller(), "", c, NOW), r.why());
                assertEquals(Gates.Reason.SELF_APPROVAL, e.reason(), r.why());
                assertEquals(Gates.Kind.FORBIDDEN, e.reason().kind());
                assertTrue(e.getMessage().endsWith("forbids approving one's own push (rule: forbidSelfApproval)"), e.getMessage());
                assertEquals(Promotion.State.PENDING, g.get(opened.id()).orElseThrow().state(), r.why());
            } else {
                Promotion done = Gates.promotions(g.approve(opened.id(), r.caller(), "", c, NOW)).get(0);
                assertEquals(Promotion.State.APPROVED, done.state(), r.why());
                boolean noted = done.history().stream().anyMatch(h -> h.note().contains("self-approval not checked"));
                assertEquals(r.pushedBy().isEmpty(), noted, r.why() + ": " + done.history());
            }
        }
        // without the setting, the pusher may approve (as before)
        Gates g = new Gates();
        TagstreamConfig open = config("{mode: manual}");
        Promotion p = Gates.promotions(g.matched(new PolicyMatched("ns/qe", "qe.example/app", "1.0.0", D, Optional.empty(), NOW,
                Optional.of("alice")), open.promotions(), "corr", NOW)).get(0);
        assertEquals(Promotion.State.APPROVED, Gates.promotions(g.approve(p.id(), Gates.Caller.of("alice"), "", open, NOW)).get(0).state());
    }

    @Test
    void approvalSettingsThatCannotWorkAreConfigErrors() {
        for (String[] row : List.of(
                new String[] {"{mode: auto, requiredApprovals: 2}", "spec.approval.requiredApprovals needs mode: manual"},
                new String[] {"{mode: auto, approvers: {users: [bob]}}", "spec.approval.approvers needs mode: manual"},
                new String[] {"{mode: manual, requiredApprovals: 0}", "is not a whole number from 1 to 10"},
                new String[] {"{mode: manual, requiredApprovals: 11}", "is not a whole number from 1 to 10"},
                new String[] {"{mode: auto, forbidSelfApproval: true}", "spec.approval.forbidSelfApproval needs mode: manual"},
                new String[] {"{mode: manual, forbidSelfApproval: maybe}", "forbidSelfApproval"})) {
            var ex = assertThrows(io.tagstream.common.config.ConfigException.class, () -> config(row[0]), row[0]);
            assertTrue(ex.getMessage().contains(row[1]), row[0] + " → " + ex.getMessage());
        }
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
