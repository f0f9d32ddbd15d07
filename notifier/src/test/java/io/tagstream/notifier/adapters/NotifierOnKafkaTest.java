package io.tagstream.notifier.adapters;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tagstream.common.events.Audit;
import io.tagstream.common.events.AuditAction;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.CommitPushed;
import io.tagstream.common.events.Json;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.common.events.Topic;
import io.tagstream.notifier.core.Delivery;
import io.tagstream.notifier.core.DeliveryState;
import io.tagstream.notifier.core.Events;
import io.tagstream.notifier.core.FluxEvent;
import io.tagstream.notifier.core.Payloads;
import io.tagstream.notifier.core.StateKey;
import io.tagstream.testkit.KafkaBroker;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The notifier on the real broker, sending to real HTTP receivers on 127.0.0.1 ({@link Receivers}): exact bodies and
 * headers, the HMAC signature, retries of a receiver answering 500 and 429, a refusal audited and shown in status, at
 * most one message per event on redelivery, Flux's duplicate suppression, and a delivery taken over from a pod that
 * stopped.
 */
@QuarkusTest
@WithTestResource(Receivers.class)
class NotifierOnKafkaTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Audit POLLER = new Audit("registry-poller");
    static final Audit PROMOTER = new Audit("promoter");
    static final Audit EVALUATOR = new Audit("policy-evaluator");

    @ConfigProperty(name = "notifier.test.receivers")
    String receivers;

    @ConfigProperty(name = "tagstream.notifier.state-topic")
    String stateTopic;

    @ConfigProperty(name = "tagstream.notifier.delivery-topic")
    String deliveryTopic;

    @Inject
    NotifierState state;

    record Received(String path, String method, int status, Instant at, JsonNode headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    List<Received> received(String path) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(receivers + "/_log")).build(),
                    HttpResponse.BodyHandlers.ofString());
            List<Received> out = new ArrayList<>();
            for (JsonNode n : JSON.readTree(r.body())) {
                if (n.get("path").asText().equals(path)) {
                    out.add(new Received(path, n.get("method").asText(), n.get("status").asInt(), Instant.parse(n.get("at").asText()),
                            n.get("headers"), Base64.getDecoder().decode(n.get("body").asText())));
                }
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** What came to one path with a message containing {@code marker} (tests share receivers). */
    List<Received> received(String path, String marker) {
        return received(path).stream().filter(r -> r.text().contains(marker)).toList();
    }

    List<Received> await(String path, String marker, Predicate<List<Received>> until, Duration timeout) throws InterruptedException {
        Instant end = Instant.now().plus(timeout);
        List<Received> r = received(path, marker);
        while (!until.test(r) && Instant.now().isBefore(end)) {
            Thread.sleep(100);
            r = received(path, marker);
        }
        assertTrue(until.test(r), path + " got " + r.size() + " request(s): " + r.stream().map(x -> x.status() + " " + x.text()).toList());
        return r;
    }

    static List<CloudEvent<AuditRecord>> notifierAudit(Predicate<AuditRecord> match) {
        return KafkaBroker.shared().events(Topic.AUDIT.defaultName(), AuditRecord.class,
                l -> l.stream().anyMatch(e -> e.data().service().equals("notifier") && match.test(e.data())), Duration.ofSeconds(30))
                .stream().filter(e -> e.data().service().equals("notifier") && match.test(e.data())).toList();
    }

    @Test
    void aScanErrorReachesTheHmacReceiverSignedOnceWhateverIsRedelivered() throws Exception {
        CloudEvent<AuditRecord> failed = POLLER.error(AuditAction.SCAN_FAILED, "flux-system/app",
                "scan of ghcr.io/acme/app failed: 401 Unauthorized <token expired>", Optional.empty());
        KafkaBroker.shared().publish(Topic.AUDIT.defaultName(), failed);
        Received r = await("/hmac", "token expired", l -> !l.isEmpty(), Duration.ofSeconds(30)).get(0);
        assertEquals(200, r.status(), "the receiver checked X-Signature over the exact body");
        assertEquals("POST", r.method());
        assertEquals("application/json", r.headers().get("content-type").asText());
        assertEquals("registry-poller", r.headers().get("gotk-component").asText());
        assertEquals("platform", r.headers().get("x-team").asText(), "the secret's headers are sent");
        assertEquals("sha256=" + Payloads.hmac(Receivers.HMAC_KEY, r.body()), r.headers().get("x-signature").asText());
        FluxEvent expected = new FluxEvent(new FluxEvent.InvolvedObject(Events.FLUX_IMAGE, "ImageRepository", "flux-system", "app"),
                FluxEvent.Severity.ERROR, failed.data().time(), failed.data().reason(), "ReadOperationFailed",
                java.util.Map.of("env", "test"), "registry-poller", Optional.empty());
        assertEquals(new String(expected.json(), StandardCharsets.UTF_8), r.text(), "Flux's event, byte for byte");
        assertTrue(r.text().contains("\"message\":\"scan of ghcr.io/acme/app failed: 401 Unauthorized \\u003ctoken expired\\u003e\""),
                r.text());

        KafkaBroker.shared().publish(Topic.AUDIT.defaultName(), failed); // redelivered: the same CloudEvent
        KafkaBroker.shared().publish(Topic.AUDIT.defaultName(), POLLER.error(AuditAction.SCAN_FAILED, "flux-system/app",
                failed.data().reason(), Optional.empty())); // another record, equal event: Flux's 5-minute suppression
        KafkaBroker.shared().publish(Topic.AUDIT.defaultName(), POLLER.error(AuditAction.WEBHOOK_REJECTED, "flux-system/app",
                "for operators, not alerts", Optional.empty()));
        Thread.sleep(3000);
        assertEquals(1, received("/hmac", "token expired").size(), "one message for the event");
    }

    @Test
    void aReceiverFailingTwiceGetsTheSameMessageAThirdTime() throws Exception {
        String digest = "sha256:" + "b".repeat(64);
        KafkaBroker.shared().publish(Topic.POLICY_MATCHED.defaultName(), CloudEvent.start("policy-evaluator",
                new PolicyMatched("flux-system/app", "ghcr.io/acme/app", "1.4.0", digest,
                        Optional.of(new PolicyMatched.TagRef("1.3.0", digest)), Instant.now())));
        List<Received> r = await("/flaky", "to 1.4.0", l -> l.size() >= 3, Duration.ofSeconds(30));
        assertEquals(List.of(500, 500, 200), r.stream().map(Received::status).toList());
        assertEquals(r.get(0).text(), r.get(2).text(), "the message tried again is the same message");
        JsonNode body = JSON.readTree(r.get(2).body());
        assertEquals("Latest image tag for 'ghcr.io/acme/app' updated from 1.3.0 to 1.4.0", body.get("message").asText());
        assertEquals("1.4.0@" + digest, body.get("metadata").get("image.toolkit.fluxcd.io/revision").asText());
        assertTrue(Duration.between(r.get(0).at(), r.get(2).at()).toMillis() >= 800, "backoff 300 ms, then 600 ms");
        // the Slack alert is errors-only: this info event did not go there
        Thread.sleep(500);
        assertEquals(0, received(Receivers.SLACK_PATH, "1.4.0").size());
        JsonNode status = alert("flux-system/policies");
        assertTrue(status.get("delivered").asInt() >= 1, status.toString()); // other tests' policy events go there too
        assertTrue(status.get("lastDelivered").isTextual(), status.toString());
        assertEquals("generic", status.get("type").asText());
    }

    @Test
    void aReceiverAskingToWaitIsWaitedFor() throws Exception {
        KafkaBroker.shared().publish(Topic.COMMIT_PUSHED.defaultName(), CloudEvent.start("git-writer", new CommitPushed(
                "flux-system/auto", "https://git.example/fleet", "main", "0123456789abcdef0123456789abcdef01234567", List.of(),
                Instant.now(), List.of(), Optional.of("Update app to 1.4.0"))));
        List<Received> r = await("/busy", "Update app to 1.4.0", l -> l.size() >= 2, Duration.ofSeconds(30));
        assertEquals(List.of(429, 200), r.stream().map(Received::status).toList());
        assertTrue(Duration.between(r.get(0).at(), r.get(1).at()).toMillis() >= 1900, "Retry-After: 2 was honoured");
        assertEquals("pushed commit '0123456' to branch 'main'\nUpdate app to 1.4.0", JSON.readTree(r.get(1).body()).get("message").asText());
    }

    @Test
    void aRefusalIsAuditedAndShownWithoutASecret() throws Exception {
        KafkaBroker.shared().publish(Topic.AUDIT.defaultName(), PROMOTER.rejected(AuditAction.PROMOTION_REJECTED,
                "flux-system/app-prod", "ghcr.io/acme/app:1.4.0 rejected by alice: not on a Friday", Optional.empty()));
        await("/refuse", "not on a Friday", l -> !l.isEmpty(), Duration.ofSeconds(30));
        AuditRecord a = notifierAudit(x -> x.action().equals("notification.failed") && x.subject().equals("flux-system/promotions"))
                .get(0).data();
        assertEquals(AuditRecord.Outcome.ERROR, a.outcome());
        assertTrue(a.reason().contains("HTTP 400: {\"error\": \"unknown channel\"} (not retried: the receiver refused the message)"),
                a.reason());
        JsonNode status = alert("flux-system/promotions");
        assertEquals(1, status.get("failed").asInt());
        assertTrue(status.get("lastError").asText().contains("HTTP 400"), status.toString());
        Thread.sleep(1000);
        assertEquals(1, received("/refuse", "not on a Friday").size(), "a refusal is not retried");
        // the same event went to the Telegram chat alert too, with the bot token in the path only
        Received t = await("/telegram/bot" + Receivers.BOT_TOKEN + "/sendMessage", "Friday", l -> !l.isEmpty(), Duration.ofSeconds(10)).get(0);
        JsonNode tg = JSON.readTree(t.body());
        assertEquals("-100200300", tg.get("chat_id").asText());
        assertEquals("MarkdownV2", tg.get("parse_mode").asText());
        // an excluded message goes nowhere
        KafkaBroker.shared().publish(Topic.AUDIT.defaultName(), PROMOTER.ok(AuditAction.PROMOTION_PENDING,
                "flux-system/app-prod", "quiet: waiting for alice", Optional.empty()));
        Thread.sleep(1500);
        assertEquals(0, received("/refuse", "quiet").size());
    }

    @Test
    void slackGetsPolicyErrorsAtTheAddressInTheSecret() throws Exception {
        KafkaBroker.shared().publish(Topic.AUDIT.defaultName(), EVALUATOR.rejected(AuditAction.POLICY_FAILED, "flux-system/app",
                "no tag of 12 candidates satisfies semver range '>=1.0.0'", Optional.empty()));
        Received r = await(Receivers.SLACK_PATH, "12 candidates", l -> !l.isEmpty(), Duration.ofSeconds(30)).get(0);
        JsonNode body = JSON.readTree(r.body());
        assertEquals("releases", body.get("channel").asText());
        assertEquals("policy-evaluator", body.get("username").asText());
        JsonNode att = body.get("attachments").get(0);
        assertEquals("danger", att.get("color").asText());
        assertEquals("imagepolicy/app.flux-system", att.get("author_name").asText());
        assertEquals("no tag of 12 candidates satisfies semver range '>=1.0.0'", att.get("text").asText());
    }

    /**
     * Deliveries a stopped pod left: one it was sending is not sent again (it may have arrived) and is audited; one
     * waiting for its next attempt goes on from there.
     */
    @Test
    void deliveriesLeftByAStoppedPodAreTakenOver() throws Exception {
        FluxEvent e = new FluxEvent(new FluxEvent.InvolvedObject(Events.FLUX_IMAGE, "ImagePolicy", "flux-system", "app"),
                FluxEvent.Severity.INFO, Instant.now(), "taken over", "Succeeded", java.util.Map.of(), "policy-evaluator", Optional.empty());
        Delivery inFlight = new Delivery("stopped-1|flux-system/policies", "flux-system/policies", "flux-system/flaky", e, Instant.now());
        Delivery waiting = new Delivery("stopped-2|flux-system/promotions-chat", "flux-system/promotions-chat", "flux-system/telegram",
                new FluxEvent(e.involvedObject(), e.severity(), e.timestamp(), "picked up at attempt 3", e.reason(), e.metadata(),
                        e.reportingController(), Optional.empty()), Instant.now());
        try (var producer = KafkaBroker.shared().producer()) {
            producer.send(new ProducerRecord<>(stateTopic, new StateKey.Of(inFlight.id()).encode().getBytes(StandardCharsets.UTF_8),
                    Json.write(new DeliveryState(inFlight.alert(), inFlight.provider(), DeliveryState.State.SENDING, 1,
                            Optional.empty(), Optional.empty(), Instant.now())))).get();
            producer.send(new ProducerRecord<>(stateTopic, new StateKey.Of(waiting.id()).encode().getBytes(StandardCharsets.UTF_8),
                    Json.write(new DeliveryState(waiting.alert(), waiting.provider(), DeliveryState.State.RETRYING, 2,
                            Optional.of("HTTP 503"), Optional.of(Instant.now()), Instant.now())))).get();
            long deadline = System.currentTimeMillis() + 10_000;
            while ((state.delivery(inFlight.id()).isEmpty() || state.delivery(waiting.id()).isEmpty())
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(50); // this pod follows the state topic, as a pod taking over would have read it
            }
            producer.send(new ProducerRecord<>(deliveryTopic, inFlight.provider().getBytes(StandardCharsets.UTF_8), Json.write(inFlight))).get();
            producer.send(new ProducerRecord<>(deliveryTopic, waiting.provider().getBytes(StandardCharsets.UTF_8), Json.write(waiting))).get();
        }
        AuditRecord a = notifierAudit(x -> x.action().equals("notification.failed") && x.reason().contains("taken over")
                || x.action().equals("notification.failed") && x.reason().contains("a pod stopped while sending")).get(0).data();
        assertTrue(a.reason().contains("it may have arrived, so it is not sent again"), a.reason());
        long deadline = System.currentTimeMillis() + 20_000;
        while (state.delivery(waiting.id()).map(s -> s.state() != DeliveryState.State.DELIVERED).orElse(true)
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(DeliveryState.State.DELIVERED, state.delivery(waiting.id()).orElseThrow().state());
        assertEquals(3, state.delivery(waiting.id()).orElseThrow().attempts(), "went on from its third attempt");
        assertEquals(DeliveryState.State.UNCERTAIN, state.delivery(inFlight.id()).orElseThrow().state());
        assertEquals(0, received("/flaky", "taken over").size(), "not sent a second time");
    }

    /** certSecretRef's ca.crt is the CA trusted for the receiver; without it, the same receiver's certificate is refused. */
    @Test
    void aReceiverWithAPrivateCaIsTrustedThroughCertSecretRef() throws Exception {
        for (String automation : List.of("internal", "untrusted")) {
            KafkaBroker.shared().publish(Topic.AUDIT.defaultName(), new Audit("git-writer").error(AuditAction.COMMIT_FAILED,
                    "flux-system/" + automation, "could not write https://git.example/fleet#main: refused by a hook", Optional.empty()));
        }
        Received r = await("/tls", "refused by a hook", l -> !l.isEmpty(), Duration.ofSeconds(30)).get(0);
        assertEquals("ImageUpdateAutomation", JSON.readTree(r.body()).at("/involvedObject/kind").asText());
        JsonNode untrusted = null;
        for (int i = 0; i < 100 && (untrusted == null || !untrusted.get("lastError").isTextual()); i++) {
            Thread.sleep(100);
            untrusted = alert("flux-system/no-ca");
        }
        assertTrue(untrusted.get("lastError").asText().startsWith("TLS with 127.0.0.1 failed (SSLHandshakeException"),
                untrusted.toString());
        assertEquals(0, received("/untrusted", "refused by a hook").size());
        assertEquals(1, delivered("flux-system/private-ca"));
    }

    /** proxySecretRef: the message goes through the proxy, which asked for and got its Basic credentials. */
    @Test
    void aProviderBehindAProxyIsReachedThroughIt() throws Exception {
        KafkaBroker.shared().publish(Topic.AUDIT.defaultName(), new Audit("git-writer").error(AuditAction.COMMIT_FAILED,
                "flux-system/behind-proxy", "could not write https://git.example/fleet#main: through the proxy", Optional.empty()));
        Received r = await("/proxied", "through the proxy", l -> !l.isEmpty(), Duration.ofSeconds(30)).get(0);
        assertEquals("1.1 test-proxy", r.headers().get("via").asText(), "relayed by the proxy");
        assertEquals(200, r.status());
        assertEquals(1, delivered("flux-system/proxied"));
    }

    /**
     * An Alert's delivered count once it settles: the receiver has the message before the worker records the 200,
     * so the count is read again for up to 5 s while it is 0 (a second delivery would show as 2 and fail).
     */
    int delivered(String alert) throws Exception {
        int n = alert(alert).get("delivered").asInt();
        for (int i = 0; i < 50 && n == 0; i++) {
            Thread.sleep(100);
            n = alert(alert).get("delivered").asInt();
        }
        return n;
    }

    @Test
    void noSecretInStatusOrAudit() throws Exception {
        String status = given().get("/api/v1/alerts").then().statusCode(200).extract().asString();
        List<String> audit = KafkaBroker.shared().events(Topic.AUDIT.defaultName(), AuditRecord.class, l -> true, Duration.ofSeconds(5))
                .stream().filter(x -> x.data().service().equals("notifier")).map(x -> x.data().reason()).toList();
        for (String secret : List.of(Receivers.HMAC_KEY, "header-secret-do-not-log", "slack-secret-path", Receivers.BOT_TOKEN,
                Receivers.PROXY_PASS)) {
            assertFalse(status.contains(secret), secret + " in " + status);
            assertTrue(audit.stream().noneMatch(r -> r.contains(secret)), secret + " in " + audit);
        }
    }

    JsonNode alert(String id) throws Exception {
        JsonNode list = JSON.readTree(given().get("/api/v1/alerts").then().statusCode(200).extract().asString());
        for (JsonNode n : list) {
            if (n.get("alert").asText().equals(id)) {
                return n;
            }
        }
        throw new AssertionError(id + " not in " + list);
    }
}
