package io.tagstream.e2e;

import io.tagstream.launcher.Chain;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.common.events.Topic;
import io.tagstream.testkit.KafkaBroker;
import io.tagstream.testkit.Ports;
import io.tagstream.testkit.WorkDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * REST approval latency with two promoter pods: 100 promotions opened one after another (a policy-matched event each),
 * each approved over REST, alternately on the pod that leads and on the other one; timed from the request to its 200
 * (the decision applied by the leader and its reply read back from the state topic). Run:
 * {@code ./mvnw verify -Pbench -pl e2e -Dtest=ApprovalLatencyBench}.
 */
@Tag("bench")
class ApprovalLatencyBench {

    static Chain chain;

    @BeforeAll
    static void start() throws Exception {
        Path root = WorkDirs.create("approval-bench");
        Path config = Files.createDirectories(root.resolve("config"));
        Files.writeString(config.resolve("gate.yaml"), """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: app, namespace: bench}
                spec: {image: registry.example/app, interval: 1h}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: app, namespace: bench}
                spec: {imageRepositoryRef: {name: app}, policy: {numerical: {order: asc}}}
                ---
                apiVersion: tagstream.io/v1alpha1
                kind: ImagePromotion
                metadata: {name: app-prod, namespace: bench}
                spec:
                  sourcePolicyRef: {name: app}
                  approval: {mode: manual}
                """);
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("promoter", Ports.free());
        chain = Chain.start(new Chain.Options(Path.of("..").toAbsolutePath().normalize(), config, root.resolve("run"),
                Optional.of(KafkaBroker.shared().bootstrapServers()), 0, ports, Map.of(), List.of("promoter")));
        chain.startInstance(Chain.service("promoter"), "promoter-2", Ports.free());
        chain.awaitHealthy(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stop() {
        E2e.closeAll(chain);
    }

    @Test
    void hundredApprovalsOnTheLeaderAndOnTheOtherPod() {
        String leader = E2e.leadingPromoter(chain, List.of("promoter", "promoter-2"));
        String other = leader.equals("promoter") ? "promoter-2" : "promoter";
        long[][] ms = new long[2][50];
        for (int i = 0; i < 100; i++) {
            String tag = String.valueOf(1000 + i);
            String digest = "sha256:" + String.format("%064x", 1000 + i);
            KafkaBroker.shared().publish(Topic.POLICY_MATCHED.defaultName(), CloudEvent.start("bench",
                    new PolicyMatched("bench/app", "registry.example/app", tag, digest, Optional.empty(), Instant.now())));
            String pod = i % 2 == 0 ? leader : other;
            String id = "bench.app-prod." + tag + "." + digest.substring(7, 19);
            E2e.await("promotion " + id + " pending on " + pod, Duration.ofSeconds(30),
                    () -> E2e.get(chain.url(pod) + "/api/v1/promotions/" + id).statusCode() == 200);
            long t0 = System.nanoTime();
            var r = E2e.post(chain.url(pod) + "/api/v1/promotions/" + id + "/approve", "{\"by\": \"bench\"}", Map.of());
            ms[i % 2][i / 2] = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(200, r.statusCode(), r.body());
        }
        for (int k = 0; k < 2; k++) {
            Arrays.sort(ms[k]);
            System.out.printf("BENCH REST approve -> 200, 50 approvals on %s: p50 %d ms, p95 %d ms, p99 %d ms, max %d ms%n",
                    k == 0 ? "the leading pod" : "the other pod", ms[k][24], ms[k][47], ms[k][48], ms[k][49]);
        }
        long approved = StreamSupport.stream(E2e.json(E2e.get(chain.url(other) + "/api/v1/promotions?state=approved").body())
                .spliterator(), false).count();
        assertEquals(100, approved, "every approval, as the other pod shows it");
    }
}
