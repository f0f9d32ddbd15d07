package io.tagstream.promoter;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.common.events.Topic;
import io.tagstream.testkit.KafkaBroker;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(PromoterFixture.class)
class ServiceBootTest {

    @Test
    void healthIsUp() {
        given().get("/q/health").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void ungatedSelectionIsApprovedByAutoAndAudited() {
        String digest = "sha256:" + "5".repeat(64);
        var match = CloudEvent.start("test", new PolicyMatched("flux-system/hugo-blog", "ghcr.io/tazlab/hugo-blog",
                "blog-46-a1b2c3d", digest, Optional.empty(), Instant.now()));
        KafkaBroker.shared().publish(Topic.POLICY_MATCHED.defaultName(), match);
        var approvals = KafkaBroker.shared().events(Topic.PROMOTION_APPROVED.defaultName(), PromotionApproved.class,
                l -> l.stream().anyMatch(a -> a.correlationId().equals(match.correlationId())), Duration.ofSeconds(30));
        CloudEvent<PromotionApproved> approved = approvals.stream()
                .filter(a -> a.correlationId().equals(match.correlationId())).findFirst().orElseThrow();
        assertEquals("auto", approved.data().approvedBy());
        assertEquals("ghcr.io/tazlab/hugo-blog:blog-46-a1b2c3d@" + digest, approved.data().target().toString());
        assertEquals(approved.data().source(), approved.data().target());
        assertFalse(approved.data().copied());
        var audits = KafkaBroker.shared().events(Topic.AUDIT.defaultName(), AuditRecord.class,
                l -> l.stream().anyMatch(a -> a.data().relatedEventId().equals(Optional.of(approved.id()))),
                Duration.ofSeconds(30));
        assertEquals(1, audits.stream().filter(a -> a.data().relatedEventId().equals(Optional.of(approved.id()))).count());
    }
}
