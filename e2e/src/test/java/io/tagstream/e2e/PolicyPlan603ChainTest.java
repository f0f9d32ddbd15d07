package io.tagstream.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.launcher.Chain;
import io.tagstream.launcher.Ops;
import io.tagstream.testkit.GitServer;
import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.Ports;
import io.tagstream.testkit.TestForge;
import io.tagstream.testkit.TestImages;
import io.tagstream.testkit.WorkDirs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The "Image Policy 603" plan on the whole chain (five processes, a real broker, docker-registry posting webhooks, a
 * deploy repository behind git daemon, and the test GitHub over it): dev is bumped by pull requests that auto-merge;
 * production gets the exact digest dev runs through a promotion a person approves with the CLI, as a pull request that
 * people merge; a second approval before the merge updates the same pull request.
 */
class PolicyPlan603ChainTest {

    static final String TOKEN = "registry-hook-token";
    static final String FORGE_TOKEN = "github-token-603";
    static LocalRegistry registry;
    static GitServer git;
    static TestForge forge;
    static Chain chain;
    static String image;

    @BeforeAll
    static void start() throws Exception {
        int pollerPort = Ports.free();
        registry = LocalRegistry.builder().notify("http://127.0.0.1:" + pollerPort
                + "/api/v1/webhooks/distribution/flux-system/registry", Map.of("Authorization", "Bearer " + TOKEN)).start();
        image = registry.host() + "/example-org/shop";
        git = GitServer.start();
        git.createBare("deploy", "main");
        String zero = "sha256:" + "0".repeat(64);
        git.commit("deploy", "main", Map.of(
                "envs/dev/values.yaml", "image:\n  ref: " + image + ":0.9.0@" + zero + " # {\"$imagepolicy\": \"flux-system:shop\"}\n",
                "envs/prod/values.yaml", "image:\n  ref: " + image + ":0.9.0@" + zero + " # {\"$imagepolicy\": \"flux-system:shop-prod\"}\n"),
                "seed", "alice");
        forge = TestForge.start(TestForge.Kind.GITHUB, git, "example-org", "deploy", FORGE_TOKEN);
        Path root = WorkDirs.create("policy-603-chain");
        Path config = Files.createDirectories(root.resolve("config"));
        StringBuilder y = new StringBuilder("""
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: shop, namespace: flux-system}
                spec: {image: %1$s, interval: 1h, insecure: true}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: shop, namespace: flux-system}
                spec:
                  imageRepositoryRef: {name: shop}
                  policy: {semver: {range: '>=1.0.0'}}
                  digestReflectionPolicy: IfNotPresent
                ---
                apiVersion: tagstream.io/v1alpha1
                kind: ImagePromotion
                metadata: {name: shop-prod, namespace: flux-system}
                spec:
                  sourcePolicyRef: {name: shop}
                  approval: {mode: manual, deadline: 168h}
                ---
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: deploy, namespace: flux-system}
                spec: {url: '%2$s', ref: {branch: main}}
                ---
                """.formatted(image, git.url("deploy")));
        for (String env : List.of("dev", "prod")) {
            y.append("""
                    apiVersion: image.toolkit.fluxcd.io/v1
                    kind: ImageUpdateAutomation
                    metadata: {name: %1$s, namespace: flux-system}
                    spec:
                      sourceRef: {kind: GitRepository, name: deploy}
                      git:
                        checkout: {ref: {branch: main}}
                        commit: {author: {name: tagstream, email: tagstream@example.org}}
                        push:
                          branch: tagstream/%1$s
                          pullRequest:
                            provider: github
                            apiURL: %2$s
                            repository: example-org/deploy
                            labels: [images, env/%1$s]
                            autoMerge: %3$s
                            mergeMethod: squash
                            secretRef: {name: github-token}
                      update: {path: ./envs/%1$s, strategy: Setters}
                    ---
                    """.formatted(env, forge.api(), env.equals("dev")));
        }
        y.append(E2e.receiver("registry", "distribution", "shop"));
        Files.writeString(config.resolve("603.yaml"), y.toString());
        E2e.secret(root.resolve("secrets"), "flux-system", "webhook-token", "token", TOKEN);
        E2e.secret(root.resolve("secrets"), "flux-system", "github-token", "token", FORGE_TOKEN);
        chain = E2e.start(root, config, E2e.ports(pollerPort), Map.of());
    }

    @AfterAll
    static void stop() {
        E2e.closeAll(chain, registry, forge, git);
    }

    static String show(String branch, String file) {
        return git.inBare("deploy", "show", branch + ":" + file);
    }

    static JsonNode pendingFor(String tag) {
        E2e.await("a pending promotion of " + tag, Duration.ofSeconds(60), () -> pending().stream()
                .anyMatch(p -> p.get("tag").asText().equals(tag)));
        return pending().stream().filter(p -> p.get("tag").asText().equals(tag)).findFirst().orElseThrow();
    }

    static List<JsonNode> pending() {
        JsonNode list = E2e.json(E2e.get(chain.url("promoter") + "/api/v1/promotions?state=pending").body());
        return StreamSupport.stream(list.spliterator(), false).toList();
    }

    /** {@code ./tagstream approve ID} as an operator runs it against this chain (local development: no token). */
    static String approve(String id) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = new Ops(Map.of("TAGSTREAM_PROMOTER_URL", chain.url("promoter")), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(List.of("approve", id, "--comment", "staging soaked"));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void devAutoMergesAndProductionGetsTheExactDigestInOnePullRequestPeopleMerge() {
        TestImages.Pushed v100 = TestImages.push(registry, "example-org/shop", "1.0.0");
        E2e.await("dev's PR merged", Duration.ofSeconds(60), () -> forge.requests("tagstream/dev").size() == 1
                && forge.requests("tagstream/dev").get(0).merged);
        assertTrue(show("main", "envs/dev/values.yaml").contains(image + ":1.0.0@" + v100.digest()), "dev runs 1.0.0 by digest");
        assertTrue(show("main", "envs/prod/values.yaml").contains(":0.9.0@"), "prod waits for a person");
        assertEquals(List.of("images", "env/dev"), forge.requests("tagstream/dev").get(0).labels);

        assertTrue(approve(pendingFor("1.0.0").get("id").asText()).contains("→ APPROVED"));
        E2e.await("prod's PR", Duration.ofSeconds(60), () -> forge.open("tagstream/prod").size() == 1
                && forge.open("tagstream/prod").get(0).body.contains(v100.digest()));
        TestForge.Pr prod = forge.open("tagstream/prod").get(0);
        assertFalse(prod.merged, "production is merged by people");
        assertTrue(show("tagstream/prod", "envs/prod/values.yaml").contains(image + ":1.0.0@" + v100.digest()), "the exact digest");
        assertTrue(prod.body.contains("| flux-system/shop-prod | user:"), "the body names the promotion and who approved: "
                + prod.body);

        TestImages.Pushed v110 = TestImages.push(registry, "example-org/shop", "1.1.0");
        E2e.await("dev's second PR merged", Duration.ofSeconds(60), () -> forge.requests("tagstream/dev").size() == 2
                && forge.requests("tagstream/dev").get(1).merged);
        assertTrue(approve(pendingFor("1.1.0").get("id").asText()).contains("→ APPROVED"));
        E2e.await("prod's PR to carry 1.1.0", Duration.ofSeconds(60), () -> prod.body.contains(v110.digest()));
        assertEquals(1, forge.requests("tagstream/prod").size(), "a second approval before the merge updates the same PR");
        assertFalse(prod.body.contains(v100.digest()), "only the newest ref is listed: " + prod.body);

        forge.mergeByHand(prod.number);
        assertTrue(show("main", "envs/prod/values.yaml").contains(image + ":1.1.0@" + v110.digest()));
        if (forge.described()) {
            assertEquals(List.of(), forge.violations(), "every call fits GitHub's API description");
        }
    }
}
