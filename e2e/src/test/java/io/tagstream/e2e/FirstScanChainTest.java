package io.tagstream.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.CommitPushed;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.common.events.Topic;
import io.tagstream.launcher.Chain;
import io.tagstream.testkit.GitServer;
import io.tagstream.testkit.KafkaBroker;
import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.Ports;
import io.tagstream.testkit.TestImages;
import io.tagstream.testkit.WorkDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A chain started fresh on registries that already hold many tags, with git already naming the newest: Flux decides
 * on the whole listing, and so must we. Twenty repositories of 30 tags and one of 1,000, each scanned for the first
 * time (digests resolved in parallel, so in no fixed order): exactly one selection per policy, the newest, and no
 * commit — before scan batches, the evaluator announced older tags on the way and git-writer moved production back
 * and forth.
 */
class FirstScanChainTest {

    static final String NS = "first-scan";
    static final int SMALL = 20;
    static LocalRegistry registry;
    static GitServer git;
    static Chain chain;

    @AfterAll
    static void stop() {
        E2e.closeAll(chain, registry, git);
    }

    static List<String> tags(int n) {
        return IntStream.range(0, n).mapToObj(i -> "1.0." + i).toList();
    }

    @Test
    void aFirstScanAnnouncesOnlyTheNewestAndCommitsNothing() throws Exception {
        registry = LocalRegistry.builder().start();
        Map<String, String> newest = new LinkedHashMap<>(); // app → newest tag
        for (int i = 0; i < SMALL; i++) {
            newest.put("app-" + i, "1.0.29");
        }
        newest.put("big", "1.0.999");
        for (var app : newest.entrySet()) {
            int n = app.getKey().equals("big") ? 1000 : 30;
            var first = TestImages.push(registry, "scan/" + app.getKey(), "1.0.0");
            TestImages.retag(registry, first, tags(n).subList(1, n));
        }

        git = GitServer.start();
        git.createBare("fleet", "main");
        Map<String, String> files = new TreeMap<>();
        newest.forEach((app, tag) -> files.put("apps/" + app + ".yaml",
                E2e.deployment(app, registry.host() + "/scan/" + app + ":" + tag, NS + ":" + app)));
        git.commit("fleet", "main", files, "seed", "sre");

        Path root = WorkDirs.create("first-scan-chain");
        Path config = Files.createDirectories(root.resolve("config"));
        StringBuilder yaml = new StringBuilder("""
                apiVersion: tagstream.io/v1alpha1
                kind: Registry
                metadata: {name: local, namespace: %1$s}
                spec: {host: '%2$s', insecure: true, requestsPerSecond: 1000, maxConcurrency: 16}
                ---
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: fleet, namespace: %1$s}
                spec: {url: '%3$s', ref: {branch: main}}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageUpdateAutomation
                metadata: {name: fleet, namespace: %1$s}
                spec:
                  sourceRef: {kind: GitRepository, name: fleet}
                  git:
                    checkout: {ref: {branch: main}}
                    commit: {author: {name: tagstream, email: bot@example.com}}
                    push: {branch: main}
                  update: {path: ./apps, strategy: Setters}
                """.formatted(NS, registry.host(), git.url("fleet")));
        for (String app : newest.keySet()) {
            yaml.append("""
                    ---
                    apiVersion: image.toolkit.fluxcd.io/v1
                    kind: ImageRepository
                    metadata: {name: %1$s, namespace: %2$s}
                    spec: {image: '%3$s/scan/%1$s', interval: 2m, insecure: true}
                    ---
                    apiVersion: image.toolkit.fluxcd.io/v1
                    kind: ImagePolicy
                    metadata: {name: %1$s, namespace: %2$s}
                    spec:
                      imageRepositoryRef: {name: %1$s}
                      policy: {semver: {range: '>=1.0.0'}}
                    """.formatted(app, NS, registry.host()));
        }
        Files.writeString(config.resolve("fleet.yaml"), yaml);
        chain = E2e.start(root, config, E2e.ports(Ports.free()), Map.of());

        // every policy has selected (its first scan complete), then a little longer for anything that would follow
        List<CloudEvent<PolicyMatched>> matched = KafkaBroker.shared().events(Topic.POLICY_MATCHED.defaultName(),
                PolicyMatched.class, l -> mine(l).keySet().size() == newest.size(), Duration.ofSeconds(120));
        int seen = matched.size();
        // read on for 10 s: a selection announced after those would be one too many
        matched = KafkaBroker.shared().events(Topic.POLICY_MATCHED.defaultName(), PolicyMatched.class, l -> l.size() > seen,
                Duration.ofSeconds(10));
        Map<String, List<String>> announced = mine(matched);
        Map<String, List<String>> expected = new TreeMap<>();
        newest.forEach((app, tag) -> expected.put(NS + "/" + app, List.of(tag)));
        assertEquals(expected, announced, "one selection per policy, the newest: no older tag on the way");

        List<CloudEvent<CommitPushed>> pushed = KafkaBroker.shared().events(Topic.COMMIT_PUSHED.defaultName(),
                CommitPushed.class, l -> l.stream().anyMatch(e -> e.data().automation().equals(NS + "/fleet")),
                Duration.ofSeconds(5));
        assertEquals(List.of(), pushed.stream().filter(e -> e.data().automation().equals(NS + "/fleet")).toList(),
                "git held the newest already: no commit");
        assertEquals("1", git.inBare("fleet", "rev-list", "--count", "main").trim());
    }

    /** This test's selections, by policy, in the order announced. */
    static Map<String, List<String>> mine(List<CloudEvent<PolicyMatched>> events) {
        return events.stream().map(CloudEvent::data).filter(m -> m.policy().startsWith(NS + "/"))
                .collect(Collectors.groupingBy(PolicyMatched::policy, TreeMap::new,
                        Collectors.mapping(PolicyMatched::tag, Collectors.toList())));
    }
}
