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
                """.formatted(target, tags, approval))).config();
    }

    static PolicyMatched match(String tag) {
        return new PolicyMatched("ns/qe", "qe.example/app", tag, D, Optional.empty(), NOW);
    }

    @Test
    void manualWithSignalsNeedsBoth() throws Exception {
        TagstreamConfig c = config("{mode: manual, signals: [qe-passed, sec-scan]}");
        Gates g = new Gates();
        Promotion p = g.matched(match("1.0.0"), c.promotions(), "corr", NOW).get(0);
        assertEquals(Promotion.State.PENDING, p.state());
        assertEquals(Promotion.State.PENDING, g.approve(p.id(), "alice", "", c, NOW).state());
        assertEquals(Promotion.State.PENDING, g.signal("qe-passed", D, "ci", c, NOW).get(0).state());
        Promotion done = g.signal("sec-scan", D, "scanner", c, NOW).get(0);
        assertEquals(Promotion.State.APPROVED, done.state());
        assertEquals(Optional.of("signal:sec-scan"), done.decidedBy());
        assertEquals(404, assertThrows(Gates.Refused.class, () -> g.signal("qe-passed", D, "ci", c, NOW)).status(),
                "nothing is pending for this digest any more");
    }

    @Test
    void aRestoredPendingPromotionIsStillApprovable() throws Exception {
        TagstreamConfig c = config("{mode: manual}");
        Gates before = new Gates();
        Promotion p = before.matched(match("2.0.0"), c.promotions(), "corr", NOW).get(0);
        Gates after = new Gates();
        after.restore(Json.read(Json.writeString(p).getBytes(StandardCharsets.UTF_8), Promotion.class));
        assertEquals(List.of(p), after.list(Optional.of(Promotion.State.PENDING)));
        assertEquals(Promotion.State.APPROVED, after.approve(p.id(), "bob", "ok", c, NOW).state());
        assertEquals(List.of(), after.matched(match("2.0.0"), c.promotions(), "corr", NOW), "a redelivered match opens nothing");
    }

    @Test
    void aFollowerReadingAnOlderVersionAfterANewerKeepsTheNewer() throws Exception {
        TagstreamConfig c = config("{mode: manual}");
        Gates leader = new Gates();
        Promotion opened = leader.matched(match("3.0.0"), c.promotions(), "corr", NOW).get(0);
        Promotion approved = leader.approve(opened.id(), "bob", "", c, NOW);
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
        Promotion p = g.matched(match("924"), c.promotions(), "corr", NOW).get(0);
        assertEquals(List.of("924", "rc-aaaaaaaaaaaa", "qe-924"), Gates.targetTags(c.promotions().get(0), p));
        assertEquals(Promotion.State.APPROVED, p.state());
        assertEquals(Optional.of("auto"), p.decidedBy());
    }

    @Test
    void promotionsFollowTheirEditedGate() throws Exception {
        TagstreamConfig c = config("{mode: manual}");
        Gates g = new Gates();
        Promotion carried = g.matched(match("1.0.0"), c.promotions(), "corr", NOW).get(0);
        g.approve(carried.id(), "alice", "", c, NOW);
        g.carried(carried.id(), Optional.of("prod.example/app:1.0.0@" + D), Optional.empty(), NOW);
        Promotion waiting = g.matched(new PolicyMatched("ns/qe", "qe.example/app", "1.1.0", "sha256:" + "b".repeat(64),
                Optional.empty(), NOW), c.promotions(), "corr2", NOW).get(0);
        assertEquals(List.of(), g.reconfigured(c, NOW), "nothing edited, nothing changes");

        TagstreamConfig retargeted = config("{mode: manual}", "acr.example/fleet/app", "['{{tag}}']");
        List<Promotion> moved = g.reconfigured(retargeted, NOW);
        assertEquals(List.of(carried.id()), moved.stream().map(Promotion::id).toList());
        assertEquals(Optional.empty(), moved.get(0).target(), "to be copied into the new target and announced again");
        assertEquals(List.of(carried.id()), g.approvedNotCarriedOut().stream().map(Promotion::id).toList());
        assertEquals(Promotion.State.PENDING, g.get(waiting.id()).orElseThrow().state(), "a pending one simply waits");

        List<Promotion> removed = g.reconfigured(TagstreamConfig.EMPTY, NOW);
        assertEquals(List.of(waiting.id()), removed.stream().map(Promotion::id).toList());
        assertEquals(Promotion.State.SUPERSEDED, removed.get(0).state());
        assertEquals(Optional.of("ImagePromotion ns/prod is no longer configured"), removed.get(0).reason());
        assertEquals(409, assertThrows(Gates.Refused.class, () -> g.approve(waiting.id(), "bob", "", c, NOW)).status());
    }
}
