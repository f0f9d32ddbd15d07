package io.tagstream.gitwriter;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.common.events.Topic;
import io.tagstream.testkit.KafkaBroker;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(GitWriterFixture.class)
class ServiceBootTest {

    @Test
    void healthIsUp() {
        given().get("/q/health").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void consumedApprovalLeavesAnAuditRecordWithItsCorrelation() {
        String ref = "ghcr.io/tazlab/hugo-blog:blog-46-a1b2c3d@sha256:" + "6".repeat(64);
        var event = CloudEvent.start("test", new PromotionApproved("flux-system/hugo-blog", "flux-system/hugo-blog",
                io.tagstream.common.events.ImageRef.parse(ref), io.tagstream.common.events.ImageRef.parse(ref), "auto", Instant.now(), false));
        KafkaBroker.shared().publish(Topic.PROMOTION_APPROVED.defaultName(), event);
        var audits = KafkaBroker.shared().events(Topic.AUDIT.defaultName(), AuditRecord.class,
                l -> l.stream().anyMatch(a -> a.data().relatedEventId().equals(Optional.of(event.id()))),
                Duration.ofSeconds(30));
        CloudEvent<AuditRecord> audit = audits.stream()
                .filter(a -> a.data().relatedEventId().equals(Optional.of(event.id()))).findFirst().orElseThrow();
        assertEquals("git-writer", audit.data().service());
        assertEquals(event.correlationId(), audit.correlationId());
    }
}
