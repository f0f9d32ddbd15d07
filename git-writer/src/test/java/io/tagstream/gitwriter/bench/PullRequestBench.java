package io.tagstream.gitwriter.bench;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tagstream.common.events.Topic;
import io.tagstream.gitwriter.GitWriterFixture;
import io.tagstream.testkit.TestForge;
import io.tagstream.testkit.KafkaBroker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Approval → pull request updated: 100 approvals, one after the other, for a PR that is already open on the test
 * GitHub (loopback); the latency until the forge shows the new ref in the PR's body, and the forge calls each update
 * made (the periodic look is set to 10 min here so that it does not count). Run:
 * {@code ./mvnw verify -Pbench -pl git-writer -Dtest=PullRequestBench}.
 */
@Tag("bench")
@QuarkusTest
@WithTestResource(PullRequestBench.Fixture.class)
class PullRequestBench {

    /** The module's fixture with the periodic look at open pull requests out of the way. */
    public static class Fixture extends GitWriterFixture {
        @Override
        public Map<String, String> start() {
            Map<String, String> config = new java.util.HashMap<>(super.start());
            config.put("tagstream.git.pull-request-refresh", "10m");
            return config;
        }
    }

    @Test
    void hundredUpdatesOfOneOpenPullRequest() throws Exception {
        TestForge forge = GitWriterFixture.forges.get(TestForge.Kind.GITHUB);
        KafkaBroker.shared().publish(Topic.PROMOTION_APPROVED.defaultName(), GitWriterFixture.approval("github-web", "1000"));
        long until = System.nanoTime() + 60_000_000_000L;
        while (forge.open().isEmpty() || forge.open().get(0).labels.isEmpty()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("no PR opened");
            }
            Thread.sleep(20);
        }
        TestForge.Pr pr = forge.open().get(0);
        List<Double> ms = new ArrayList<>();
        List<Integer> calls = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            String app = i % 2 == 0 ? "github-web" : "github-api";
            String tag = String.valueOf(1000 + i);
            int before = forge.calls().size();
            long t0 = System.nanoTime();
            KafkaBroker.shared().publish(Topic.PROMOTION_APPROVED.defaultName(), GitWriterFixture.approval(app, tag));
            String wanted = "r.example/" + app + ":" + tag;
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!pr.body.contains(wanted)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("update " + i + " never reached the PR");
                }
                Thread.sleep(1);
            }
            ms.add((System.nanoTime() - t0) / 1e6);
            Thread.sleep(50); // anything the update does after the edit is counted with it
            calls.add(forge.calls().size() - before);
        }
        if (forge.open().size() != 1 || forge.requests().size() != 1) {
            throw new AssertionError("one PR expected, found " + forge.requests().size());
        }
        if (forge.described() && !forge.violations().isEmpty()) {
            throw new AssertionError(forge.violations().toString());
        }
        Collections.sort(ms);
        double mean = calls.stream().mapToInt(Integer::intValue).average().orElse(0);
        System.out.printf("BENCH approval → PR updated, 100 updates of one open PR (test GitHub on loopback): p50 %.0f ms,"
                + " p90 %.0f ms, p99 %.0f ms, max %.0f ms; forge API calls per update: mean %.2f, max %d (plus one git push);"
                + " still 1 PR%n", ms.get(49), ms.get(89), ms.get(98), ms.get(99), mean, Collections.max(calls));
    }
}
