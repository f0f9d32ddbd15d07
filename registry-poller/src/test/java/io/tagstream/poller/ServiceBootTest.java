package io.tagstream.poller;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.Topic;
import io.tagstream.testkit.KafkaBroker;
import io.tagstream.testkit.KafkaTestResource;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class ServiceBootTest {

    @Test
    void healthIsUpAndRepositoriesListed() {
        given().get("/q/health").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/api/v1/repositories").then().statusCode(200)
                .body("canonical", hasItem("ghcr.io/tazlab/hugo-blog"));
    }

    @Test
    void scanRequestsAreAuditedOnTheBroker() {
        given().post("/api/v1/repositories/flux-system/hugo-blog/scan").then().statusCode(202);
        given().post("/api/v1/repositories/flux-system/nope/scan").then().statusCode(404)
                .body("error", equalTo("no ImageRepository flux-system/nope is configured"));
        List<CloudEvent<AuditRecord>> audits = KafkaBroker.shared().events(Topic.AUDIT.defaultName(), AuditRecord.class,
                l -> l.stream().filter(a -> a.data().action().equals("scan.requested")).count() >= 2, Duration.ofSeconds(30));
        var outcomes = audits.stream().filter(a -> a.data().action().equals("scan.requested"))
                .map(a -> a.data().subject() + "=" + a.data().outcome()).sorted().toList();
        assertEquals(List.of("flux-system/hugo-blog=OK", "flux-system/nope=REJECTED"), outcomes);
    }
}
