package io.tagstream.evaluator.adapters;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.common.events.TagDiscovered;
import io.tagstream.common.events.TagDiscovered.DiscoverySource;
import io.tagstream.common.events.Topic;
import io.tagstream.evaluator.core.Selections;
import io.tagstream.testkit.KafkaBroker;
import io.tagstream.testkit.KafkaTestResource;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The evaluator on the real broker, with the TazLab configuration: tags in, exactly one policy-matched per change. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class EvaluatorOnKafkaTest {

    static final String POLICY = "flux-system/mcp-server";

    @ConfigProperty(name = "tagstream.evaluator.state-topic")
    String stateTopic;

    static CloudEvent<TagDiscovered> tag(String tag, char digest) {
        return CloudEvent.start("test", new TagDiscovered("flux-system/mcp-server", "ghcr.io", "ghcr.io/tazlab/mcp-server",
                tag, "sha256:" + String.valueOf(digest).repeat(64), "application/vnd.oci.image.manifest.v1+json",
                Optional.empty(), DiscoverySource.POLL, Instant.now()));
    }

    static List<CloudEvent<PolicyMatched>> matches(int atLeast) {
        return KafkaBroker.shared().events(Topic.POLICY_MATCHED.defaultName(), PolicyMatched.class,
                l -> l.stream().filter(m -> m.data().policy().equals(POLICY)).count() >= atLeast, Duration.ofSeconds(20))
                .stream().filter(m -> m.data().policy().equals(POLICY)).toList();
    }

    @Test
    void oneMatchPerChangeNoneOnRedeliveryOrRestart() throws Exception {
        String topic = Topic.TAG_DISCOVERED.defaultName();
        var first = tag("mcp-3-aaaaaaa", 'a');
        KafkaBroker.shared().publish(topic, first);
        KafkaBroker.shared().publish(topic, tag("blog-99-bbbbbbb", 'b')); // another app's tag in the same repository
        KafkaBroker.shared().publish(topic, tag("mcp-2-ccccccc", 'c'));   // lower number
        var higher = tag("mcp-12-ddddddd", 'd');
        KafkaBroker.shared().publish(topic, higher);
        KafkaBroker.shared().publish(topic, first);                        // redelivery
        KafkaBroker.shared().publish(topic, higher);                       // redelivery

        List<CloudEvent<PolicyMatched>> m = matches(2);
        Thread.sleep(1500); // anything wrongly emitted by the redeliveries would arrive now
        m = matches(2);
        assertEquals(List.of("mcp-3-aaaaaaa", "mcp-12-ddddddd"), m.stream().map(e -> e.data().tag()).toList());
        assertEquals(first.correlationId(), m.get(0).correlationId(), "the chain's correlation id travels on");
        assertEquals(Optional.of(new PolicyMatched.TagRef("mcp-3-aaaaaaa", "sha256:" + "a".repeat(64))), m.get(1).data().previous());

        // A restarted pod: a fresh state rebuilt only from the state topic announces nothing it announced before.
        Selections rebuilt = new Selections();
        try (StateLog log = new StateLog(KafkaBroker.shared().bootstrapServers(), stateTopic)) {
            log.load(rebuilt);
        }
        var config = new io.tagstream.common.config.ConfigLoader().load(java.nio.file.Path.of("../docs/examples/tazlab")).config();
        assertEquals(List.of(), rebuilt.reconfigured(config, Instant.now()).stream()
                .filter(e -> e instanceof Selections.Matched).toList());
        assertEquals(List.of(), rebuilt.discovered(higher.data(), config, Instant.now()));
        assertEquals(4, rebuilt.tagsOf("flux-system/mcp-server", config).size());

        given().get("/api/v1/policies").then().statusCode(200)
                .body("find { it.policy == 'flux-system/mcp-server' }.latest.tag", equalTo("mcp-12-ddddddd"));
        given().post("/api/v1/policies/flux-system/mcp-server/evaluate").then().statusCode(200)
                .body("latestTag", equalTo("mcp-12-ddddddd"))
                .body("skipped.reason", hasItem("does not match filterTags.pattern '^mcp-(?P<value>[0-9]+)-.*$'"));
        // a new rule for the configured policy, over the same known tags (the console's dry run); nothing changes
        given().contentType(ContentType.JSON).body("""
                {"policy": {"alphabetical": {"order": "asc"}}, "filterTags": {"pattern": "^mcp-(?P<v>[0-9]+)-.*$", "extract": "$v"}}""")
                .post("/api/v1/policies/flux-system/mcp-server/evaluate").then().statusCode(200)
                .body("latestTag", equalTo("mcp-3-aaaaaaa")); // "3" sorts after "2" and "12"
        given().contentType(ContentType.JSON).body("""
                {"policy": {"semver": {"range": ">=1.0.0"}}, "tags": ["1.0.0"]}""")
                .post("/api/v1/policies/flux-system/mcp-server/evaluate").then().statusCode(400);
        given().get("/api/v1/policies").then().statusCode(200)
                .body("find { it.policy == 'flux-system/mcp-server' }.latest.tag", equalTo("mcp-12-ddddddd"));
    }

    @Test
    void dryRunExplainsItsChoice() {
        given().contentType(ContentType.JSON).body("""
                {"policy": {"semver": {"range": ">=900.0.0", "coerce": true}},
                 "tags": ["922", "924", "899", "latest", "1000.0.0-rc.1"]}""")
                .post("/api/v1/policies/evaluate").then().statusCode(200)
                .body("latestTag", equalTo("924"))
                .body("candidates", equalTo(5))
                .body("skippedTotal", equalTo(3)) // 899, latest, the prerelease; 922 qualified but lost
                .body("skipped.find { it.tag == '1000.0.0-rc.1' }.reason",
                        equalTo("prerelease 1000.0.0-rc.1 excluded: range '>=900.0.0' names no prerelease"));
        given().contentType(ContentType.JSON).body("""
                {"policy": {"numerical": {"order": "asc"}}, "filterTags": {"pattern": "^blog-(?P<value>[0-9]+)-.*$", "extract": "$value"},
                 "tags": ["blog-45-a1b2c3d", "blog-46-ffffff0", "wiki-99-x"]}""")
                .post("/api/v1/policies/evaluate").then().statusCode(200).body("latestTag", equalTo("blog-46-ffffff0"));
        given().contentType(ContentType.JSON).body("""
                {"policy": {"semver": {"range": ">=9x"}}, "tags": ["1.0.0"]}""")
                .post("/api/v1/policies/evaluate").then().statusCode(422)
                .body("error", equalTo("'>=9x' is not a valid semver range ('9x' is not a version)"));
        given().contentType(ContentType.JSON).body("""
                {"policy": {"semver": {"range": ">=2.0.0"}}, "tags": ["1.0.0"]}""")
                .post("/api/v1/policies/evaluate").then().statusCode(422)
                .body("error", equalTo("no tag of 1 candidates satisfies semver range '>=2.0.0'"))
                .body("skipped[0].reason", equalTo("1.0.0 is outside range '>=2.0.0'"));
        given().contentType(ContentType.JSON).body("""
                {"policy": {"newest": {"by": "pushed"}}, "tags": ["0123abc"]}""")
                .post("/api/v1/policies/evaluate").then().statusCode(422)
                .body("error", org.hamcrest.Matchers.startsWith("policy.newest orders tags by when they were pushed or built"));
        given().contentType(ContentType.JSON).body("{\"tags\": []}").post("/api/v1/policies/evaluate").then().statusCode(400);
        given().contentType(ContentType.JSON).body("{not json").post("/api/v1/policies/evaluate").then().statusCode(400);
        // found by the surface fuzz (seed 99): a null tag reached the core and gave a 500
        given().contentType(ContentType.JSON).body("{\"policy\": {\"numerical\": {\"order\": \"asc\"}}, \"tags\": [\"1\", null]}")
                .post("/api/v1/policies/evaluate").then().statusCode(400)
                .body("error", org.hamcrest.Matchers.equalTo("tags[1] is null; every tag must be a string"));
        given().post("/api/v1/policies/flux-system/nope/evaluate").then().statusCode(404)
                .body("error", equalTo("no ImagePolicy flux-system/nope is configured"));
    }

    @Test
    void aDryRunThatWouldRunForSecondsStopsAtItsBudget() {
        // RE2 is linear, but 400 '.*' over 20,000 tags of 128 characters is still ~20 s of work (1.1 ms a tag)
        java.util.Random r = new java.util.Random(7);
        StringBuilder tags = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            StringBuilder t = new StringBuilder();
            for (int j = 0; j < 127; j++) {
                t.append((char) ('a' + r.nextInt(3)));
            }
            tags.append(i == 0 ? "" : ",").append('"').append(t).append(i % 10).append('"');
        }
        String body = "{\"policy\": {\"alphabetical\": {}}, \"filterTags\": {\"pattern\": \"" + "(?:[abc]{1,8}){1,100}q".substring(0, 21)
                + ".*".repeat(400) + "\"}, \"tags\": [" + tags + "]}";
        long t0 = System.nanoTime();
        given().contentType(ContentType.JSON).body(body).post("/api/v1/policies/evaluate").then().statusCode(422)
                .body("error", equalTo("the evaluation stopped at its time budget of 2000 ms before it had read every tag: narrow "
                        + "filterTags.pattern or give fewer tags"));
        double took = (System.nanoTime() - t0) / 1e9;
        System.out.printf("a 20,000-tag dry run with 400 '.*' answered 422 after %.2f s%n", took);
        org.junit.jupiter.api.Assertions.assertTrue(took < 4, took + " s");
    }
}
