package io.tagstream.promoter;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.Json;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.common.events.Topic;
import io.tagstream.common.state.CompactedTopic;
import io.tagstream.promoter.core.Promotion;
import io.tagstream.testkit.KafkaBroker;
import io.tagstream.testkit.TestImages;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

/** Approval gates over REST and signals, and digest-preserving copies into a prod registry with basic auth. */
@QuarkusTest
@WithTestResource(PromoterFixture.class)
class GatesOnRegistriesTest {

    static CloudEvent<PolicyMatched> match(String app, TestImages.Pushed img) {
        return match(app, img, Optional.empty());
    }

    /** A selection as policy-evaluator announces it, naming who pushed when the registry's notification said. */
    static CloudEvent<PolicyMatched> match(String app, TestImages.Pushed img, Optional<String> pushedBy) {
        var e = CloudEvent.start("test", new PolicyMatched("flux-system/qe-" + app, PromoterFixture.qe.host() + "/" + app,
                img.tag(), img.digest(), Optional.empty(), Instant.now(), pushedBy));
        KafkaBroker.shared().publish(Topic.POLICY_MATCHED.defaultName(), e);
        return e;
    }

    /** A caller as the service sees one: a JWT from the test's identity provider, for a user in the approvers group. */
    static RequestSpecification as(String user) {
        return given().header("Authorization", "Bearer " + PromoterFixture.idp.token(user, "approvers"));
    }

    /** A bot with an API token from the fixture's token table. */
    static RequestSpecification asToken(String name) {
        return given().header("Authorization", "Bearer " + PromoterFixture.tokens.get(name));
    }

    static RequestSpecification viewer() {
        return given().header("Authorization", "Bearer " + PromoterFixture.idp.token("dashboard", "viewers"));
    }

    static String id(String promotion, TestImages.Pushed img) {
        return "flux-system." + promotion + "." + img.tag() + "." + img.digest().substring(7, 19);
    }

    static void awaitState(String id, String state) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            var r = viewer().get("/api/v1/promotions/" + id);
            if (r.statusCode() == 200 && state.equals(r.jsonPath().getString("state"))) {
                return;
            }
            Thread.sleep(100);
        }
        viewer().get("/api/v1/promotions/" + id).then().body("state", equalTo(state));
    }

    static CloudEvent<PromotionApproved> approved(String promotion) {
        return KafkaBroker.shared().events(Topic.PROMOTION_APPROVED.defaultName(), PromotionApproved.class,
                l -> l.stream().anyMatch(e -> e.data().promotion().equals(promotion)), Duration.ofSeconds(30))
                .stream().filter(e -> e.data().promotion().equals(promotion)).findFirst().orElseThrow();
    }

    @Test
    void manualApprovalCopiesWithTheSameDigestAndSupersedesOlderOnes() throws Exception {
        var old = TestImages.push(PromoterFixture.qe, "portal", "923");
        var img = TestImages.push(PromoterFixture.qe, "portal", "924", 2, 8192);
        match("portal", old);
        awaitState(id("portal-prod", old), "PENDING");
        var m = match("portal", img);
        awaitState(id("portal-prod", img), "PENDING");
        awaitState(id("portal-prod", old), "SUPERSEDED");
        viewer().get("/api/v1/promotions?state=pending").then().statusCode(200).body("id", org.hamcrest.Matchers.hasItem(id("portal-prod", img)));
        as("qe-bot").contentType(ContentType.JSON).body("{\"by\": \"qe-bot\", \"comment\": \"QE passed\"}")
                .post("/api/v1/promotions/" + id("portal-prod", old) + "/approve").then().statusCode(409)
                .body("error", containsString("superseded"));
        as("qe-bot").contentType(ContentType.JSON).body("{\"by\": \"qe-bot\", \"comment\": \"QE passed\"}")
                .post("/api/v1/promotions/" + id("portal-prod", img) + "/approve").then().statusCode(200).body("state", equalTo("APPROVED"));
        as("qe-bot").contentType(ContentType.JSON).body("{\"by\": \"qe-bot\"}")
                .post("/api/v1/promotions/" + id("portal-prod", img) + "/approve").then().statusCode(409);
        as("qe-bot").contentType(ContentType.JSON).body("{\"by\": \"qe-bot\"}").post("/api/v1/promotions/nope/approve").then().statusCode(404);

        CloudEvent<PromotionApproved> a = approved("flux-system/portal-prod");
        assertEquals("user:qe-bot", a.data().approvedBy());
        assertTrue(a.data().copied());
        assertEquals(PromoterFixture.prod.host() + "/eose-fleet/pemos-portal:924@" + img.digest(), a.data().target().toString());
        assertEquals(m.correlationId(), a.correlationId());
        assertEquals(img.digest(), "sha256:" + TestImages.sha256(PromoterFixture.prod.rawManifest("eose-fleet/pemos-portal:924")));
        awaitState(id("portal-prod", img), "APPROVED");
        viewer().get("/api/v1/promotions/" + id("portal-prod", img)).then().body("target", equalTo(a.data().target().toString()));

        // a restarted promoter rebuilds every promotion from the state topic
        Map<String, Promotion> rebuilt = new HashMap<>();
        try (CompactedTopic t = new CompactedTopic(KafkaBroker.shared().bootstrapServers(), "tagstream.promoter.state")) {
            t.load((k, v) -> rebuilt.put(k, Json.read(v.getBytes(StandardCharsets.UTF_8), Promotion.class)));
        }
        assertEquals(Promotion.State.SUPERSEDED, rebuilt.get(id("portal-prod", old)).state());
        assertEquals(Optional.of(a.data().target().toString()), rebuilt.get(id("portal-prod", img)).target());
    }

    @Test
    void whoPushedTheImageMayNotApproveIt() throws Exception {
        // pushed-prod has forbidSelfApproval: the registry named carol as the pusher of 926, nobody for 927
        var img = TestImages.push(PromoterFixture.qe, "pushed", "926");
        match("pushed", img, Optional.of("carol"));
        awaitState(id("pushed-prod", img), "PENDING");
        viewer().get("/api/v1/promotions/" + id("pushed-prod", img)).then().body("pushedBy", equalTo("carol"));
        as("Carol").contentType(ContentType.JSON).body("{}").post("/api/v1/promotions/" + id("pushed-prod", img) + "/approve")
                .then().statusCode(403).body("error", containsString("the registry named carol as who pushed 926"))
                .body("error", containsString("(rule: forbidSelfApproval)"));
        awaitState(id("pushed-prod", img), "PENDING");
        as("dave").contentType(ContentType.JSON).body("{}").post("/api/v1/promotions/" + id("pushed-prod", img) + "/approve")
                .then().statusCode(200).body("state", equalTo("APPROVED"));
        assertEquals("user:dave", approved("flux-system/pushed-prod").data().approvedBy());

        var unnamed = TestImages.push(PromoterFixture.qe, "pushed", "927");
        match("pushed", unnamed);
        awaitState(id("pushed-prod", unnamed), "PENDING");
        as("carol").contentType(ContentType.JSON).body("{}").post("/api/v1/promotions/" + id("pushed-prod", unnamed) + "/approve")
                .then().statusCode(200).body("history.note", org.hamcrest.Matchers.hasItem(containsString(
                        "self-approval not checked: the registry did not say who pushed 927")));
    }

    @Test
    void signalApprovesAndUnknownDigestsAreRefused() throws Exception {
        var img = TestImages.push(PromoterFixture.qe, "signed", "930");
        var sig = TestImages.push(PromoterFixture.qe, "signed", img.digest().replace(':', '-') + ".sig"); // cosign's tag
        match("signed", img);
        awaitState(id("signed-prod", img), "PENDING");
        asToken("qe-bot").contentType(ContentType.JSON).body("{\"signal\": \"qe-passed\", \"digest\": \"sha256:" + "0".repeat(64) + "\", \"by\": \"ci\"}")
                .post("/api/v1/signals").then().statusCode(404);
        asToken("qe-bot").contentType(ContentType.JSON).body("{\"signal\": \"qe-passed\", \"image\": \"" + img.reference() + "@" + img.digest() + "\", \"by\": \"ci\"}")
                .post("/api/v1/signals").then().statusCode(202);
        var a = approved("flux-system/signed-prod");
        assertEquals("signal:qe-passed", a.data().approvedBy());
        String shortTag = "qe-" + img.digest().substring(7, 19);
        assertEquals(img.digest(), "sha256:" + TestImages.sha256(PromoterFixture.prod.rawManifest("signed:" + shortTag)));
        assertEquals(sig.digest(), "sha256:" + TestImages.sha256(PromoterFixture.prod.rawManifest("signed:" + sig.tag())),
                "copySignatures brings the signature along");
    }

    @Test
    void deadlinesExpireAndRejectionsStick() throws Exception {
        var img = TestImages.push(PromoterFixture.qe, "quick", "940");
        match("quick", img);
        awaitState(id("quick-prod", img), "EXPIRED");
        as("late").contentType(ContentType.JSON).body("{\"by\": \"late\"}").post("/api/v1/promotions/" + id("quick-prod", img) + "/approve")
                .then().statusCode(409).body("error", containsString("expired"));
        var next = TestImages.push(PromoterFixture.qe, "quick", "941");
        match("quick", next);
        awaitState(id("quick-prod", next), "PENDING");
        as("sre").contentType(ContentType.JSON).body("{\"by\": \"sre\", \"comment\": \"breaks login\"}")
                .post("/api/v1/promotions/" + id("quick-prod", next) + "/reject").then().statusCode(200).body("state", equalTo("REJECTED"));
        viewer().get("/api/v1/promotions?state=rejected").then().body("reason", org.hamcrest.Matchers.hasItem("breaks login"));
    }

    @Test
    void aTargetThatRefusesThePushFailsWithItsOwnError() throws Exception {
        var img = TestImages.push(PromoterFixture.qe, "frozen", "950");
        match("frozen", img);
        awaitState(id("frozen-prod", img), "FAILED");
        viewer().get("/api/v1/promotions/" + id("frozen-prod", img)).then().body("reason", containsString("405 Method not allowed"));
        List<?> events = KafkaBroker.shared().events(Topic.PROMOTION_APPROVED.defaultName(), PromotionApproved.class,
                l -> false, Duration.ofSeconds(1)).stream().filter(e -> e.data().promotion().equals("flux-system/frozen-prod")).toList();
        assertEquals(List.of(), events, "never a silent success");
    }

    /** The leader's replies in the state topic, by request id. */
    static Map<String, io.tagstream.promoter.adapters.Reply> replies() {
        Map<String, io.tagstream.promoter.adapters.Reply> out = new HashMap<>();
        try (CompactedTopic t = new CompactedTopic(KafkaBroker.shared().bootstrapServers(), "tagstream.promoter.state")) {
            t.load((k, v) -> {
                if (io.tagstream.promoter.core.StateKey.decode(k) instanceof io.tagstream.promoter.core.StateKey.OfReply && v != null) {
                    var r = Json.read(v.getBytes(StandardCharsets.UTF_8), io.tagstream.promoter.adapters.Reply.class);
                    out.put(r.request(), r);
                }
            });
        }
        return out;
    }

    @Test
    void aDecisionDeliveredTwiceIsAppliedOnce() throws Exception {
        var img = TestImages.push(PromoterFixture.qe, "portal", "925");
        match("portal", img);
        String id = id("portal-prod", img);
        awaitState(id, "PENDING");
        // what a redelivery looks like to the leader: the same request twice on the requests topic, then another one
        byte[] reject = Json.write(new io.tagstream.promoter.adapters.Request.Reject("twice-1", id, "sre", List.of(), "breaks login"));
        byte[] approve = Json.write(new io.tagstream.promoter.adapters.Request.Approve("twice-2", id, "qe-bot", List.of(), ""));
        try (var producer = KafkaBroker.shared().producer()) {
            for (byte[] r : List.of(reject, reject, approve)) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("tagstream.promoter.requests", r)).get();
            }
        }
        Map<String, io.tagstream.promoter.adapters.Reply> replies = Map.of();
        for (int i = 0; i < 100 && !replies.containsKey("twice-2"); i++) {
            Thread.sleep(100);
            replies = replies();
        }
        assertEquals(409, replies.get("twice-2").status(), "approving a rejected promotion is refused");
        assertEquals(200, replies.get("twice-1").status(), "the redelivered reject left the first answer as it was");
        awaitState(id, "REJECTED");
        List<String> history = viewer().get("/api/v1/promotions/" + id).jsonPath().getList("history.note", String.class);
        assertEquals(1, history.stream().filter(h -> h.contains("rejected by user:sre")).count(), String.join("\n", history));
    }

    @Test
    void anOversizedOrInvalidRequestIsRefusedAndTheOnesBehindItStillApply() throws Exception {
        var img = TestImages.push(PromoterFixture.qe, "portal", "930");
        match("portal", img);
        String id = id("portal-prod", img);
        awaitState(id, "PENDING");
        String huge = "x".repeat(600_000);
        as("sre").contentType(ContentType.JSON).body("{\"by\": \"sre\", \"comment\": \"" + huge + "\"}")
                .post("/api/v1/promotions/" + id + "/reject").then().statusCode(400)
                .body("error", containsString("comment is 600000 characters; at most 4096"));

        // straight onto the requests topic (a pod of an older version, a hand-made record): each is refused or skipped
        byte[] oversized = Json.write(new io.tagstream.promoter.adapters.Request.Reject("huge-1", id, "sre", List.of(), huge));
        String open = Json.writeString(new io.tagstream.promoter.adapters.Request.Open("bad-open", "test", Instant.now(), "c",
                new PolicyMatched("flux-system/qe-portal", PromoterFixture.qe.host() + "/portal", "931", img.digest(),
                        Optional.empty(), Instant.now())));
        byte[] notATag = open.replace("\"tag\":\"931\"", "\"tag\":\"zz?x=../../\"").getBytes(StandardCharsets.UTF_8);
        // a reject, so that no promotion-approved of portal-prod comes from this test
        byte[] after = Json.write(new io.tagstream.promoter.adapters.Request.Reject("after-1", id, "sre", List.of(), "not this one"));
        try (var producer = KafkaBroker.shared().producer()) {
            for (byte[] r : List.of(oversized, notATag, after)) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("tagstream.promoter.requests", r)).get();
            }
        }
        Map<String, io.tagstream.promoter.adapters.Reply> replies = Map.of();
        for (int i = 0; i < 100 && !replies.containsKey("after-1"); i++) {
            Thread.sleep(100);
            replies = replies();
        }
        assertEquals(400, replies.get("huge-1").status(), "refused, naming the limit: " + replies.get("huge-1"));
        assertTrue(replies.get("huge-1").error().orElseThrow().contains("at most 4096"));
        assertEquals(200, replies.get("after-1").status(), "the request behind them is applied");
        awaitState(id, "REJECTED");
        viewer().get("/api/v1/promotions?state=pending").then().body("tag", org.hamcrest.Matchers.not(org.hamcrest.Matchers
                .hasItem("zz?x=../../")));
        viewer().get("/q/health").then().statusCode(200);
    }

    @Test
    void promotionsAreListedInPages() throws Exception {
        var one = TestImages.push(PromoterFixture.qe, "portal", "940");
        var two = TestImages.push(PromoterFixture.qe, "portal", "941");
        match("portal", one);
        awaitState(id("portal-prod", one), "PENDING");
        match("portal", two);
        awaitState(id("portal-prod", two), "PENDING");
        var page = viewer().get("/api/v1/promotions?limit=1");
        page.then().statusCode(200).body("size()", equalTo(1)).header("Link", containsString("limit=1&offset=1"));
        assertTrue(Integer.parseInt(page.header("X-Total-Count")) >= 2, page.header("X-Total-Count"));
        viewer().get("/api/v1/promotions?limit=1&offset=1").then().statusCode(200).body("size()", equalTo(1));
        viewer().get("/api/v1/promotions?limit=0").then().statusCode(400).body("error", containsString("limit must be"));
        viewer().get("/api/v1/promotions?limit=5000").then().statusCode(400);
    }

    static java.net.http.HttpResponse<String> raw(String method, String path, String contentType, String body, Map<String, String> headers)
            throws Exception {
        var b = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + io.restassured.RestAssured.port + path))
                .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                        : java.net.http.HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        headers.forEach(b::header);
        return java.net.http.HttpClient.newHttpClient().send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    /** Access control on the running service: who is let in, who is refused and by which rule, and what is recorded. */
    @Test
    void onlyAuthenticatedApproversDecideAndTheirIdentityIsRecorded() throws Exception {
        var img = TestImages.push(PromoterFixture.qe, "gated", "940");
        match("gated", img);
        String id = id("gated-prod", img);
        awaitState(id, "PENDING");
        String approve = "/api/v1/promotions/" + id + "/approve";
        String json = "{\"by\": \"mallory\", \"comment\": \"ship it\"}";
        var idp = PromoterFixture.idp;
        record Try(String name, String contentType, Map<String, String> headers, int status, String says) {}
        List<Try> tries = List.of(
                new Try("no token", "application/json", Map.of(), 401, "rule: authentication"),
                new Try("a forged token", "application/json", Map.of("Authorization", "Bearer " + idp.forged("bob", "release-managers")), 401, "bad signature"),
                new Try("an expired token", "application/json", Map.of("Authorization", "Bearer " + idp.expired("bob", "release-managers")), 401, "expired"),
                new Try("a token for another audience", "application/json",
                        Map.of("Authorization", "Bearer " + idp.forAudience("grafana", "bob", "release-managers")), 401, "wrong audience"),
                new Try("a viewer", "application/json", Map.of("Authorization", "Bearer " + idp.token("vic", "viewers")), 403, "rule: approver role"),
                new Try("the signals token", "application/json", Map.of("Authorization", "Bearer " + PromoterFixture.tokens.get("qe-bot")), 403,
                        "rule: approver role"),
                new Try("an approver outside the gate's approvers", "application/json",
                        Map.of("Authorization", "Bearer " + idp.token("alice", "approvers")), 403, "rule: approvers"),
                new Try("a cross-origin form post", "application/x-www-form-urlencoded",
                        Map.of("Origin", "https://evil.example", "Authorization", "Bearer " + idp.token("bob", "release-managers")), 403,
                        "rule: cross-origin writes"),
                new Try("text/plain, no origin", "text/plain", Map.of("Authorization", "Bearer " + idp.token("bob", "release-managers")), 415,
                        "rule: JSON only"));
        for (Try t : tries) {
            var r = raw("POST", approve, t.contentType(), json, t.headers());
            assertEquals(t.status(), r.statusCode(), t.name() + ": " + r.body());
            org.junit.jupiter.api.Assertions.assertTrue(r.body().contains(t.says()), t.name() + ": " + r.body());
            if (t.status() == 401) {
                assertEquals(Optional.of("Bearer realm=\"tagstream\""), r.headers().firstValue("WWW-Authenticate"), t.name());
            }
        }
        assertEquals(401, raw("GET", "/api/v1/promotions", null, null, Map.of()).statusCode(), "reads need a viewer too");
        awaitState(id, "PENDING");

        var first = raw("POST", approve, "application/json", json, Map.of("Authorization", "Bearer " + idp.token("bob", "release-managers")));
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("PENDING", io.restassured.path.json.JsonPath.from(first.body()).getString("state"), "one of two approvals");
        var again = raw("POST", approve, "application/json", "{}", Map.of("Authorization", "Bearer " + idp.token("bob", "release-managers")));
        assertEquals(409, again.statusCode(), "the same identity twice is one approval: " + again.body());
        var second = raw("POST", approve, "application/json", "{\"by\": \"carol\", \"comment\": \"from chat\"}",
                Map.of("Authorization", "Bearer " + PromoterFixture.tokens.get("release-bot")));
        assertEquals(200, second.statusCode(), second.body());
        awaitState(id, "APPROVED");
        List<String> history = viewer().get("/api/v1/promotions/" + id).jsonPath().getList("history.note", String.class);
        org.junit.jupiter.api.Assertions.assertTrue(history.contains("approved by user:bob (on behalf of mallory: ship it)"), String.join("\n", history));
        org.junit.jupiter.api.Assertions.assertTrue(history.contains("approved by token:release-bot (on behalf of carol: from chat)"), String.join("\n", history));
        assertEquals("token:release-bot", approved("flux-system/gated-prod").data().approvedBy());
        var denied = KafkaBroker.shared().events("tagstream.audit", io.tagstream.common.events.AuditRecord.class,
                l -> l.stream().anyMatch(e -> e.data().action().equals("access.denied")), Duration.ofSeconds(10));
        org.junit.jupiter.api.Assertions.assertTrue(denied.stream().anyMatch(e -> e.data().action().equals("access.denied")
                && e.data().reason().startsWith("403 cross-origin writes")), "refusals are audited with their rule");
    }
}
