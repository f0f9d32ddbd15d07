package io.tagstream.poller;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.Event;
import io.tagstream.common.events.EventType;
import io.tagstream.common.events.TagDiscovered;
import io.tagstream.common.events.TagDiscovered.DiscoverySource;
import io.tagstream.common.events.TagRemoved;
import io.tagstream.common.events.Topic;
import io.tagstream.common.state.CompactedTopic;
import io.tagstream.poller.adapters.Scanner;
import io.tagstream.poller.core.WebhookAuth;
import io.tagstream.testkit.KafkaBroker;
import io.tagstream.testkit.TestImages;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The poller against real registries, a real broker and the registry's own webhook client. */
@QuarkusTest
@WithTestResource(PollerFixture.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PollerOnRegistriesTest {

    @Inject
    Scanner scanner;

    @ConfigProperty(name = "tagstream.poller.state-topic")
    String stateTopic;

    /** Every tag event of one ImageRepository on the topic, read until {@code done} holds. */
    static List<Event> tagEvents(String repo, Predicate<List<Event>> done) {
        return tagEvents(repo, done, Duration.ofSeconds(30));
    }

    static List<Event> tagEvents(String repo, Predicate<List<Event>> done, Duration timeout) {
        List<Event> out = new ArrayList<>();
        KafkaBroker.shared().read(Topic.TAG_DISCOVERED.defaultName(), records -> {
            out.clear();
            records.forEach(r -> {
                EventType t = CloudEvent.typeOf(r.headers()).orElseThrow();
                Event e = t == EventType.TAG_REMOVED
                        ? CloudEvent.read(r.headers(), r.value(), TagRemoved.class).data()
                        : CloudEvent.read(r.headers(), r.value(), TagDiscovered.class).data();
                if ((e instanceof TagDiscovered d && d.imageRepository().equals(repo))
                        || (e instanceof TagRemoved x && x.imageRepository().equals(repo))) {
                    out.add(e);
                }
            });
            return done.test(out);
        }, timeout);
        return out;
    }

    static void scan(String name) {
        given().post("/api/v1/repositories/test/" + name + "/scan").then().statusCode(202);
    }

    static void settle() throws InterruptedException {
        Thread.sleep(1500); // long enough for anything wrongly emitted to arrive
    }

    @Test
    @Order(1)
    void firstScanAnnouncesEachTagWithTheRegistrysDigest() throws Exception {
        var one = TestImages.push(PollerFixture.open, "team/app", "1.0.0");
        var two = TestImages.push(PollerFixture.open, "team/app", "1.1.0");
        TestImages.retag(PollerFixture.open, one, List.of("sha256-abc.sig")); // cosign signature: excluded by default
        scan("app");
        tagEvents("test/app", l -> l.size() >= 2);
        settle();
        List<Event> events = tagEvents("test/app", l -> l.size() > 2, Duration.ofSeconds(2));
        Map<String, String> digests = new HashMap<>();
        events.forEach(e -> digests.put(((TagDiscovered) e).tag(), ((TagDiscovered) e).digest()));
        assertEquals(Map.of("1.0.0", one.digest(), "1.1.0", two.digest()), digests);
        TagDiscovered d = (TagDiscovered) events.get(0);
        assertEquals(DiscoverySource.POLL, d.source());
        assertEquals(PollerFixture.counting.host() + "/team/app", d.repository());
    }

    @Test
    @Order(2)
    void rescanWithoutChangesListsOnceAndResolvesNothing() throws Exception {
        int before = PollerFixture.counting.requests();
        scan("app");
        settle();
        assertEquals(1, PollerFixture.counting.requests() - before, "one tags/list request, no HEAD");
        assertEquals(2, tagEvents("test/app", l -> l.size() > 2, Duration.ofSeconds(2)).size());
    }

    @Test
    @Order(3)
    void movedAndDeletedTagsAreAnnounced() throws Exception {
        var first = TestImages.push(PollerFixture.open, "team/app", "latest");
        scan("app");
        assertEquals(first.digest(), ((TagDiscovered) tagEvents("test/app", l -> l.size() >= 3).get(2)).digest());
        // "latest" is mutable (spec.mutableTags defaults to it): its digest is checked on every scan
        var moved = TestImages.push(PollerFixture.open, "team/app", "latest");
        var gone = scanner.known("test/app").get("1.0.0").digest();
        TestImages.deleteManifest(PollerFixture.open, "team/app", gone);
        scan("app");
        List<Event> events = tagEvents("test/app", l -> l.size() >= 5);
        TagDiscovered m = (TagDiscovered) events.stream().skip(3).filter(e -> e instanceof TagDiscovered).findFirst().orElseThrow();
        assertEquals("latest", m.tag());
        assertEquals(moved.digest(), m.digest());
        assertEquals(java.util.Optional.of(first.digest()), m.previousDigest());
        TagRemoved r = (TagRemoved) events.stream().filter(e -> e instanceof TagRemoved).findFirst().orElseThrow();
        assertEquals("1.0.0", r.tag());
        assertEquals(gone, r.lastDigest());
        var audits = KafkaBroker.shared().events(Topic.AUDIT.defaultName(), AuditRecord.class,
                l -> l.stream().anyMatch(a -> a.data().action().equals("tag.removed")), Duration.ofSeconds(20));
        assertTrue(audits.stream().anyMatch(a -> a.data().action().equals("tag.removed")
                && a.data().subject().endsWith("/team/app:1.0.0")), audits.toString());
    }

    @Test
    @Order(4)
    void aRestartedPollerKnowsWhatItAnnounced() {
        Map<String, String> restored = new HashMap<>();
        try (CompactedTopic store = new CompactedTopic(KafkaBroker.shared().bootstrapServers(), stateTopic)) {
            store.load((k, v) -> {
                if (k.startsWith("test/app|")) {
                    if (v == null) {
                        restored.remove(k);
                    } else {
                        restored.put(k, v);
                    }
                }
            });
        }
        assertEquals(java.util.Set.of("test/app|1.1.0", "test/app|latest"), restored.keySet());
        assertTrue(restored.get("test/app|1.1.0").contains(scanner.known("test/app").get("1.1.0").digest()));
    }

    @Test
    @Order(5)
    void authenticatedRegistryAndPagedListing() throws Exception {
        var img = TestImages.push(PollerFixture.locked, "team/locked", "3.0.0");
        scan("locked");
        List<Event> locked = tagEvents("test/locked", l -> !l.isEmpty());
        assertEquals(img.digest(), ((TagDiscovered) locked.get(0)).digest());

        var base = TestImages.push(PollerFixture.open, "team/paged", "p-0");
        TestImages.retag(PollerFixture.open, base, IntStream.range(1, 250).mapToObj(i -> "p-" + i).toList());
        scan("paged");
        assertEquals(250, tagEvents("test/paged", l -> l.size() >= 250).size());
    }

    @Test
    @Order(6)
    void backsOffOn429AndSucceeds() throws Exception {
        TestImages.push(PollerFixture.open, "team/flaky", "9.9.9");
        PollerFixture.flaky.fail(2, 429, Map.of("Retry-After", "1"));
        scan("flaky");
        assertEquals("9.9.9", ((TagDiscovered) tagEvents("test/flaky", l -> !l.isEmpty()).get(0)).tag());
        given().get("/api/v1/repositories").then().statusCode(200)
                .body("find { it.id == 'test/flaky' }.tagCount", equalTo(1));
        String expected = "tagstream_registry_responses_total{host=\"" + PollerFixture.flaky.host() + "\",status=\"429\"} 2.0";
        String metrics = "";
        for (int i = 0; i < 50 && !metrics.contains(expected); i++) {
            metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            Thread.sleep(100);
        }
        assertTrue(metrics.contains("tagstream_registry_responses_total{host=\"" + PollerFixture.flaky.host() + "\",status=\"429\"} 2.0"),
                "429s counted per registry");
    }

    @Test
    @Order(7)
    void theRegistrysOwnNotificationTriggersResolution() {
        var img = TestImages.push(PollerFixture.open, "team/hooked", "4.2.0"); // no scan requested: only the webhook
        List<Event> events = tagEvents("test/hooked", l -> !l.isEmpty());
        TagDiscovered d = (TagDiscovered) events.get(0);
        assertEquals("4.2.0", d.tag());
        assertEquals(img.digest(), d.digest());
        assertEquals(DiscoverySource.WEBHOOK, d.source());
    }

    @Test
    @Order(8)
    void forgedUnsignedAndMalformedWebhooksAreRejected() throws Exception {
        String payload = Files.readString(Path.of("src/test/resources/webhooks/github-registry_package.json"));
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        String good = "sha256=" + WebhookAuth.sign("HmacSHA256", body, PollerFixture.HOOK_TOKEN);
        String forged = "sha256=" + WebhookAuth.sign("HmacSHA256", body, "not-the-token");
        String url = "/api/v1/webhooks/github/test/gh";
        given().contentType(ContentType.JSON).body(body).post(url).then().statusCode(401)
                .body("error", equalTo("missing X-Hub-Signature-256 signature"));
        given().contentType(ContentType.JSON).header("X-Hub-Signature-256", forged).body(body).post(url).then().statusCode(401)
                .body("error", equalTo("X-Hub-Signature-256 signature does not match the body"));
        given().contentType(ContentType.JSON).header("X-Hub-Signature-256", good).header("X-GitHub-Event", "registry_package")
                .body(body).post(url).then().statusCode(202)
                .body("status", equalTo("ignored")); // signed and valid, but names ghcr.io/eose-sre/openclaw-fleet, not ours
        byte[] junk = "{\"registry_package\": ".getBytes(StandardCharsets.UTF_8);
        given().contentType(ContentType.JSON).header("X-Hub-Signature-256", "sha256=" + WebhookAuth.sign("HmacSHA256", junk, PollerFixture.HOOK_TOKEN))
                .body(junk).post(url).then().statusCode(400);
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + PollerFixture.HOOK_TOKEN).body("{}")
                .post("/api/v1/webhooks/distribution/test/nope").then().statusCode(404);
        given().contentType(ContentType.JSON).header("Authorization", "Bearer wrong").body(Files.readString(Path.of("src/test/resources/webhooks/distribution.json")))
                .post("/api/v1/webhooks/distribution/test/dist").then().statusCode(401);
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + PollerFixture.HOOK_TOKEN)
                .body("{\"events\": [{\"action\": \"pull\", \"target\": {\"repository\": \"team/hooked\", \"tag\": \"4.2.0\", "
                        + "\"mediaType\": \"application/vnd.oci.image.manifest.v1+json\"}}]}")
                .post("/api/v1/webhooks/distribution/test/dist").then().statusCode(202).body("status", equalTo("ignored"));
        // a name that is not a tag is never resolved nor announced: zz?phantom would be asked as zz and announced in full
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + PollerFixture.HOOK_TOKEN)
                .body("{\"events\": [{\"action\": \"push\", \"target\": {\"repository\": \"team/hooked\", \"tag\": \"zz?phantom\", "
                        + "\"mediaType\": \"application/vnd.oci.image.manifest.v1+json\", \"digest\": \"sha256:" + "a".repeat(64) + "\"}}]}")
                .post("/api/v1/webhooks/distribution/test/dist").then().statusCode(400)
                .body("error", containsString("'zz?phantom' is not a valid tag"));
        assertEquals("HTTP/1.1 413", oversized(3 * 1024 * 1024 + 10).substring(0, 12), "refused from its Content-Length");
        var rejected = KafkaBroker.shared().events(Topic.AUDIT.defaultName(), AuditRecord.class,
                l -> l.stream().filter(a -> a.data().action().equals("webhook.rejected")).count() >= 3, Duration.ofSeconds(20));
        assertTrue(rejected.stream().filter(a -> a.data().action().equals("webhook.rejected")).count() >= 3);
    }

    /**
     * The status line the poller answers to a webhook declaring {@code length} bytes, of which only the first 64 KiB
     * are sent: the refusal must come from the declared length. (Sending all of a body the server has refused races
     * its close: a client still writing gets a broken pipe instead of the answer, as with any HTTP server.)
     */
    static String oversized(int length) throws java.io.IOException {
        int port = io.restassured.RestAssured.port;
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            var out = socket.getOutputStream();
            out.write(("POST /api/v1/webhooks/distribution/test/dist HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nAuthorization: Bearer " + PollerFixture.HOOK_TOKEN + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] part = new byte[64 * 1024];
            java.util.Arrays.fill(part, (byte) ' ');
            out.write(part);
            out.flush();
            return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
        }
    }

    @Test
    @Order(9)
    void deliveryAtTheFluxPathResolvesTheTag() throws Exception {
        var img = TestImages.push(PollerFixture.open, "team/app", "5.0.0");
        String hook = WebhookAuth.fluxHookPath(PollerFixture.HOOK_TOKEN, "hub", "test");
        // the path is the secret, as for providers that cannot send headers; the payload's digest is not trusted
        String payload = "{\"repository\": \"team/app\", \"tag\": \"5.0.0\", \"digest\": \"sha256:" + "0".repeat(64) + "\"}";
        given().contentType(ContentType.JSON).body(payload).post("/hook/" + hook).then().statusCode(202)
                .body("status", equalTo("accepted"));
        List<Event> events = tagEvents("test/app", l -> l.stream().anyMatch(e -> e instanceof TagDiscovered d && d.tag().equals("5.0.0")));
        TagDiscovered d = (TagDiscovered) events.stream().filter(e -> e instanceof TagDiscovered x && x.tag().equals("5.0.0")).findFirst().orElseThrow();
        assertEquals(img.digest(), d.digest());
        given().contentType(ContentType.JSON).body(payload).post("/hook/" + "0".repeat(64)).then().statusCode(404);
    }

    @Test
    @Order(10)
    void aWebhookThatArrivesBeforeTheTagIsReadableIsCheckedAgain() throws Exception {
        // distribution notifies before it links the tag; here the tag appears half a second after the webhook
        String hook = WebhookAuth.fluxHookPath(PollerFixture.HOOK_TOKEN, "hub", "test");
        String payload = "{\"repository\": \"team/app\", \"tag\": \"5.1.0\"}";
        given().contentType(ContentType.JSON).body(payload).post("/hook/" + hook).then().statusCode(202);
        Thread.sleep(500);
        var img = TestImages.push(PollerFixture.open, "team/app", "5.1.0");
        List<Event> events = tagEvents("test/app", l -> l.stream().anyMatch(e -> e instanceof TagDiscovered d && d.tag().equals("5.1.0")));
        TagDiscovered d = (TagDiscovered) events.stream().filter(e -> e instanceof TagDiscovered x && x.tag().equals("5.1.0")).findFirst().orElseThrow();
        assertEquals(img.digest(), d.digest());
        assertEquals(DiscoverySource.WEBHOOK, d.source());
    }

    @Test
    @Order(11)
    void whoPushedIsCarriedFromTheNotificationToTheEvent() throws Exception {
        // distribution names the authenticated account that pushed (actor.name): carried for forbidSelfApproval
        var img = TestImages.push(PollerFixture.open, "team/burst", "6.0.0");
        String payload = "{\"events\": [{\"action\": \"push\", \"actor\": {\"name\": \"alice\"}, \"target\": {\"repository\": "
                + "\"team/burst\", \"tag\": \"6.0.0\", \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\"}}]}";
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + PollerFixture.HOOK_TOKEN).body(payload)
                .post("/api/v1/webhooks/distribution/test/burst").then().statusCode(202).body("status", equalTo("accepted"));
        List<Event> events = tagEvents("test/burst", l -> l.stream().anyMatch(e -> e instanceof TagDiscovered d && d.tag().equals("6.0.0")));
        TagDiscovered d = (TagDiscovered) events.stream().filter(e -> e instanceof TagDiscovered x && x.tag().equals("6.0.0")).findFirst().orElseThrow();
        assertEquals(img.digest(), d.digest());
        assertEquals(Optional.of("alice"), d.pushedBy());
        assertEquals(DiscoverySource.WEBHOOK, d.source());
    }

    /**
     * A Gitea package webhook (Gitea's structs.PackagePayload), as its CD pipelines fire them: a 40-hex git SHA tag,
     * signed with X-Gitea-Signature; the tag is resolved against the registry. The digest-only version Gitea also fires
     * for the same push is ignored.
     */
    @Test
    @Order(12)
    void aGiteaPackageWebhookResolvesItsGitShaTag() throws Exception {
        String sha = "9d1c0b7e3f5a2c4e6a8b0d1f3e5c7a9b2d4f6e8a";
        var img = TestImages.push(PollerFixture.open, "team/app", sha); // its registry sends no notification of its own
        String payload = Files.readString(Path.of("src/test/resources/webhooks/gitea-package.json"))
                .replace("https://gitea.example.com:3000/Platform/-/packages/container/supervisor/4f0c2a9e1b7d3c5a6e8f0a1b2c3d4e5f6a7b8c9d",
                        "http://" + PollerFixture.counting.host() + "/Team/-/packages/container/app/" + sha)
                .replace("\"supervisor\"", "\"app\"").replace("\"Platform\"", "\"Team\"")
                .replace("4f0c2a9e1b7d3c5a6e8f0a1b2c3d4e5f6a7b8c9d", sha);
        byte[] body = payload.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        given().contentType(ContentType.JSON).header("X-Gitea-Event", "").header("X-Gitea-Event-Type", "package")
                .header("X-Gitea-Signature", WebhookAuth.sign("HmacSHA256", body, PollerFixture.HOOK_TOKEN)).body(body)
                .post("/api/v1/webhooks/gitea/test/gt").then().statusCode(202).body("status", equalTo("accepted"));
        List<Event> events = tagEvents("test/app", l -> l.stream().anyMatch(e -> e instanceof TagDiscovered d && d.tag().equals(sha)));
        TagDiscovered d = (TagDiscovered) events.stream().filter(e -> e instanceof TagDiscovered x && x.tag().equals(sha)).findFirst().orElseThrow();
        assertEquals(img.digest(), d.digest(), "the payload has no digest: the registry's is announced");
        assertEquals(Optional.of("ci-bot"), d.pushedBy());
        assertEquals(DiscoverySource.WEBHOOK, d.source());
        byte[] digestOnly = payload.replace("\"version\": \"" + sha + "\"", "\"version\": \"" + img.digest() + "\"")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        given().contentType(ContentType.JSON).header("X-Gitea-Signature", WebhookAuth.sign("HmacSHA256", digestOnly, PollerFixture.HOOK_TOKEN))
                .body(digestOnly).post("/api/v1/webhooks/gitea/test/gt").then().statusCode(202).body("status", equalTo("ignored"));
        given().contentType(ContentType.JSON).header("X-Gitea-Signature", WebhookAuth.sign("HmacSHA256", body, "wrong"))
                .body(body).post("/api/v1/webhooks/gitea/test/gt").then().statusCode(401);
    }

    static String distribution(String repository, java.util.stream.Stream<String> tags) {
        return "{\"events\": [" + tags.map(t -> "{\"action\": \"push\", \"target\": {\"repository\": \"" + repository
                + "\", \"tag\": \"" + t + "\", \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\", \"digest\": \"sha256:"
                + "a".repeat(64) + "\"}}").collect(java.util.stream.Collectors.joining(", ")) + "]}";
    }

    @Test
    @Order(20)
    void noFloodReachesARegistryAndASuspendedRepositoryIsLeftAlone() throws Exception {
        // a suspended ImageRepository is not scanned, whoever asks (as Flux)
        given().post("/api/v1/repositories/test/paused/scan").then().statusCode(409)
                .body("error", containsString("suspended"));
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + PollerFixture.HOOK_TOKEN)
                .body(distribution("team/paused", java.util.stream.Stream.of("1.0.0")))
                .post("/api/v1/webhooks/distribution/test/paused").then().statusCode(202)
                .body("status", equalTo("ignored")).body("reason", containsString("test/paused is suspended"));

        // one authenticated delivery naming 200 tags the registry does not have: capped, and few asked again
        TestImages.push(PollerFixture.open, "team/burst", "1.0.0");
        int before = PollerFixture.burst.requests();
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + PollerFixture.HOOK_TOKEN)
                .body(distribution("team/burst", IntStream.range(0, 200).mapToObj(i -> "missing-" + i)))
                .post("/api/v1/webhooks/distribution/test/burst").then().statusCode(202)
                .body("skipped[0]", containsString("100 more tags than the 100 one delivery may name"));
        Thread.sleep(8000); // the retries of tags not found come after 0.2, 1 and 5 s
        int asked = PollerFixture.burst.requests() - before;
        assertTrue(asked <= 100 + 20 * 3, asked + " registry requests for one delivery (800 before the caps)");

        // 1,000 requests to scan now: one scan waits at a time, so the registry sees a few listings, not 1,000
        before = PollerFixture.burst.requests();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
        try {
            List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                answers.add(pool.submit(() -> given().post("/api/v1/repositories/test/burst/scan").statusCode()));
            }
            for (var a : answers) {
                assertEquals(202, a.get());
            }
        } finally {
            pool.shutdownNow();
        }
        settle();
        int listings = PollerFixture.burst.requests() - before;
        assertTrue(listings < 200, listings + " registry requests for 1,000 scan requests");
        System.out.printf("HARDENING one delivery naming 200 missing tags: %d registry requests; 1,000 scan requests: %d%n",
                asked, listings);
    }

    /**
     * Git-SHA tags ordered by build time (issue 19): the first scan reads each image's config once (a GET of the
     * manifest instead of a HEAD, and its config), every rescan costs the listing only, and the times are in the state.
     */
    @Test
    @Order(29)
    void buildTimesAreReadOnceAndKept() throws Exception {
        java.time.Instant t = java.time.Instant.parse("2026-12-01T10:00:00Z");
        List<String> shas = List.of("f" + "1".repeat(39), "9" + "2".repeat(39), "0" + "3".repeat(39)); // newest sorts lowest
        for (int i = 0; i < shas.size(); i++) {
            TestImages.pushBuilt(PollerFixture.open, "cd/supervisor", shas.get(i), t.plusSeconds(60L * i));
        }
        int before = PollerFixture.builds.requests();
        scan("shas");
        List<Event> events = tagEvents("test/shas", l -> l.size() >= 3);
        Map<String, java.util.Optional<java.time.Instant>> built = new HashMap<>();
        events.forEach(e -> built.put(((TagDiscovered) e).tag(), ((TagDiscovered) e).builtAt()));
        assertEquals(Map.of(shas.get(0), java.util.Optional.of(t), shas.get(1), java.util.Optional.of(t.plusSeconds(60)),
                shas.get(2), java.util.Optional.of(t.plusSeconds(120))), built);
        events.forEach(e -> assertTrue(((TagDiscovered) e).pushedAt().isPresent(), e.toString()));
        int first = PollerFixture.builds.requests() - before;
        System.out.printf("first scan of 3 SHA tags by build time: %d requests (listing + manifest GET + config GET per tag)%n", first);
        assertEquals(1 + 3 * 2, first);

        before = PollerFixture.builds.requests();
        scan("shas");
        settle();
        assertEquals(1, PollerFixture.builds.requests() - before, "a rescan lists the tags and reads nothing else");
        assertEquals(3, tagEvents("test/shas", l -> l.size() > 3, Duration.ofSeconds(2)).size());
        assertEquals(java.util.Optional.of(t.plusSeconds(120)), scanner.known("test/shas").get(shas.get(2)).built());
    }

    /**
     * A Gitea registry's packages API orders a first scan: three SHA tags already in the registry (pushed an hour apart,
     * the newest sorting lowest) get Gitea's created_at as their push time, one API request per tag, and a rescan asks
     * the API nothing; a tag Gitea does not know gets the time the poller first saw it.
     */
    @Test
    @Order(30)
    void giteaSaysWhenTheTagsOfAFirstScanWerePushed() throws Exception {
        java.time.Instant t = java.time.Instant.parse("2026-11-30T08:00:00Z");
        List<String> shas = List.of("e" + "4".repeat(39), "7" + "5".repeat(39), "1" + "6".repeat(39)); // newest sorts lowest
        for (int i = 0; i < shas.size(); i++) {
            TestImages.push(PollerFixture.open, "platform/supervisor", shas.get(i));
            PollerFixture.GITEA_CREATED.put("platform/supervisor:" + shas.get(i), t.plusSeconds(3600L * i));
        }
        TestImages.push(PollerFixture.open, "platform/supervisor", "untold");
        java.time.Instant before = java.time.Instant.now();
        scan("giteashas");
        List<Event> events = tagEvents("test/giteashas", l -> l.size() >= 4);
        Map<String, java.util.Optional<java.time.Instant>> pushed = new HashMap<>();
        events.forEach(e -> pushed.put(((TagDiscovered) e).tag(), ((TagDiscovered) e).pushedAt()));
        for (int i = 0; i < shas.size(); i++) {
            assertEquals(java.util.Optional.of(t.plusSeconds(3600L * i)), pushed.get(shas.get(i)), shas.get(i));
        }
        assertTrue(!pushed.get("untold").orElseThrow().isBefore(before.minusSeconds(1)), "first seen: " + pushed.get("untold"));
        assertEquals(4, PollerFixture.GITEA_ASKED.size(), PollerFixture.GITEA_ASKED.toString());
        assertTrue(PollerFixture.GITEA_ASKED.contains("/api/v1/packages/platform/container/supervisor/" + shas.get(2)));

        scan("giteashas");
        settle();
        assertEquals(4, PollerFixture.GITEA_ASKED.size(), "a rescan asks Gitea nothing");
    }

    /**
     * digestReflectionPolicy: Always (issue 19 §2): the tag a policy selected (from policy-matched) is looked up every
     * spec.interval of the policy, though the ImageRepository's mutableTags does not list it and its own interval is 1h;
     * a re-push is announced as moved, with no scan asked for and no webhook.
     */
    @Test
    @Order(31)
    void aSelectedTagUnderAlwaysIsFollowedByDigest() throws Exception {
        var first = TestImages.push(PollerFixture.open, "org/shop", "dev");
        scan("shop");
        TagDiscovered seen = (TagDiscovered) tagEvents("test/shop", l -> l.size() >= 1).get(0);
        assertEquals(first.digest(), seen.digest());
        KafkaBroker.shared().publish(Topic.POLICY_MATCHED.defaultName(), io.tagstream.common.events.CloudEvent.start("test",
                new io.tagstream.common.events.PolicyMatched("test/shop-dev", seen.repository(), "dev", first.digest(),
                        java.util.Optional.empty(), java.time.Instant.now())));
        var moved = TestImages.push(PollerFixture.open, "org/shop", "dev");
        List<Event> events = tagEvents("test/shop", l -> l.size() >= 2, Duration.ofSeconds(30));
        TagDiscovered m = (TagDiscovered) events.get(1);
        assertEquals(moved.digest(), m.digest());
        assertEquals(java.util.Optional.of(first.digest()), m.previousDigest());

        Map<String, String> stored = new HashMap<>();
        try (CompactedTopic store = new CompactedTopic(KafkaBroker.shared().bootstrapServers(), stateTopic)) {
            store.load((k, v) -> stored.put(k, v));
        }
        assertTrue(stored.getOrDefault("policy|test/shop-dev|selected", "").contains("\"tag\":\"dev\""), stored.toString());
        settle();
        assertEquals(2, tagEvents("test/shop", l -> l.size() > 2, Duration.ofSeconds(2)).size(),
                "looked up every second, announced only when it moved");
    }
}
