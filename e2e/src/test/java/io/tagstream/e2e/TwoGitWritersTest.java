package io.tagstream.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.testkit.GitServer;
import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.Ports;
import io.tagstream.testkit.TestImages;
import io.tagstream.testkit.WorkDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two git-writer pods on eight fleet repositories: approvals are re-keyed by branch, so Kafka gives every branch to
 * exactly one of them. Every change lands, and no branch is pushed to by both pods.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class TwoGitWritersTest {

    static final int REPOS = 8;
    static final int VERSIONS = 5;
    static final String TOKEN = "two-writers-token";
    static LocalRegistry registry;
    static GitServer git;
    static Chain chain;
    static Path logs;

    static String app(int i) {
        return "app" + i;
    }

    @BeforeAll
    static void start() throws Exception {
        int pollerPort = Ports.free();
        registry = LocalRegistry.builder()
                .notify("http://127.0.0.1:" + pollerPort + "/api/v1/webhooks/distribution/flux-system/registry",
                        Map.of("Authorization", "Bearer " + TOKEN))
                .start();
        git = GitServer.start();
        StringBuilder y = new StringBuilder("""
                apiVersion: notification.toolkit.fluxcd.io/v1
                kind: Receiver
                metadata: {name: registry, namespace: flux-system}
                spec:
                  type: distribution
                  secretRef: {name: webhook-token}
                  resources: [{kind: ImageRepository, name: '*'}]
                """);
        for (int i = 1; i <= REPOS; i++) {
            git.createBare(app(i), "main");
            git.commit(app(i), "main", Map.of("deploy.yaml", E2e.deployment(app(i),
                    registry.host() + "/apps/" + app(i) + ":1.0.0", "flux-system:" + app(i))), "seed", "alice");
            y.append("---\n").append(E2e.semverApp(app(i), registry.host() + "/apps/" + app(i), git.url(app(i)), "./"));
        }
        Path root = WorkDirs.create("two-writers");
        Path config = Files.createDirectories(root.resolve("config"));
        Files.writeString(config.resolve("apps.yaml"), y.toString());
        E2e.secret(root.resolve("secrets"), "flux-system", "webhook-token", "token", TOKEN);
        chain = E2e.start(root, config, E2e.ports(pollerPort), Map.of());
        chain.startInstance(Chain.service("git-writer"), "git-writer-2", Ports.free());
        chain.awaitHealthy(Duration.ofSeconds(120));
        logs = root.resolve("run/logs");
    }

    @AfterAll
    static void stop() {
        E2e.closeAll(chain, registry, git);
    }

    /** The branches a pod pushed to, from its own log. */
    static Set<String> pushedBy(String instance) throws Exception {
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("audit commit\\.pushed (\\S+) OK").matcher(Files.readString(logs.resolve(instance + ".log")));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void everyBranchIsWrittenByOnePodAndEveryChangeLands() throws Exception {
        Thread.sleep(3000); // both pods have joined the consumer groups and own their partitions
        for (int v = 1; v <= VERSIONS; v++) {
            for (int i = 1; i <= REPOS; i++) {
                TestImages.push(registry, "apps/" + app(i), "1.0." + v);
            }
        }
        E2e.await("every repository at 1.0." + VERSIONS, Duration.ofSeconds(120), () -> IntStream.rangeClosed(1, REPOS)
                .allMatch(i -> git.inBare(app(i), "show", "main:deploy.yaml").contains(":1.0." + VERSIONS + " ")));
        Set<String> first = pushedBy("git-writer");
        Set<String> second = pushedBy("git-writer-2");
        Set<String> both = new TreeSet<>(first);
        both.retainAll(second);
        System.out.printf("two git-writers: %d branches by the first, %d by the second%n", first.size(), second.size());
        assertTrue(both.isEmpty(), "branches pushed by both pods: " + both);
        assertEquals(REPOS, first.size() + second.size(), "every branch was pushed: " + first + " " + second);
        for (int i = 1; i <= REPOS; i++) {
            List<String> values = git.inBare(app(i), "log", "-p", "--format=", "main").lines()
                    .filter(l -> l.matches("\\+\\s+image:.*")).toList();
            assertEquals(values.size(), values.stream().distinct().count(), app(i) + ": no value written twice " + values);
        }
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void aRevertStandsWhenTheBranchMovesToTheOtherPod() throws Exception {
        String victim = pushedBy("git-writer-2").isEmpty() ? "git-writer" : "git-writer-2";
        String survivor = victim.equals("git-writer") ? "git-writer-2" : "git-writer";
        String branch = pushedBy(victim).iterator().next(); // a branch the victim owns
        String repo = branch.substring(branch.lastIndexOf('/') + 1, branch.indexOf(".git#"));
        String file = git.inBare(repo, "show", "main:deploy.yaml");
        git.commit(repo, "main", Map.of("deploy.yaml", file.replace(":1.0." + VERSIONS + " ", ":1.0.1 ")), "Revert to 1.0.1", "alice");
        int commits = Integer.parseInt(git.inBare(repo, "rev-list", "--count", "main").trim());

        chain.stopService(victim, false); // its branches go to the other pod
        java.util.function.Predicate<io.tagstream.common.events.CloudEvent<io.tagstream.common.events.PromotionApproved>> written =
                e -> e.data().policy().equals("flux-system/" + repo) && e.data().source().contains(":1.0." + VERSIONS + "@");
        var approvals = io.tagstream.testkit.KafkaBroker.shared().events(
                io.tagstream.common.events.Topic.PROMOTION_APPROVED.defaultName(), io.tagstream.common.events.PromotionApproved.class,
                l -> l.stream().anyMatch(written), Duration.ofSeconds(30));
        var last = approvals.stream().filter(written).reduce((a, b) -> b).orElseThrow();
        var again = io.tagstream.common.events.CloudEvent.start("test", last.data()); // the same ref approved again
        io.tagstream.testkit.KafkaBroker.shared().publish(io.tagstream.common.events.Topic.PROMOTION_APPROVED.defaultName(), again);
        E2e.await("the other pod to see the ref was written", Duration.ofSeconds(90), () -> {
            try {
                return Files.readString(logs.resolve(survivor + ".log")).contains("audit approval.already-written flux-system/" + repo + " ");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertEquals(commits, Integer.parseInt(git.inBare(repo, "rev-list", "--count", "main").trim()), "the revert stands");
        assertTrue(git.inBare(repo, "show", "main:deploy.yaml").contains(":1.0.1 "));
    }
}
