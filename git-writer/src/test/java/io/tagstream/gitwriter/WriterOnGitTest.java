package io.tagstream.gitwriter;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.CommitPushed;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.common.events.Topic;
import io.tagstream.testkit.KafkaBroker;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Approvals from the real broker become commits in a git daemon's repository, read back with the git CLI. */
@QuarkusTest
@WithTestResource(GitWriterFixture.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WriterOnGitTest {

    static final String BRANCH = "feat/pemclau-master";
    static final String UPDATE_PATH = "./fleet-sync/ctc-flux/eose-entry";

    static CloudEvent<PromotionApproved> approval(String app, String tag) {
        return GitWriterFixture.approval(app, tag);
    }

    static List<CloudEvent<CommitPushed>> pushed(int atLeast) {
        return pushed(atLeast, Duration.ofSeconds(30));
    }

    /** The commit-pushed events of this class's branch (other classes of the module write other repositories). */
    static List<CloudEvent<CommitPushed>> pushed(int atLeast, Duration timeout) {
        return fleet(KafkaBroker.shared().events(Topic.COMMIT_PUSHED.defaultName(), CommitPushed.class,
                l -> fleet(l).size() >= atLeast, timeout));
    }

    private static List<CloudEvent<CommitPushed>> fleet(List<CloudEvent<CommitPushed>> events) {
        return events.stream().filter(e -> e.data().branch().equals(BRANCH)).toList();
    }

    static int commits() {
        return Integer.parseInt(GitWriterFixture.git.inBare("fleet", "rev-list", "--count", BRANCH).trim());
    }

    @Test
    @Order(0)
    void previewSaysWhichMarkersWouldChangeAndCommitsNothing() {
        int before = commits();
        given().contentType(ContentType.JSON)
                .body("{\"policy\": \"flux-system/portal\", \"image\": \"r.example/portal\", \"tag\": \"925\"}")
                .post("/api/v1/automations/preview").then().statusCode(200)
                .body("changes.size()", equalTo(1))
                .body("changes[0].file", equalTo("fleet-sync/ctc-flux/eose-entry/portal.yaml"))
                .body("changes[0].marker", equalTo("flux-system:portal"))
                .body("changes[0].branch", equalTo(BRANCH))
                .body("changes[0].oldValue", equalTo("r.example/portal:1"))
                .body("changes[0].newValue", equalTo("r.example/portal:925"))
                .body("problems.size()", equalTo(0));
        // a policy no marker names changes nothing; a request without a tag is refused
        given().contentType(ContentType.JSON)
                .body("{\"policy\": \"flux-system/nobody\", \"image\": \"r.example/x\", \"tag\": \"1\"}")
                .post("/api/v1/automations/preview").then().statusCode(200).body("changes.size()", equalTo(0));
        given().contentType(ContentType.JSON).body("{\"policy\": \"flux-system/portal\"}")
                .post("/api/v1/automations/preview").then().statusCode(400);
        assertEquals(before, commits(), "a preview commits nothing");
    }

    @Test
    @Order(1)
    void approvalBecomesOneCommitAndACommitPushedEvent() {
        var a = approval("portal", "924");
        KafkaBroker.shared().publish(Topic.PROMOTION_APPROVED.defaultName(), a);
        CloudEvent<CommitPushed> e = pushed(1).get(0);
        assertEquals(a.correlationId(), e.correlationId());
        assertEquals(List.of(a.id()), e.data().causes());
        assertEquals(BRANCH, e.data().branch());
        assertEquals(List.of(new CommitPushed.Change("fleet-sync/ctc-flux/eose-entry/portal.yaml", "flux-system:portal",
                "r.example/portal:1", "r.example/portal:924")), e.data().changes());
        assertEquals(e.data().commit() + " flux-bot chore(flux): auto-update image tags in eose-entry-auto",
                GitWriterFixture.git.inBare("fleet", "log", "-1", "--format=%H %an %s", BRANCH).trim());
        assertEquals("- fleet-sync/ctc-flux/eose-entry/portal.yaml: r.example/portal:1 -> r.example/portal:924",
                GitWriterFixture.git.inBare("fleet", "log", "-1", "--format=%b", BRANCH).trim(), "the template lists the changes");
        assertTrue(GitWriterFixture.git.inBare("fleet", "show", BRANCH + ":fleet-sync/ctc-flux/eose-entry/portal.yaml")
                .contains("image: r.example/portal:924 # {\"$imagepolicy\": \"flux-system:portal\"}"));
    }

    @Test
    @Order(2)
    void redeliveryMakesNoSecondCommit() throws Exception {
        int before = commits();
        KafkaBroker.shared().publish(Topic.PROMOTION_APPROVED.defaultName(), approval("portal", "924"));
        Thread.sleep(3000);
        assertEquals(before, commits());
        assertEquals(1, pushed(2, Duration.ofSeconds(2)).size(), "no commit-pushed without a push");
    }

    @Test
    @Order(3)
    void aBurstOfApprovalsMakesFewCommits() {
        int before = commits();
        List<String> burst = List.of("relay", "a", "b", "c", "d", "e");
        try (var producer = KafkaBroker.shared().producer()) {
            for (String app : burst) {
                var ev = approval(app, "7");
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(Topic.PROMOTION_APPROVED.defaultName(),
                        null, ev.key().getBytes(), ev.value(), ev.headers()));
            }
        }
        List<CloudEvent<CommitPushed>> events = pushed(2);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (events.stream().skip(1).mapToInt(e -> e.data().changes().size()).sum() < burst.size() && System.nanoTime() < deadline) {
            events = pushed(events.size() + 1);
        }
        int changes = events.stream().skip(1).mapToInt(e -> e.data().changes().size()).sum();
        assertEquals(burst.size(), changes);
        int made = commits() - before;
        assertTrue(made < burst.size(), made + " commits for " + burst.size() + " approvals");
        for (String app : burst) {
            assertTrue(GitWriterFixture.git.inBare("fleet", "show", BRANCH + ":fleet-sync/ctc-flux/eose-entry/" + app + ".yaml")
                    .contains("r.example/" + app + ":7 "));
        }
        given().get("/api/v1/automations").then().statusCode(200)
                .body("[0].automation", equalTo("flux-system/eose-entry-auto"))
                .body("[0].pendingChanges", equalTo(0));
    }

    @Test
    @Order(4)
    void aRevertByAPersonStandsUntilANewerImageIsApproved() throws Exception {
        String file = "fleet-sync/ctc-flux/eose-entry/portal.yaml";
        KafkaBroker.shared().publish(Topic.PROMOTION_APPROVED.defaultName(), approval("portal", "930"));
        awaitFile(file, "r.example/portal:930 ");
        String reverted = GitWriterFixture.git.inBare("fleet", "show", BRANCH + ":" + file).replace("portal:930 ", "portal:924 ");
        GitWriterFixture.git.commit("fleet", BRANCH, java.util.Map.of(file, reverted), "Revert portal to 924: 930 breaks login", "alice");
        int before = commits();

        var again = approval("portal", "930"); // the same ref approved again (a redelivery, a re-selection)
        KafkaBroker.shared().publish(Topic.PROMOTION_APPROVED.defaultName(), again);
        var audit = KafkaBroker.shared().events(Topic.AUDIT.defaultName(), io.tagstream.common.events.AuditRecord.class,
                l -> l.stream().anyMatch(e -> e.data().action().equals("approval.already-written")
                        && e.correlationId().equals(again.correlationId())), Duration.ofSeconds(30));
        assertTrue(audit.stream().anyMatch(e -> e.data().reason().contains("flux-system:portal=r.example/portal:930@sha256:")),
                "the audit says what was written before");
        assertEquals(before, commits(), "the revert stands");
        assertEquals("alice", GitWriterFixture.git.inBare("fleet", "log", "-1", "--format=%an", BRANCH).trim());

        KafkaBroker.shared().publish(Topic.PROMOTION_APPROVED.defaultName(), approval("portal", "931"));
        awaitFile(file, "r.example/portal:931 ");
        assertEquals(before + 1, commits());
    }

    static final String PORTAL = "fleet-sync/ctc-flux/eose-entry/portal.yaml";

    /** What a pod that died between its push and announcing it leaves in Kafka: the intent it recorded before pushing. */
    static void intent(String commit, String eventId, CloudEvent<PromotionApproved> approval, String tag) throws Exception {
        String url = io.tagstream.gitwriter.core.Workspace.safeUrl(GitWriterFixture.git.url("fleet"));
        var entry = new io.tagstream.gitwriter.core.Ledger.Entry(approval.data().source().toString(), Optional.of(commit),
                Instant.now(), Optional.empty());
        var i = new io.tagstream.gitwriter.core.Ledger.Intent(commit, eventId, Instant.now(), approval.correlationId(),
                new CommitPushed("flux-system/eose-entry-auto", url, BRANCH, commit, List.of(new CommitPushed.Change(PORTAL,
                        "flux-system:portal", "r.example/portal:931", "r.example/portal:" + tag)), Instant.now(), List.of(approval.id())),
                java.util.Map.of(io.tagstream.gitwriter.core.Ledger.key(
                        io.tagstream.gitwriter.core.Ledger.scope("flux-system/eose-entry-auto", url, BRANCH, UPDATE_PATH), "flux-system:portal"), entry));
        try (var producer = KafkaBroker.shared().producer()) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("tagstream.git-writer.state",
                    io.tagstream.gitwriter.core.Ledger.intentKey(url + "#" + BRANCH).getBytes(StandardCharsets.UTF_8),
                    io.tagstream.common.events.Json.writeString(i).getBytes(StandardCharsets.UTF_8))).get();
        }
        Thread.sleep(1500); // the running pod follows the state topic
    }

    @Test
    @Order(5)
    void aPushWhoseWriterDiedBeforeAnnouncingItIsAnnouncedOnceAndNotCommittedAgain() throws Exception {
        // the dead pod's commit is in git...
        String content = GitWriterFixture.git.inBare("fleet", "show", BRANCH + ":" + PORTAL).replace("portal:931 ", "portal:940 ");
        GitWriterFixture.git.commit("fleet", BRANCH, java.util.Map.of(PORTAL, content), "chore(flux): auto-update image tags", "flux-bot");
        String sha = GitWriterFixture.git.inBare("fleet", "rev-parse", BRANCH).trim();
        int before = commits();
        int announced = pushed(1).size();
        var approval = approval("portal", "940");
        intent(sha, "event-of-the-dead-pod", approval, "940");
        // ...and its approval, never acknowledged, is delivered again
        KafkaBroker.shared().publish(Topic.PROMOTION_APPROVED.defaultName(), approval);
        List<CloudEvent<CommitPushed>> events = pushed(announced + 1);
        CloudEvent<CommitPushed> late = events.get(announced);
        assertEquals("event-of-the-dead-pod", late.id(), "announced with the id chosen before the push");
        assertEquals(sha, late.data().commit());
        Thread.sleep(2000);
        assertEquals(before, commits(), "no second commit");
        assertEquals(announced + 1, pushed(announced + 2, Duration.ofSeconds(2)).size(), "announced once");

        // an intent whose commit never reached git is forgotten, and the approval is written as usual
        var next = approval("portal", "941");
        intent("0123456789abcdef0123456789abcdef01234567", "event-never-pushed", next, "941");
        KafkaBroker.shared().publish(Topic.PROMOTION_APPROVED.defaultName(), next);
        awaitFile(PORTAL, "r.example/portal:941 ");
        assertEquals(before + 1, commits());
        events = pushed(announced + 2);
        assertTrue(events.stream().noneMatch(e -> e.id().equals("event-never-pushed")), "a push that did not happen is not announced");
        assertEquals(List.of(next.id()), events.get(events.size() - 1).data().causes());
    }

    @Test
    @Order(6)
    void anApprovalForABrokenFileIsNotLostItIsWrittenOnceTheFileIsFixed() throws Exception {
        String file = "fleet-sync/ctc-flux/eose-entry/d.yaml";
        String good = GitWriterFixture.git.inBare("fleet", "show", BRANCH + ":" + file);
        GitWriterFixture.git.commit("fleet", BRANCH, java.util.Map.of(file, good + "bad: [unclosed\n"), "wip", "bob");
        int before = commits();

        var approval = approval("d", "8");
        KafkaBroker.shared().publish(Topic.PROMOTION_APPROVED.defaultName(), approval);
        var audit = KafkaBroker.shared().events(Topic.AUDIT.defaultName(), io.tagstream.common.events.AuditRecord.class,
                l -> l.stream().anyMatch(e -> e.data().action().equals("approval.blocked")
                        && e.correlationId().equals(approval.correlationId())), Duration.ofSeconds(30));
        var blocked = audit.stream().filter(e -> e.data().action().equals("approval.blocked")).reduce((x, y) -> y).orElseThrow();
        assertTrue(blocked.data().reason().contains(file + ":") && blocked.data().reason().contains("not valid YAML"),
                blocked.data().reason());
        assertTrue(audit.stream().noneMatch(e -> e.data().action().equals("commit.skipped")
                && e.correlationId().equals(approval.correlationId())), "never 'git already holds' for a ref it does not hold");
        assertEquals(before, commits());
        given().get("/api/v1/automations").then().body("[0].lastError", org.hamcrest.Matchers.containsString("not valid YAML"));

        // someone fixes the file: the approved ref is written without a new approval
        GitWriterFixture.git.commit("fleet", BRANCH, java.util.Map.of(file, good), "fix d.yaml", "bob");
        awaitFile(file, "r.example/d:8 ");
        assertEquals(before + 2, commits(), "the fix and one commit of 8");
        Thread.sleep(2500); // two retry intervals: nothing more
        assertEquals(before + 2, commits());
    }

    static void awaitFile(String file, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!GitWriterFixture.git.inBare("fleet", "show", BRANCH + ":" + file).contains(text)) {
            assertTrue(System.nanoTime() < deadline, file + " never held " + text);
            Thread.sleep(100);
        }
    }
}
