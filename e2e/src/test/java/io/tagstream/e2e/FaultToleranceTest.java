package io.tagstream.e2e;

import io.tagstream.launcher.Chain;
import io.tagstream.launcher.KafkaProcess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.CommitPushed;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.common.events.TagDiscovered;
import io.tagstream.common.events.Topic;
import io.tagstream.testkit.GitServer;
import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.Ports;
import io.tagstream.testkit.RegistryProxy;
import io.tagstream.testkit.TestImages;
import io.tagstream.testkit.WorkDirs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Faults while images flow: each service SIGKILLed and restarted in turn during 100 pushes, the Kafka broker restarted
 * mid-flow, and a registry answering 429 and 500 for a while. A fleet of 100 apps, one marker file each, makes every
 * expected change countable: each file must change exactly once per pushed tag, never twice, never not at all.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultToleranceTest {

    static final int APPS = 100;
    static final String TOKEN = "fault-hook-token";
    static LocalRegistry registry;
    static RegistryProxy flaky;
    static GitServer git;
    static Chain chain;
    static TestImages.Pushed base;
    static final Map<String, Long> pids = new LinkedHashMap<>();

    static String app(int i) {
        return "app-%03d".formatted(i);
    }

    @BeforeAll
    static void start() throws Exception {
        int pollerPort = Ports.free();
        registry = LocalRegistry.builder()
                .notify("http://127.0.0.1:" + pollerPort + "/api/v1/webhooks/distribution/flux-system/registry",
                        Map.of("Authorization", "Bearer " + TOKEN))
                .start();
        flaky = new RegistryProxy(registry);
        base = TestImages.push(registry, "fleet/apps", "base");
        TestImages.push(registry, "flaky/app", "1.0.0");
        git = GitServer.start();
        git.createBare("fleet", "main");
        Map<String, String> files = new LinkedHashMap<>();
        StringBuilder y = new StringBuilder("""
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: apps, namespace: flux-system}
                spec: {image: '%1$s/fleet/apps', interval: 1h, insecure: true}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: flaky, namespace: flux-system}
                spec: {image: '%2$s/flaky/app', interval: 2s, insecure: true}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: flaky, namespace: flux-system}
                spec:
                  imageRepositoryRef: {name: flaky}
                  policy: {semver: {range: '>=1.0.0'}}
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1
                kind: Receiver
                metadata: {name: registry, namespace: flux-system}
                spec:
                  type: distribution
                  secretRef: {name: webhook-token}
                  resources: [{kind: ImageRepository, name: apps}]
                ---
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: fleet, namespace: flux-system}
                spec: {url: '%3$s', ref: {branch: main}}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageUpdateAutomation
                metadata: {name: fleet, namespace: flux-system}
                spec:
                  sourceRef: {kind: GitRepository, name: fleet}
                  git:
                    checkout: {ref: {branch: main}}
                    commit: {author: {name: tagstream, email: bot@example.com}}
                    push: {branch: main}
                  update: {path: ./apps, strategy: Setters}
                """.formatted(registry.host(), flaky.host(), git.url("fleet")));
        files.put("apps/flaky.yaml", E2e.deployment("flaky", flaky.host() + "/flaky/app:1.0.0", "flux-system:flaky"));
        for (int i = 1; i <= APPS; i++) {
            files.put("apps/" + app(i) + ".yaml",
                    E2e.deployment(app(i), registry.host() + "/fleet/apps:" + app(i) + "-v0", "flux-system:" + app(i)));
            y.append("""
                    ---
                    apiVersion: image.toolkit.fluxcd.io/v1
                    kind: ImagePolicy
                    metadata: {name: %1$s, namespace: flux-system}
                    spec:
                      imageRepositoryRef: {name: apps}
                      filterTags: {pattern: '^%1$s-v(?P<n>[0-9]+)$', extract: '$n'}
                      policy: {numerical: {order: asc}}
                    """.formatted(app(i)));
        }
        git.commit("fleet", "main", files, "seed", "alice");
        Path root = WorkDirs.create("fault-chain");
        Path config = Files.createDirectories(root.resolve("config"));
        Files.writeString(config.resolve("fleet.yaml"), y.toString());
        E2e.secret(root.resolve("secrets"), "flux-system", "webhook-token", "token", TOKEN);
        int kafkaPort = Ports.freeRun(2);
        chain = Chain.start(new Chain.Options(Path.of("..").toAbsolutePath().normalize(), config, root.resolve("run"),
                Optional.empty(), kafkaPort, E2e.ports(pollerPort),
                Map.of("TAGSTREAM_SECRETS_DIR", root.resolve("secrets").toString(),
                        "TAGSTREAM_GIT_WORKDIR", root.resolve("clones").toString()),
                Chain.SERVICES.stream().map(Chain.Service::name).toList()));
        chain.awaitHealthy(Duration.ofSeconds(120));
        E2e.post(chain.url("registry-poller") + "/api/v1/repositories/flux-system/apps/scan", "", Map.of());
        E2e.await("the first scan", Duration.ofSeconds(60), () -> StreamSupport.stream(
                E2e.json(E2e.get(chain.url("registry-poller") + "/api/v1/repositories").body()).spliterator(), false)
                .filter(r -> r.get("id").asText().equals("flux-system/apps")).allMatch(r -> r.hasNonNull("lastScan")));
    }

    @AfterAll
    static void stop() {
        E2e.closeAll(chain, flaky, registry, git);
    }

    static String show(int i) {
        return git.inBare("fleet", "show", "main:apps/" + app(i) + ".yaml");
    }

    /** How many commits changed each app's file, and how many commits changed nothing under apps/. */
    static Map<String, Integer> changesPerFile() {
        Map<String, Integer> out = new HashMap<>();
        String log = git.inBare("fleet", "log", "--format=@%H", "--name-only", "--diff-filter=M", "main"); // the seed adds
        for (String line : log.lines().toList()) {
            if (line.startsWith("apps/")) {
                out.merge(line.substring(5, line.length() - 5), 1, Integer::sum);
            }
        }
        return out;
    }

    static int emptyCommits() {
        int all = Integer.parseInt(git.inBare("fleet", "rev-list", "--count", "main").trim());
        int touching = Integer.parseInt(git.inBare("fleet", "rev-list", "--count", "main", "--", "apps").trim());
        return all - touching;
    }

    static void awaitAll(String version, Duration timeout) {
        E2e.await("every app at " + version, timeout, () -> IntStream.rangeClosed(1, APPS)
                .allMatch(i -> show(i).contains(":" + app(i) + "-" + version + " ")));
    }

    static Map<String, Long> servicePids() {
        Map<String, Long> out = new LinkedHashMap<>();
        Chain.SERVICES.forEach(s -> out.put(s.name(), chain.process(s.name()).orElseThrow().pid()));
        return out;
    }

    static <T extends io.tagstream.common.events.Event> List<CloudEvent<T>> events(String topic, Class<T> type) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, chain.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        List<CloudEvent<T>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    try {
                        CloudEvent<?> e = CloudEvent.read(r.headers(), r.value(), type);
                        if (type.isInstance(e.data())) {
                            @SuppressWarnings("unchecked")
                            CloudEvent<T> t = (CloudEvent<T>) e;
                            out.add(t);
                        }
                    } catch (CloudEvent.MalformedEventException ignored) {
                        // another event type on the same topic (tag-removed)
                    }
                }
            }
        }
        return out;
    }

    @Test
    @Order(1)
    void killingEachServiceInTurnDuring100PushesLosesNothingAndCommitsNothingTwice() throws Exception {
        List<String> victims = List.of("registry-poller", "policy-evaluator", "promoter", "git-writer");
        long started = System.nanoTime();
        for (int i = 1; i <= APPS; i++) {
            TestImages.retag(registry, base, List.of(app(i) + "-v1"));
            if (i % 20 == 0 && i / 20 <= victims.size()) {
                String victim = victims.get(i / 20 - 1);
                chain.stopService(victim, true); // SIGKILL
                chain.startService(Chain.service(victim));
            }
            Thread.sleep(100);
        }
        chain.awaitHealthy(Duration.ofSeconds(120));
        awaitAll("v1", Duration.ofSeconds(180));
        double seconds = (System.nanoTime() - started) / 1e9;
        Thread.sleep(5000); // time for any duplicate to show up
        Map<String, Integer> changes = changesPerFile();
        for (int i = 1; i <= APPS; i++) {
            assertEquals(1, changes.getOrDefault(app(i), 0), app(i) + " changed once");
        }
        assertEquals(0, emptyCommits(), "no empty commit");

        var discovered = events(Topic.TAG_DISCOVERED.defaultName(), TagDiscovered.class).stream()
                .filter(e -> e.data().tag().endsWith("-v1")).toList();
        Set<String> tags = discovered.stream().map(e -> e.data().tag()).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(APPS, tags.size(), "every pushed tag was announced");
        var matched = events(Topic.POLICY_MATCHED.defaultName(), PolicyMatched.class).stream()
                .filter(e -> e.data().tag().endsWith("-v1")).toList();
        assertEquals(APPS, matched.stream().map(e -> e.data().policy()).distinct().count(), "every policy selected its tag");
        var pushed = events(Topic.COMMIT_PUSHED.defaultName(), CommitPushed.class);
        int commits = Integer.parseInt(git.inBare("fleet", "rev-list", "--count", "main").trim()) - 1;
        int announcedChanges = pushed.stream().mapToInt(e -> e.data().changes().size()).sum();
        System.out.printf("fault run: %d pushes with 4 SIGKILLs → %d commits, %d/%d files changed once, in %.1f s; "
                + "tag-discovered %d (%d distinct), policy-matched %d, commit-pushed %d with %d changes%n",
                APPS, commits, changes.size(), APPS, seconds, discovered.size(), tags.size(), matched.size(), pushed.size(),
                announcedChanges);
        assertEquals(commits, pushed.stream().map(e -> e.data().commit()).distinct().count(),
                "one commit-pushed per commit");
    }

    @Test
    @Order(2)
    void aKafkaRestartMidFlowIsSurvivedWithoutRestartingAService() throws Exception {
        pids.putAll(servicePids());
        KafkaProcess kafka = chain.kafka().orElseThrow();
        for (int i = 1; i <= APPS / 2; i++) {
            TestImages.retag(registry, base, List.of(app(i) + "-v2"));
            if (i == 15) {
                kafka.stop(false);
                Thread.sleep(3000);
                kafka.start();
            }
            Thread.sleep(100);
        }
        E2e.await("every first-half app at v2", Duration.ofSeconds(180), () -> IntStream.rangeClosed(1, APPS / 2)
                .allMatch(i -> show(i).contains(":" + app(i) + "-v2 ")));
        Thread.sleep(3000);
        Map<String, Integer> changes = changesPerFile();
        for (int i = 1; i <= APPS / 2; i++) {
            assertEquals(2, changes.getOrDefault(app(i), 0), app(i) + " changed once more");
        }
        assertEquals(0, emptyCommits());
        assertEquals(pids, servicePids(), "no service was restarted");
        chain.awaitHealthy(Duration.ofSeconds(30));
    }

    @Test
    @Order(3)
    void aRegistryAnswering429And500ForAWhileIsWaitedOut() throws Exception {
        Map<String, Long> before = servicePids();
        TestImages.push(registry, "flaky/app", "1.1.0");
        flaky.fail(8, 429, Map.of("Retry-After", "1")).fail(30, 500, Map.of());
        E2e.await("the poller to report the failing registry", Duration.ofSeconds(60), () -> StreamSupport.stream(
                E2e.json(E2e.get(chain.url("registry-poller") + "/api/v1/repositories").body()).spliterator(), false)
                .filter(r -> r.get("id").asText().equals("flux-system/flaky")).anyMatch(r -> r.hasNonNull("lastError")));
        E2e.await("flaky 1.1.0 in git", Duration.ofSeconds(120),
                () -> git.inBare("fleet", "show", "main:apps/flaky.yaml").contains("flaky/app:1.1.0 "));
        JsonNode status = StreamSupport.stream(E2e.json(E2e.get(chain.url("registry-poller") + "/api/v1/repositories").body())
                .spliterator(), false).filter(r -> r.get("id").asText().equals("flux-system/flaky")).findFirst().orElseThrow();
        assertTrue(!status.hasNonNull("lastError"), "recovered: " + status);
        assertEquals(before, servicePids(), "no crash, no restart");
        String metrics = E2e.get(chain.url("registry-poller") + "/q/metrics").body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("tagstream_registry_responses_total") && l.contains("status=\"429\"")),
                "429s are counted");
        System.out.printf("flaky registry: %d requests through the proxy%n", flaky.requests());
    }
}
