package io.tagstream.evaluator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.TagDiscovered;
import io.tagstream.common.events.TagDiscovered.DiscoverySource;
import io.tagstream.common.events.Topic;
import io.tagstream.testkit.KafkaBroker;
import io.tagstream.testkit.KafkaTestResource;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class ServiceBootTest {

    @Test
    void healthIsUp() {
        given().get("/q/health").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void consumedTagIsSelectedAndAuditedWithItsCorrelation() {
        var event = CloudEvent.start("test", new TagDiscovered("flux-system/hugo-blog", "ghcr.io", "ghcr.io/tazlab/hugo-blog",
                "blog-46-a1b2c3d", "sha256:" + "4".repeat(64), "application/vnd.oci.image.manifest.v1+json",
                Optional.empty(), DiscoverySource.WEBHOOK, Instant.now()));
        KafkaBroker.shared().publish(Topic.TAG_DISCOVERED.defaultName(), event);
        var audits = KafkaBroker.shared().events(Topic.AUDIT.defaultName(), AuditRecord.class,
                l -> l.stream().anyMatch(a -> a.correlationId().equals(event.correlationId())),
                Duration.ofSeconds(30));
        CloudEvent<AuditRecord> audit = audits.stream()
                .filter(a -> a.correlationId().equals(event.correlationId())).findFirst().orElseThrow();
        assertEquals("policy-evaluator", audit.data().service());
        assertEquals("policy.matched", audit.data().action());
        assertEquals(Optional.of(event.correlationId()), audit.data().correlationId());
    }
}
