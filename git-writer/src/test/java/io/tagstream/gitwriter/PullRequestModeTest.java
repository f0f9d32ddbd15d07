package io.tagstream.gitwriter;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CommitPushed;
import io.tagstream.common.events.Topic;
import io.tagstream.testkit.TestForge;
import io.tagstream.testkit.KafkaBroker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Pull-request mode end to end, the same scenarios on each provider: approvals from the real broker, the head branch
 * in a git daemon's repository, and a test forge per provider (GitHub, Gitea, GitLab) that keeps real requests, merges
 * in git, and checks every call against the provider's API description.
 */
@QuarkusTest
@WithTestResource(GitWriterFixture.class)
class PullRequestModeTest {

    static void approve(String app, String tag) {
        KafkaBroker.shared().publish(Topic.PROMOTION_APPROVED.defaultName(), GitWriterFixture.approval(app, tag));
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        Instant until = Instant.now().plus(Duration.ofSeconds(30));
        while (!done.getAsBoolean()) {
            if (Instant.now().isAfter(until)) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    static String show(String branch, String file) {
        return GitWriterFixture.git.inBare("apps", "show", branch + ":" + file);
    }

    static String status(String automation, String field) {
        Object v = given().get("/api/v1/automations").then().statusCode(200).extract()
                .path("find { it.automation == 'flux-system/" + automation + "' }.pullRequest." + field);
        return v == null ? "" : v.toString();
    }

    static void noViolations(TestForge forge) {
        if (forge.described()) {
            assertEquals(List.of(), forge.violations(), "every call fits the forge's API description");
        }
    }

    /**
     * For people to merge: one request kept current across approvals (the body lists every pending change), no call
     * for a redelivery, the head rebuilt on a base someone else moved, a request a person closes takes its refs with
     * it, a newer ref opens a new one, a merge by a person is seen without an approval, and a request whose changes
     * reached the base some other way is closed with the reason; commit-pushed names the request.
     */
    @ParameterizedTest
    @EnumSource(TestForge.Kind.class)
    void oneRequestKeptCurrentThenClosedByAPersonMergedAndEmptied(TestForge.Kind kind) throws Exception {
        TestForge forge = GitWriterFixture.forges.get(kind);
        String k = kind.name().toLowerCase();
        String head = "tagstream/" + k;
        String dir = "deploy/" + k + "/";
        approve(k + "-web", "2");
        await("a labelled request", () -> forge.open(head).size() == 1 && !forge.open(head).get(0).labels.isEmpty());
        TestForge.Pr pr = forge.open(head).get(0);
        assertEquals("main", pr.base);
        assertEquals(List.of("images"), pr.labels);
        assertTrue(pr.body.contains("r.example/" + k + "-web:2"), pr.body);
        assertTrue(show(head, dir + "web.yaml").contains(k + "-web:2"));
        assertTrue(show("main", dir + "web.yaml").contains(k + "-web:1"), "the base is never pushed to");

        approve(k + "-api", "5");
        await("the request to list both", () -> pr.body.contains("r.example/" + k + "-api:5"));
        assertEquals(1, forge.requests(head).size(), "still one request");
        assertTrue(pr.body.contains("r.example/" + k + "-web:2"), "still lists the first change: " + pr.body);
        assertTrue(pr.title.contains(k + "-api 5") && pr.title.contains(k + "-web 2"), pr.title);
        assertTrue(show(head, dir + "web.yaml").contains(k + "-web:2") && show(head, dir + "api.yaml").contains(k + "-api:5"));
        String pinned = "r.example/" + k + "-api:5@sha256:" + "e".repeat(64);
        assertTrue(show(head, dir + "api.yaml").contains(pinned) && pr.body.contains(pinned), "the exact digest: " + pr.body);
        assertEquals(String.valueOf(pr.number), status(k + "-prs", "number"));
        assertEquals("open", status(k + "-prs", "state"));

        // the periodic look at the open request (every second here) reads it by number; nothing else may happen
        Supplier<List<String>> acting = () -> forge.calls().stream().filter(c -> !c.startsWith("GET ")
                || !c.endsWith("/" + pr.number)).toList();
        List<String> calls = acting.get();
        approve(k + "-api", "5"); // redelivered
        Thread.sleep(2000);
        assertEquals(calls, acting.get(), "a redelivered approval makes no API call");

        GitWriterFixture.git.commit("apps", "main", Map.of(dir + "notes.md", "someone else\n"), "docs", "bob");
        approve(k + "-web", "3");
        await("the request to list web 3", () -> pr.body.contains("r.example/" + k + "-web:3"));
        assertEquals("someone else", show(head, dir + "notes.md").trim(), "the head is rebuilt on the moved base");
        String web = show(head, dir + "web.yaml");
        assertTrue(web.contains(k + "-web:3") && !web.contains("<<<<<<<"), web);
        assertTrue(show(head, dir + "api.yaml").contains(k + "-api:5"), "the pending change is still carried");
        assertFalse(pr.body.contains(k + "-web:2`"), "the replaced ref is no longer listed: " + pr.body);
        assertEquals(1, forge.requests(head).size());

        List<CommitPushed> pushed = KafkaBroker.shared().events(Topic.COMMIT_PUSHED.defaultName(), CommitPushed.class,
                l -> l.stream().filter(e -> e.data().branch().equals(head)).count() >= 3, Duration.ofSeconds(30))
                .stream().map(e -> e.data()).filter(e -> e.branch().equals(head)).toList();
        for (CommitPushed e : pushed) {
            var cr = e.changeRequest().orElseThrow(() -> new AssertionError("commit-pushed names its request: " + e));
            assertEquals(List.of(k, "open", String.valueOf(pr.number), e.commit()),
                    List.of(cr.provider(), cr.state(), String.valueOf(cr.number()), cr.headSha()));
        }

        forge.closeByHand(pr.number);
        await("the close to be seen", () -> "closed".equals(status(k + "-prs", "state")));
        approve(k + "-api", "5");
        approve(k + "-web", "3");
        Thread.sleep(2000);
        assertEquals(0, forge.open(head).size(), "refs whose request a person closed are not proposed again");

        approve(k + "-web", "4");
        await("a new request", () -> forge.open(head).size() == 1);
        TestForge.Pr second = forge.open(head).get(0);
        assertNotEquals(pr.number, second.number);
        assertTrue(second.body.contains("r.example/" + k + "-web:4"), second.body);
        assertFalse(second.body.contains(k + "-api:5"), "the rejected ref is not carried: " + second.body);
        assertTrue(show(head, dir + "api.yaml").contains(k + "-api:1"));

        forge.mergeByHand(second.number);
        await("the merge to be seen without an approval", () -> "merged".equals(status(k + "-prs", "state")));
        assertTrue(show("main", dir + "web.yaml").contains(k + "-web:4"));

        approve(k + "-api", "6");
        await("a third request", () -> forge.open(head).size() == 1);
        TestForge.Pr third = forge.open(head).get(0);
        assertTrue(third.body.contains(k + "-api:6") && !third.body.contains(k + "-web:4"), third.body);
        // someone writes the same image into main by hand: nothing is left to propose, so the request is closed
        GitWriterFixture.git.commit("apps", "main", Map.of(dir + "api.yaml", show(head, dir + "api.yaml")), "hotfix", "carol");
        await("the emptied request to be closed", () -> forge.open(head).isEmpty());
        assertTrue(third.body.startsWith("Closed by Tagstream: every change this pull request carried is in `main`"), third.body);
        assertEquals(3, forge.requests(head).size());
        noViolations(forge);
    }

    /**
     * Auto-merged bumps (the 603 plan's dev): the forge is down when the approval comes and the request appears once
     * it is back, exactly one, merged; a create whose answer is lost is taken over, not doubled; each merge is audited
     * once.
     */
    @ParameterizedTest
    @EnumSource(TestForge.Kind.class)
    void autoMergedBumpsSurviveAForgeOutageAndALostAnswer(TestForge.Kind kind) throws Exception {
        TestForge forge = GitWriterFixture.forges.get(kind);
        String k = kind.name().toLowerCase() + "-auto";
        String head = "tagstream/" + k;
        String dir = "deploy/" + k + "/";
        int callsBefore = forge.calls().size();
        forge.down(true);
        try {
            approve(k + "-web", "2");
            await("the forge to be asked", () -> forge.calls().size() > callsBefore);
            Thread.sleep(1500);
            assertEquals(0, forge.requests(head).size());
        } finally {
            forge.down(false);
        }
        await("a merged request after the forge recovered", () -> forge.requests(head).size() == 1
                && forge.requests(head).get(0).merged && !forge.requests(head).get(0).labels.isEmpty());
        assertTrue(show("main", dir + "web.yaml").contains(k + "-web:2"), "merged into the base");
        assertEquals("squash", forge.requests(head).get(0).autoMerge.toLowerCase());

        forge.loseNextCreateAnswer();
        approve(k + "-api", "3");
        await("the second request merged", () -> forge.requests(head).size() == 2 && forge.requests(head).get(1).merged);
        Thread.sleep(1500);
        assertEquals(2, forge.requests(head).size(), "no duplicate request after a lost answer");
        assertTrue(show("main", dir + "api.yaml").contains(k + "-api:3"));

        long first = forge.requests(head).get(0).number;
        long second = forge.requests(head).get(1).number;
        String automation = "flux-system/" + k + "-prs";
        var audit = KafkaBroker.shared().events(Topic.AUDIT.defaultName(), AuditRecord.class, l -> l.stream().anyMatch(e ->
                e.data().action().equals("pull-request.merged") && e.data().subject().equals(automation)
                        && e.data().reason().contains(" #" + second + " ")), Duration.ofSeconds(30));
        assertEquals(1, audit.stream().filter(e -> e.data().action().equals("pull-request.merged")
                && e.data().subject().equals(automation) && e.data().reason().contains(" #" + first + " ")).count(),
                "a merge is audited once");
        assertTrue(audit.stream().anyMatch(e -> e.data().action().equals("pull-request.failed") && e.data().subject().equals(automation)),
                "the outage is audited");
        noViolations(forge);
    }
}
