package io.tagstream.console.adapters;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tagstream.common.events.Audit;
import io.tagstream.common.events.AuditAction;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.Json;
import io.tagstream.common.events.TagDiscovered;
import io.tagstream.common.events.Topic;
import io.tagstream.testkit.KafkaBroker;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The console on the real broker with access control on (API tokens): who may do what, what it forwards to the
 * services (the user's own token, never one of its own), the feed read from the topics, its live stream and filters,
 * the registry matrix, and the pages' security headers.
 */
@QuarkusTest
@WithTestResource(Services.class)
class ConsoleOnKafkaTest {

    @ConfigProperty(name = "console.test.services")
    String services;

    @ConfigProperty(name = "console.test.viewer")
    String viewer;

    @ConfigProperty(name = "console.test.approver")
    String approver;

    @TestHTTPResource("/")
    URL console;

    List<String> forwarded() throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(services + "/_log")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return List.of(Json.mapper().readValue(body, String[].class));
    }

    @Test
    void viewersReadApproversDecideAndTheUsersTokenIsWhatTheServiceSees() throws Exception {
        given().get("/api/v1/whoami").then().statusCode(401).body("error", containsString("Authorization: Bearer"));
        given().auth().oauth2(viewer).get("/api/v1/whoami").then().statusCode(200)
                .body("id", equalTo("token:ops")).body("roles", equalTo(List.of("viewer"))).body("localDevelopment", equalTo(false));
        given().auth().oauth2("tst_forged").get("/api/v1/whoami").then().statusCode(401);

        int before = forwarded().size();
        given().auth().oauth2(viewer).contentType(ContentType.JSON).body("{}").post("/api/v1/promotions/p1/approve").then()
                .statusCode(403).body("error", containsString("approving or rejecting needs the approver role"));
        assertEquals(before, forwarded().size(), "a viewer's approval never reaches the promoter");

        given().auth().oauth2(approver).contentType(ContentType.JSON).body("{\"comment\": \"QE passed\"}")
                .post("/api/v1/promotions/p1/approve").then().statusCode(200).body("state", equalTo("APPROVED"));
        assertEquals("POST /api/v1/promotions/p1/approve Bearer " + approver + " {\"comment\": \"QE passed\"}",
                forwarded().get(forwarded().size() - 1));
        // the service's refusal is passed on as it said it
        given().auth().oauth2(approver).contentType(ContentType.JSON).body("{}").post("/api/v1/promotions/gone/approve").then()
                .statusCode(404).body("error", equalTo("no promotion gone"));
        // a browser page of another origin cannot approve with the user's token
        given().auth().oauth2(approver).header("Origin", "http://evil.test").contentType(ContentType.JSON).body("{}")
                .post("/api/v1/promotions/p1/approve").then().statusCode(403).body("error", containsString("origin"));
        given().auth().oauth2(approver).header("Origin", "http://console.test").contentType(ContentType.JSON).body("{}")
                .post("/api/v1/promotions/p1/approve").then().statusCode(200);
        int sent = forwarded().size();
        given().auth().oauth2(approver).contentType(ContentType.JSON).body("{}").post("/api/v1/promotions/a%2Fb/approve").then()
                .statusCode(400); // an encoded slash is no promotion id, and never reaches the promoter
        assertEquals(sent, forwarded().size());
        given().auth().oauth2(viewer).get("/api/v1/promotions?state=pending&limit=9999").then().statusCode(200);
        assertTrue(forwarded().get(forwarded().size() - 1).startsWith("GET /api/v1/promotions?limit=500&state=pending Bearer " + viewer),
                forwarded().toString());
        given().auth().oauth2(viewer).get("/api/v1/promotions?state=pending%26x%3D1").then().statusCode(400);
    }

    @Test
    void registryMatrixGroupsRepositoriesByHost() {
        given().auth().oauth2(viewer).get("/api/v1/registries").then().statusCode(200)
                .body("host", equalTo(List.of("docker.io", "prod.azurecr.io", "qe.azurecr.io")))
                .body("find { it.host == 'qe.azurecr.io' }.trust", equalTo("QE"))
                .body("find { it.host == 'prod.azurecr.io' }.failing", equalTo(1))
                .body("find { it.host == 'prod.azurecr.io' }.repositories[0].lastError", equalTo("401 Unauthorized from prod.azurecr.io"))
                .body("find { it.host == 'docker.io' }.repositories[0].suspended", equalTo(true))
                .body("find { it.host == 'prod.azurecr.io' }.load.rateLimitWaits", equalTo(57))
                .body("find { it.host == 'prod.azurecr.io' }.load.failed", equalTo(12))
                .body("find { it.host == 'qe.azurecr.io' }.load", equalTo(null));
        given().get("/api/v1/registries").then().statusCode(401);
    }

    @Test
    void feedFollowsOneImageAndStreamsWhatArrives() throws Exception {
        String correlation = UUID.randomUUID().toString();
        CloudEvent<TagDiscovered> discovered = CloudEvent.inChain(correlation, "registry-poller", new TagDiscovered("apps/qe-api",
                "qe.azurecr.io", "qe.azurecr.io/mecipol/api", "902.0.0", "sha256:" + "a".repeat(64), "application/vnd.oci.image.manifest.v1+json",
                Optional.empty(), TagDiscovered.DiscoverySource.WEBHOOK, Instant.now()).pushedBy(Optional.of("qe-ci")));
        KafkaBroker.shared().publish(Topic.TAG_DISCOVERED.defaultName(), discovered);
        KafkaBroker.shared().publish(Topic.AUDIT.defaultName(), new Audit("promoter").ok(AuditAction.values()[0],
                "apps/qe-to-prod", "waits for an approval", Optional.of(discovered)));
        KafkaBroker.shared().publish(Topic.AUDIT.defaultName(), new Audit("promoter").ok(AuditAction.values()[0], "other", "another chain", Optional.empty()));

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int n = 0;
        while (System.nanoTime() < deadline && n < 2) {
            n = given().auth().oauth2(viewer).queryParam("correlation", correlation).get("/api/v1/feed").then().statusCode(200)
                    .extract().jsonPath().getList("$").size();
            Thread.sleep(200);
        }
        given().auth().oauth2(viewer).queryParam("correlation", correlation).get("/api/v1/feed").then().statusCode(200)
                .body("$", hasSize(2))
                .body("kind", equalTo(List.of("tag-discovered", "audit")))
                .body("[0].text", equalTo("tag 902.0.0 of qe.azurecr.io/mecipol/api is at sha256:aaaaaaaaaaaa, pushed by qe-ci"))
                .body("[1].subject", equalTo("apps/qe-to-prod"));
        given().auth().oauth2(viewer).queryParam("q", "ANOTHER chain").get("/api/v1/feed").then().statusCode(200)
                .body("subject", hasItem("other"));
        given().get("/api/v1/feed").then().statusCode(401);

        // live: a stream opened now gets what is published after, filtered
        BlockingQueue<String> lines = new ArrayBlockingQueue<>(100);
        HttpResponse<InputStream> stream = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(console
                + "api/v1/feed/stream?correlation=" + correlation)).header("Authorization", "Bearer " + viewer)
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode());
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    lines.offer(l);
                }
            } catch (Exception e) {
                // closed at the end of the test
            }
        });
        reader.setDaemon(true);
        reader.start();
        Thread.sleep(500);
        KafkaBroker.shared().publish(Topic.AUDIT.defaultName(), new Audit("promoter").ok(AuditAction.values()[0], "unrelated", "not this chain", Optional.empty()));
        KafkaBroker.shared().publish(Topic.AUDIT.defaultName(), new Audit("git-writer").ok(AuditAction.values()[0], "fleet#main", "pushed",
                Optional.of(discovered)));
        String data = null;
        for (String l = lines.poll(20, TimeUnit.SECONDS); l != null; l = lines.poll(20, TimeUnit.SECONDS)) {
            if (l.startsWith("data:")) {
                data = l;
                break;
            }
        }
        assertTrue(data != null && data.contains("fleet#main") && !data.contains("unrelated"), String.valueOf(data));
        HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(console + "api/v1/feed/stream"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, refused.statusCode());
    }

    @Test
    void pagesAreServedByTheConsoleWithAStrictPolicy() {
        given().get("/").then().statusCode(200).contentType(containsString("text/html"))
                .header("Content-Security-Policy", containsString("default-src 'self'"))
                .body(containsString("<script src=\"console.js\" defer></script>"));
        given().get("/console.js").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200).body("checks.find { it.name == 'console' }.data.feed", equalTo("following"));
    }
}
