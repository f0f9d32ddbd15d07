package io.tagstream.gitwriter;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tagstream.common.events.Topic;
import io.tagstream.gitwriter.forge.TestForge;
import io.tagstream.testkit.KafkaBroker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Pull-request mode end to end: approvals from the real broker, the head branch in a git daemon's repository, and a
 * test forge per provider (GitHub, Gitea, GitLab) that keeps real requests, merges in git, and checks every call
 * against the provider's API description.
 */
@QuarkusTest
@WithTestResource(GitWriterFixture.class)
class PullRequestModeTest {

    static void approve(String app, String tag) {
        KafkaBroker.shared().publish(Topic.PROMOTION_APPROVED.defaultName(), WriterOnGitTest.approval(app, tag));
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

    static void noViolations(TestForge forge) {
        if (forge.described()) {
            assertEquals(List.of(), forge.violations(), "every call fits the forge's API description");
        }
    }

    /**
     * GitHub: one PR kept current across approvals, no API call for a redelivery, a PR a person closes takes its refs
     * with it (the same ref is not proposed again), a newer ref opens a new PR carrying only what is still wanted.
     */
    @Test
    void githubOnePullRequestKeptCurrentAndAClosedOneRejectsItsRefs() throws Exception {
        TestForge forge = GitWriterFixture.forges.get(TestForge.Kind.GITHUB);
        approve("github-web", "2");
        await("a labelled PR", () -> forge.open().size() == 1 && !forge.open().get(0).labels.isEmpty());
        TestForge.Pr pr = forge.open().get(0);
        assertEquals("tagstream/github", pr.head);
        assertEquals("main", pr.base);
        assertEquals(List.of("images"), pr.labels);
        assertTrue(pr.body.contains("r.example/github-web:2"), pr.body);
        assertTrue(show("tagstream/github", "deploy/github/web.yaml").contains("github-web:2"));
        assertTrue(show("main", "deploy/github/web.yaml").contains("github-web:1"), "the base is never pushed to");

        approve("github-api", "5");
        await("the PR to list both", () -> pr.body.contains("r.example/github-api:5"));
        assertEquals(1, forge.open().size(), "still one open PR");
        assertEquals(1, forge.requests().size());
        assertTrue(pr.body.contains("r.example/github-web:2"), "still lists the first change: " + pr.body);
        assertTrue(pr.title.contains("github-api 5") && pr.title.contains("github-web 2"), pr.title);
        assertTrue(show("tagstream/github", "deploy/github/web.yaml").contains("github-web:2"));
        assertTrue(show("tagstream/github", "deploy/github/api.yaml").contains("github-api:5"));

        var events = KafkaBroker.shared().events(Topic.COMMIT_PUSHED.defaultName(), io.tagstream.common.events.CommitPushed.class,
                l -> l.stream().filter(e -> e.data().branch().equals("tagstream/github")).count() >= 2, Duration.ofSeconds(30))
                .stream().filter(e -> e.data().branch().equals("tagstream/github")).toList();
        for (var e : events) {
            var cr = e.data().changeRequest().orElseThrow(() -> new AssertionError("commit-pushed names its PR: " + e));
            assertEquals(List.of("github", "open", String.valueOf(pr.number), e.data().commit()),
                    List.of(cr.provider(), cr.state(), String.valueOf(cr.number()), cr.headSha()));
        }

        // the periodic look at the open PR (every second here) reads it by number; nothing else may happen
        java.util.function.Supplier<List<String>> acting = () -> forge.calls().stream()
                .filter(c -> !c.equals("GET /repos/platform/apps/pulls/" + pr.number)).toList();
        List<String> calls = acting.get();
        approve("github-api", "5"); // redelivered
        Thread.sleep(2000);
        assertEquals(calls, acting.get(), "a redelivered approval makes no API call");

        forge.closeByHand(pr.number);
        approve("github-api", "5");
        Thread.sleep(2000);
        assertEquals(0, forge.open().size(), "a ref whose PR a person closed is not proposed again");

        approve("github-web", "3");
        await("a new PR", () -> forge.open().size() == 1);
        TestForge.Pr second = forge.open().get(0);
        assertTrue(second.number != pr.number);
        assertTrue(second.body.contains("r.example/github-web:3"), second.body);
        assertFalse(second.body.contains("github-api:5"), "the rejected ref is not carried: " + second.body);
        assertTrue(show("tagstream/github", "deploy/github/api.yaml").contains("github-api:1"));

        given().get("/api/v1/automations").then().statusCode(200)
                .body("find { it.automation == 'flux-system/github-prs' }.pullRequest.number", org.hamcrest.Matchers.equalTo((int) second.number))
                .body("find { it.automation == 'flux-system/github-prs' }.pullRequest.state", org.hamcrest.Matchers.equalTo("open"));

        // someone writes the same image into main by hand: the PR has nothing left to propose and is closed, with why
        GitWriterFixture.git.commit("apps", "main", Map.of("deploy/github/web.yaml", show("tagstream/github",
                "deploy/github/web.yaml")), "hotfix: web 3", "carol");
        await("the emptied PR to be closed", () -> forge.open().isEmpty());
        assertTrue(second.body.startsWith("Closed by Tagstream: every change this pull request carried is in `main`"),
                second.body);
        noViolations(forge);
    }

    /**
     * Gitea: the forge is down when the approval comes, the PR appears once it is back (exactly one); someone else moves
     * the base; the next approval rebuilds the head on it, without conflict markers; a person merging it is seen.
     */
    @Test
    void giteaForgeDownThenOnePullRequestAndTheHeadFollowsAMovedBase() throws Exception {
        TestForge forge = GitWriterFixture.forges.get(TestForge.Kind.GITEA);
        forge.down(true);
        approve("gitea-web", "7");
        await("the forge to be asked", () -> forge.calls().size() >= 1);
        Thread.sleep(1500);
        assertEquals(0, forge.requests().size());
        forge.down(false);
        await("a PR after the forge recovered", () -> forge.open().size() == 1);
        Thread.sleep(1500);
        assertEquals(1, forge.requests().size(), "exactly one PR");
        TestForge.Pr pr = forge.open().get(0);
        assertTrue(pr.body.contains("r.example/gitea-web:7"), pr.body);

        GitWriterFixture.git.commit("apps", "main", Map.of("deploy/gitea/notes.md", "someone else\n"), "docs", "bob");
        approve("gitea-api", "8");
        await("the PR to list both", () -> pr.body.contains("r.example/gitea-api:8"));
        assertEquals("someone else", show("tagstream/gitea", "deploy/gitea/notes.md").trim(), "the head is rebuilt on the moved base");
        String web = show("tagstream/gitea", "deploy/gitea/web.yaml");
        assertTrue(web.contains("gitea-web:7") && !web.contains("<<<<<<<"), web);

        forge.mergeByHand(pr.number);
        assertTrue(show("main", "deploy/gitea/api.yaml").contains("gitea-api:8"));
        await("the merge to be seen without an approval", () -> "merged".equals(given().get("/api/v1/automations").then()
                .extract().path("find { it.automation == 'flux-system/gitea-prs' }.pullRequest.state")));
        approve("gitea-web", "9");
        await("a new PR after the merge", () -> forge.open().size() == 1);
        TestForge.Pr next = forge.open().get(0);
        assertTrue(next.body.contains("gitea-web:9") && !next.body.contains("gitea-api:8"), next.body);
        noViolations(forge);
    }

    /** GitLab: a dev auto-bump — the merge request is opened with auto-merge, merged by the forge, the base changes. */
    @Test
    void gitlabAutoMergedBump() throws Exception {
        TestForge forge = GitWriterFixture.forges.get(TestForge.Kind.GITLAB);
        approve("gitlab-web", "4");
        await("a merged, labelled MR", () -> forge.requests().size() == 1 && forge.requests().get(0).merged
                && !forge.requests().get(0).labels.isEmpty());
        TestForge.Pr mr = forge.requests().get(0);
        assertEquals("squash", mr.autoMerge == null ? "" : "squash");
        assertEquals(List.of("images"), mr.labels);
        assertTrue(show("main", "deploy/gitlab/web.yaml").contains("gitlab-web:4"), "merged into the base");

        // the forge opens the next one but its answer is lost: the retry takes it over, so there is still one, merged
        forge.loseNextCreateAnswer();
        approve("gitlab-api", "6");
        await("the second MR merged", () -> forge.requests().size() == 2 && forge.requests().get(1).merged);
        Thread.sleep(1500);
        assertEquals(2, forge.requests().size(), "no duplicate MR after a lost answer");
        assertTrue(show("main", "deploy/gitlab/api.yaml").contains("gitlab-api:6"));
        var audit = KafkaBroker.shared().events(Topic.AUDIT.defaultName(), io.tagstream.common.events.AuditRecord.class,
                l -> l.stream().anyMatch(e -> e.data().action().equals("pull-request.merged") && e.data().reason().contains("gitlab #2 ")),
                Duration.ofSeconds(30));
        assertEquals(1, audit.stream().filter(e -> e.data().action().equals("pull-request.merged")
                && e.data().reason().contains("gitlab #1 ")).count(), "a merge is audited once");
        noViolations(forge);
    }
}
