package io.tagstream.e2e;

import io.tagstream.launcher.Chain;
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
 * exactly one of them. Every change lands, and no branch is pushed to by both pods. A third pod joining mid-flow
 * moves branches between pods without a stale value landing over a newer one; a branch handed over keeps its revert.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class TwoGitWritersTest {

    static final int REPOS = 8;
    static final int VERSIONS = 5;
    static volatile int latest = VERSIONS; // the newest version pushed so far
    static int partitions; // of git-writer's branch topic
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
        java.util.Properties p = new java.util.Properties();
        p.put("bootstrap.servers", chain.bootstrapServers());
        try (var admin = org.apache.kafka.clients.admin.Admin.create(p)) {
            partitions = admin.describeTopics(List.of("tagstream.git-writer.branches")).allTopicNames().get()
                    .get("tagstream.git-writer.branches").partitions().size();
        }
        assertEquals(6, partitions, "git-writer creates its branch topic before its consumers could have the broker do it");
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

    /** The branch-topic partitions a pod says it owns now, from its own log. */
    static Set<Integer> owns(String instance) throws Exception {
        Set<Integer> out = new TreeSet<>();
        Matcher m = Pattern.compile("this pod owns \\[([0-9, ]*)]").matcher(Files.readString(logs.resolve(instance + ".log")));
        String last = "";
        while (m.find()) {
            last = m.group(1);
        }
        for (String p : last.split(",\\s*")) {
            if (!p.isBlank()) {
                out.add(Integer.parseInt(p.trim()));
            }
        }
        return out;
    }

    /** Waits until the pods' partitions cover the branch topic once, each pod owning some. */
    static void awaitOwnership(String... instances) {
        E2e.await("every branch partition owned by exactly one of " + List.of(instances), Duration.ofSeconds(60), () -> {
            try {
                int total = 0;
                Set<Integer> all = new TreeSet<>();
                for (String i : instances) {
                    Set<Integer> o = owns(i);
                    if (o.isEmpty()) {
                        return false;
                    }
                    total += o.size();
                    all.addAll(o);
                }
                return total == partitions && all.size() == partitions;
            } catch (Exception e) {
                return false;
            }
        });
    }

    static int partition(String branchKey) {
        return org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
                branchKey.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % partitions;
    }

    /** The image versions written into a repository, oldest first. */
    static List<Integer> written(int i) {
        List<String> lines = git.inBare(app(i), "log", "--reverse", "-p", "--format=", "main").lines()
                .filter(l -> l.matches("\\+\\s+image:.*")).toList();
        return lines.stream().map(l -> Integer.parseInt(l.replaceAll(".*:1\\.0\\.([0-9]+) .*", "$1"))).toList();
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void everyBranchIsWrittenByOnePodAndEveryChangeLands() throws Exception {
        awaitOwnership("git-writer", "git-writer-2");
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
            List<Integer> values = written(i);
            assertEquals(values.stream().sorted().distinct().toList(), values, app(i) + ": each value once, rising " + values);
        }
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void aPodJoiningMidFlowTakesBranchesWithoutAStaleWrite() throws Exception {
        // rounds of pushes go on while a third pod starts and takes partitions, and for two rounds after that
        Thread pusher = new Thread(() -> {
            int roundsAfterJoin = -1;
            for (int v = VERSIONS + 1; roundsAfterJoin < 2 && v <= 60; v++) {
                for (int i = 1; i <= REPOS; i++) {
                    TestImages.push(registry, "apps/" + app(i), "1.0." + v);
                }
                latest = v;
                try {
                    if (roundsAfterJoin >= 0 || !owns("git-writer-3").isEmpty()) {
                        roundsAfterJoin++;
                    }
                } catch (Exception e) {
                    // no log yet
                }
            }
        });
        pusher.start();
        chain.startInstance(Chain.service("git-writer"), "git-writer-3", Ports.free()); // branches move while approvals flow
        pusher.join();
        chain.awaitHealthy(Duration.ofSeconds(120));
        int last = latest;
        E2e.await("every repository at 1.0." + last, Duration.ofSeconds(120), () -> IntStream.rangeClosed(1, REPOS)
                .allMatch(i -> git.inBare(app(i), "show", "main:deploy.yaml").contains(":1.0." + last + " ")));
        awaitOwnership("git-writer", "git-writer-2", "git-writer-3");
        Thread.sleep(2000); // a stale write, if any, would land now
        for (int i = 1; i <= REPOS; i++) {
            List<Integer> values = written(i);
            assertEquals(values.stream().sorted().distinct().toList(), values, app(i) + ": each value once, rising " + values);
            assertTrue(git.inBare(app(i), "show", "main:deploy.yaml").contains(":1.0." + last + " "), app(i));
        }
        System.out.printf("three git-writers: versions up to 1.0.%d; partitions %s / %s / %s%n", last, owns("git-writer"),
                owns("git-writer-2"), owns("git-writer-3"));
    }

    @Test
    @org.junit.jupiter.api.Order(3)
    void aRevertStandsWhenTheBranchMovesToTheOtherPod() throws Exception {
        chain.stopService("git-writer-3", false);
        awaitOwnership("git-writer", "git-writer-2");
        // a branch that the victim owns now (Kafka's default partitioner places the branch key)
        Set<String> branches = new TreeSet<>(pushedBy("git-writer"));
        branches.addAll(pushedBy("git-writer-2"));
        String victim = "git-writer-2";
        Set<Integer> victims = owns(victim);
        String branch = branches.stream().filter(b -> victims.contains(partition(b))).findFirst().orElse(null);
        if (branch == null) {
            victim = "git-writer";
            Set<Integer> firsts = owns(victim);
            branch = branches.stream().filter(b -> firsts.contains(partition(b))).findFirst().orElseThrow();
        }
        String survivor = victim.equals("git-writer") ? "git-writer-2" : "git-writer";
        String repo = branch.substring(branch.lastIndexOf('/') + 1, branch.indexOf(".git#"));
        String file = git.inBare(repo, "show", "main:deploy.yaml");
        assertTrue(file.contains(":1.0." + latest + " "), file);
        git.commit(repo, "main", Map.of("deploy.yaml", file.replace(":1.0." + latest + " ", ":1.0.1 ")), "Revert to 1.0.1", "alice");
        int commits = Integer.parseInt(git.inBare(repo, "rev-list", "--count", "main").trim());

        chain.stopService(victim, false); // its branches go to the other pod
        java.util.function.Predicate<io.tagstream.common.events.CloudEvent<io.tagstream.common.events.PromotionApproved>> written =
                e -> e.data().policy().equals("flux-system/" + repo) && e.data().source().toString().contains(":1.0." + latest + "@");
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
