package io.tagstream.poller;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.Topic;
import io.tagstream.testkit.KafkaBroker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(PollerFixture.class)
class ServiceBootTest {

    @Test
    void healthIsUpAndRepositoriesListed() {
        given().get("/q/health").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/api/v1/repositories").then().statusCode(200)
                .body("canonical", hasItem(PollerFixture.locked.host() + "/team/locked"));
    }

    @Test
    void scanRequestsAreAuditedOnTheBroker() {
        given().post("/api/v1/repositories/test/flaky/scan").then().statusCode(202);
        given().post("/api/v1/repositories/test/nope/scan").then().statusCode(404)
                .body("error", equalTo("no ImageRepository test/nope is configured"));
        List<CloudEvent<AuditRecord>> audits = KafkaBroker.shared().events(Topic.AUDIT.defaultName(), AuditRecord.class,
                l -> outcomes(l).containsAll(List.of("test/flaky=OK", "test/nope=REJECTED")), Duration.ofSeconds(30));
        assertTrue(outcomes(audits).containsAll(List.of("test/flaky=OK", "test/nope=REJECTED")), audits.toString());
    }

    static List<String> outcomes(List<CloudEvent<AuditRecord>> audits) {
        return audits.stream().filter(a -> a.data().action().equals("scan.requested"))
                .map(a -> a.data().subject() + "=" + a.data().outcome()).toList();
    }
}
