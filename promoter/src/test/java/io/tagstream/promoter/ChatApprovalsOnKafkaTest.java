package io.tagstream.promoter;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.events.ImageRef;
import io.tagstream.promoter.core.ChatAction;
import io.tagstream.promoter.core.SlackSignature;
import io.tagstream.testkit.TestImages;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Approvals from chat on the running promoter (real broker, real registries): Slack button presses signed with the
 * app's secret, mapped to identities, held to the same rules as a REST approval (the approver role, then the
 * ImagePromotion's approvers); replayed, tampered and stale requests; and signed approval links — made only by an
 * approver, harmless to read, used once.
 */
@QuarkusTest
@WithTestResource(PromoterFixture.class)
class ChatApprovalsOnKafkaTest {

    static String press(String user, String verb, String value) {
        return "payload=" + URLEncoder.encode("""
                {"type": "block_actions", "user": {"id": "%s", "username": "%s", "team_id": "T0001"}, "team": {"id": "T0001"},
                 "response_url": "%s", "actions": [{"action_id": "tagstream.%s", "value": "%s", "type": "button"}]}"""
                .formatted(user, user.toLowerCase(), PromoterFixture.responseUrl, verb, value), StandardCharsets.UTF_8);
    }

    static Response slack(String body, long timestamp, String signature) {
        return given().contentType(ContentType.URLENC.withCharset("utf-8")).header("X-Slack-Request-Timestamp", String.valueOf(timestamp))
                .header("X-Slack-Signature", signature).body(body)
                .post("/api/v1/chat/slack/interactions");
    }

    static Response signed(String body) {
        long ts = Instant.now().getEpochSecond();
        return slack(body, ts, SlackSignature.sign(PromoterFixture.SLACK_SECRET, String.valueOf(ts), body.getBytes(StandardCharsets.UTF_8)));
    }

    static String pending(TestImages.Pushed img) throws Exception {
        GatesOnRegistriesTest.match("chat", img);
        String id = GatesOnRegistriesTest.id("chat-prod", img);
        GatesOnRegistriesTest.awaitState(id, "PENDING");
        return id;
    }

    @Test
    void slackButtonsDecideAsTheMappedApproverUnderTheSameRules() throws Exception {
        var img = TestImages.push(PromoterFixture.qe, "chat", "930");
        String id = pending(img);
        String value = ChatAction.value(ResourceId.parse("flux-system/chat-prod"), ImageRef.parse(PromoterFixture.qe.host() + "/chat:930@" + img.digest()));

        signed(press("U0VIEW", "approve", value)).then().statusCode(200).body("text", equalTo("Refused: approving or rejecting needs"
                + " the approver role; user:victor (Slack user U0VIEW of team T0001) has only viewer"));
        signed(press("U0NOBODY", "approve", value)).then().statusCode(200)
                .body("text", containsString("Slack user U0NOBODY of team T0001 is not mapped to a Tagstream identity"));
        signed(press("U0BOB", "approve", value)).then().statusCode(200).body("text", containsString("Refused (403): "))
                .body("text", containsString("user:bob"));
        GatesOnRegistriesTest.awaitState(id, "PENDING");

        // not Slack: a tampered body, a stale timestamp, another secret, no signature
        String body = press("U0ALICE", "approve", value);
        long ts = Instant.now().getEpochSecond();
        String sig = SlackSignature.sign(PromoterFixture.SLACK_SECRET, String.valueOf(ts), body.getBytes(StandardCharsets.UTF_8));
        slack(body.replace("U0ALICE", "U0BOB"), ts, sig).then().statusCode(401).body("error", containsString("does not match"));
        long stale = ts - 400;
        slack(body, stale, SlackSignature.sign(PromoterFixture.SLACK_SECRET, String.valueOf(stale), body.getBytes(StandardCharsets.UTF_8)))
                .then().statusCode(401).body("error", containsString("at most 300 s are accepted"));
        slack(body, ts, SlackSignature.sign("not-the-secret", String.valueOf(ts), body.getBytes(StandardCharsets.UTF_8))).then().statusCode(401);
        given().contentType(ContentType.URLENC).body(body).post("/api/v1/chat/slack/interactions").then().statusCode(401);
        GatesOnRegistriesTest.awaitState(id, "PENDING");

        slack(body, ts, sig).then().statusCode(200).body("text", equalTo("Approved flux-system/chat-prod " + PromoterFixture.qe.host()
                + "/chat:930@" + img.digest() + " as user:alice: APPROVED"));
        GatesOnRegistriesTest.awaitState(id, "APPROVED");
        GatesOnRegistriesTest.viewer().get("/api/v1/promotions/" + id).then().body("decidedBy", equalTo("user:alice"));
        // Slack retries the same request: answered, not applied again
        slack(body, ts, sig).then().statusCode(200).body("text", equalTo("Already handled."));
        for (int i = 0; i < 50 && PromoterFixture.answers.stream().noneMatch(a -> a.contains("as user:alice: APPROVED")); i++) {
            Thread.sleep(100);
        }
        assertTrue(PromoterFixture.answers.stream().anyMatch(a -> a.contains("\"response_type\":\"ephemeral\"")
                && a.contains("as user:alice: APPROVED")), PromoterFixture.answers.toString());
        // a button Tagstream did not make, signed by Slack
        signed("payload=" + URLEncoder.encode("{\"type\": \"view_submission\"}", StandardCharsets.UTF_8)).then().statusCode(400);
    }

    @Test
    void signedLinksAreMadeByApproversHarmlessToReadAndWorkOnce() throws Exception {
        var img = TestImages.push(PromoterFixture.qe, "chat", "931");
        String id = pending(img);
        GatesOnRegistriesTest.viewer().contentType(ContentType.JSON).body("{\"action\": \"approve\"}").post("/api/v1/promotions/" + id + "/links")
                .then().statusCode(403).body("error", containsString("making an approval link needs the approver role"));
        GatesOnRegistriesTest.as("alice").contentType(ContentType.JSON).body("{\"action\": \"merge\"}").post("/api/v1/promotions/" + id + "/links")
                .then().statusCode(400);
        GatesOnRegistriesTest.as("alice").contentType(ContentType.JSON).body("{\"action\": \"approve\", \"expiresIn\": \"48h\"}")
                .post("/api/v1/promotions/" + id + "/links").then().statusCode(400).body("error", containsString("at most 24h"));
        String url = GatesOnRegistriesTest.as("alice").contentType(ContentType.JSON).body("{\"action\": \"approve\", \"expiresIn\": \"10m\"}")
                .post("/api/v1/promotions/" + id + "/links").then().statusCode(200).body("by", equalTo("user:alice"))
                .extract().path("url");
        String path = URI.create(url).getRawPath();

        given().get(path).then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("Approve " + id + " as user:alice?"));
        GatesOnRegistriesTest.awaitState(id, "PENDING");
        String token = path.substring(path.lastIndexOf('/') + 1);
        String[] parts = token.split("\\.");
        given().post("/api/v1/links/" + parts[0] + "." + parts[1] + "." + parts[2].substring(1) + "A").then().statusCode(401);
        given().post(path).then().statusCode(200).body(containsString("Approved flux-system/chat-prod"))
                .body(containsString("as user:alice: APPROVED"));
        GatesOnRegistriesTest.awaitState(id, "APPROVED");
        given().post(path).then().statusCode(410).body(containsString("works once"));
        GatesOnRegistriesTest.viewer().get("/api/v1/promotions/" + id).then().body("history.note",
                hasItem(containsString("by signed link")));

        // an expired link is refused, read or used
        var next = TestImages.push(PromoterFixture.qe, "chat", "932");
        String nextId = pending(next);
        String shortLived = URI.create(GatesOnRegistriesTest.as("alice").contentType(ContentType.JSON)
                .body("{\"action\": \"reject\", \"expiresIn\": \"1s\"}").post("/api/v1/promotions/" + nextId + "/links")
                .then().statusCode(200).extract().<String>path("url")).getRawPath();
        Thread.sleep(2100);
        given().post(shortLived).then().statusCode(410).body(containsString("expired"));
        given().get(shortLived).then().statusCode(410);
        GatesOnRegistriesTest.awaitState(nextId, "PENDING");
        assertEquals(404, GatesOnRegistriesTest.as("alice").contentType(ContentType.JSON).body("{\"action\": \"approve\"}")
                .post("/api/v1/promotions/nope/links").statusCode());
    }
}
