package io.tagstream.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.launcher.Chain;
import io.tagstream.testkit.GitServer;
import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.Ports;
import io.tagstream.testkit.RegistryProxy;
import io.tagstream.testkit.SshGitServer;
import io.tagstream.testkit.TestImages;
import io.tagstream.testkit.WorkDirs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two setups of issue 19 on one chain of five processes:
 * <ul>
 * <li>a Gitea CD pipeline: images tagged with the commit SHA (40 hex characters, which do not sort) in a registry
 * behind a token challenge that only the pipeline's credentials pass, Gitea package webhooks signed with
 * {@code X-Gitea-Signature}, and an infra repository reached over SSH on Gitea's port 30022 (when free), where each
 * deploy commits {@code chore(deploy): supervisor → <sha>};</li>
 * <li>"Image Policy 603" dev: {@code :dev} followed by digest ({@code digestReflectionPolicy: Always}), each re-push
 * writing {@code image.ref: …:dev@sha256:…} into a Helm values file.</li>
 * </ul>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TeamRegistriesChainTest {

    static final String TOKEN = "gitea-hook-secret";
    /** Three commit SHAs in push order: each sorts below the one before, so no ordering by name picks the newest. */
    static final List<String> SHAS = List.of("f3c1a9e07b5d2c4e6a8b0c1d2e3f4a5b6c7d8e9f", "9b2e4c6a8d0f1e3c5a7b9d1f3e5c7a9b1d3f5e7a",
            "1d4a7c0e3b6d9f2a5c8e1b4d7f0a3c6e9b2d5f8a");
    static final String OLD = "0000000000000000000000000000000000000000";

    static LocalRegistry gitea;
    static RegistryProxy giteaAuth;
    static LocalRegistry ghcr;
    static GitServer git;
    static SshGitServer ssh;
    static Chain chain;
    static String supervisor;
    static String shop;
    static TestImages.Pushed dev0;

    @BeforeAll
    static void start() throws Exception {
        gitea = LocalRegistry.builder().htpasswd("ci-bot", "s3cret").start();
        giteaAuth = new RegistryProxy(gitea).requireBearer(); // Gitea's registry answers with a token challenge
        ghcr = LocalRegistry.start();
        supervisor = giteaAuth.host() + "/platform/supervisor";
        shop = ghcr.host() + "/example-org/shop";
        dev0 = TestImages.pushBuilt(ghcr, "example-org/shop", "dev", Instant.parse("2026-12-01T00:00:00Z"));

        git = GitServer.start();
        git.createBare("infra", "main");
        git.commit("infra", "main", Map.of("apps/supervisor/deployment.yaml",
                E2e.deployment("supervisor", supervisor + ":" + OLD, "flux-system:supervisor")), "seed", "platform");
        ssh = SshGitServer.start(Ports.preferred(30022));
        git.createBare("deploy", "main");
        git.commit("deploy", "main", Map.of("envs/dev/values.yaml", "replicaCount: 1\nimage:\n  ref: " + shop + ":dev@"
                + dev0.digest() + " # {\"$imagepolicy\": \"flux-system:shop-dev\"}\n  pullPolicy: IfNotPresent\n"), "seed", "platform");

        int pollerPort = Ports.free();
        Path root = WorkDirs.create("team-registries-chain");
        Path config = Files.createDirectories(root.resolve("config"));
        Files.writeString(config.resolve("gitea-cd.yaml"), """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: supervisor, namespace: flux-system}
                spec: {image: '%1$s', interval: 1h, insecure: true, secretRef: {name: gitea-registry}}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: supervisor, namespace: flux-system, labels: {app: supervisor}}
                spec:
                  imageRepositoryRef: {name: supervisor}
                  filterTags: {pattern: '^[0-9a-f]{40}$'}
                  policy: {newest: {by: pushed}}
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1
                kind: Receiver
                metadata: {name: gitea-packages, namespace: flux-system}
                spec:
                  type: gitea
                  secretRef: {name: gitea-webhook-token}
                  resources: [{kind: ImageRepository, name: supervisor}]
                ---
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: infra, namespace: flux-system}
                spec: {url: '%2$s', ref: {branch: main}, secretRef: {name: infra-deploy-key}}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageUpdateAutomation
                metadata: {name: supervisor, namespace: flux-system}
                spec:
                  sourceRef: {kind: GitRepository, name: infra}
                  git:
                    checkout: {ref: {branch: main}}
                    commit:
                      author: {name: gitea-cd, email: cd@gitea.internal}
                      messageTemplate: 'chore(deploy): supervisor → {{ range .Changed.Changes }}{{ regexReplaceAll "^.*:" .NewValue "" }}{{ end }}'
                    push: {branch: main}
                  update: {path: ./apps/supervisor, strategy: Setters}
                  policySelector: {matchLabels: {app: supervisor}}
                """.formatted(supervisor, ssh.url(git.bare("infra"))));
        Files.writeString(config.resolve("policy-603.yaml"), """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: shop, namespace: flux-system}
                spec: {image: '%1$s', interval: 1h, insecure: true}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: shop-dev, namespace: flux-system, labels: {env: dev}}
                spec:
                  imageRepositoryRef: {name: shop}
                  filterTags: {pattern: '^dev$'}
                  policy: {alphabetical: {order: asc}}
                  digestReflectionPolicy: Always
                  interval: 1s
                ---
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: deploy, namespace: flux-system}
                spec: {url: '%2$s', ref: {branch: main}}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageUpdateAutomation
                metadata: {name: dev, namespace: flux-system}
                spec:
                  sourceRef: {kind: GitRepository, name: deploy}
                  git:
                    checkout: {ref: {branch: main}}
                    commit:
                      author: {name: tagstream, email: bot@example.org}
                      messageTemplate: 'chore(dev): shop → {{ range .Changed.Changes }}{{ .NewValue }}{{ end }}'
                    push: {branch: main}
                  update: {path: ./envs/dev, strategy: Setters}
                  policySelector: {matchLabels: {env: dev}}
                """.formatted(shop, git.url("deploy")));
        Path secrets = root.resolve("secrets");
        E2e.secret(secrets, "flux-system", "gitea-registry", "username", "ci-bot");
        E2e.secret(secrets, "flux-system", "gitea-registry", "password", "s3cret");
        E2e.secret(secrets, "flux-system", "gitea-webhook-token", "token", TOKEN);
        E2e.secret(secrets, "flux-system", "infra-deploy-key", "identity", ssh.clientKey());
        E2e.secret(secrets, "flux-system", "infra-deploy-key", "known_hosts", ssh.knownHosts());
        chain = E2e.start(root, config, E2e.ports(pollerPort), Map.of());
    }

    @AfterAll
    static void stop() {
        E2e.closeAll(chain, giteaAuth, gitea, ghcr, ssh, git);
    }

    static List<String> subjects(String repo) {
        return git.inBare(repo, "log", "--format=%an %s", "main").lines().toList();
    }

    /** Gitea's package webhook as Gitea 1.22 posts it: event type in X-Gitea-Event-Type, body signed with the secret. */
    static java.net.http.HttpResponse<String> giteaWebhook(String version) throws Exception {
        String body = Files.readString(Path.of("../registry-poller/src/test/resources/webhooks/gitea-package.json"))
                .replace("4f0c2a9e1b7d3c5a6e8f0a1b2c3d4e5f6a7b8c9d\",\n    \"html_url", version + "\",\n    \"html_url")
                .replace("https://gitea.example.com:3000/Platform/-/packages/container/supervisor/4f0c2a9e1b7d3c5a6e8f0a1b2c3d4e5f6a7b8c9d",
                        "http://" + giteaAuth.host() + "/Platform/-/packages/container/supervisor/" + version);
        assertTrue(body.contains("\"version\": \"" + version + "\""), body);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(TOKEN.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        return E2e.post(chain.url("registry-poller") + "/api/v1/webhooks/gitea/flux-system/gitea-packages", body, Map.of(
                "X-Gitea-Event", "", "X-Gitea-Event-Type", "package", "X-Gitea-Delivery", java.util.UUID.randomUUID().toString(),
                "X-Gitea-Signature", signature, "X-Hub-Signature-256", "sha256=" + signature));
    }

    static String deployedImage() {
        return git.inBare("infra", "show", "main:apps/supervisor/deployment.yaml").lines().filter(l -> l.contains("image:"))
                .findFirst().orElseThrow().trim();
    }

    @Test
    @Order(1)
    void shaTaggedImagesAreDeployedInPushOrderAcrossRestartsOfEveryService() throws Exception {
        for (int i = 0; i < SHAS.size(); i++) {
            String sha = SHAS.get(i);
            TestImages.push(gitea, "platform/supervisor", sha);
            assertTrue(giteaWebhook(sha).body().contains("\"accepted\""));
            int expected = i + 2;
            E2e.await("the deploy commit of " + sha, Duration.ofSeconds(60), () -> subjects("infra").size() >= expected);
            assertEquals("gitea-cd chore(deploy): supervisor → " + sha, subjects("infra").get(0));
            assertEquals("image: " + supervisor + ":" + sha + " # {\"$imagepolicy\": \"flux-system:supervisor\"}", deployedImage());
            if (i < SHAS.size() - 1) {
                for (Chain.Service s : Chain.SERVICES) {
                    chain.stopService(s.name(), false);
                    chain.startService(s);
                }
                chain.awaitHealthy(Duration.ofSeconds(120));
            }
        }
        // a cosign signature tag and a digest-only version (an index's platform manifest) fire `created` too
        TestImages.Pushed last = TestImages.push(gitea, "platform/supervisor", "sha256-" + "ab".repeat(32) + ".sig");
        for (String version : List.of(last.tag(), last.digest())) {
            var r = giteaWebhook(version);
            assertEquals(202, r.statusCode());
            assertTrue(r.body().contains("\"ignored\""), r.body());
        }
        assertEquals(401, E2e.post(chain.url("registry-poller") + "/api/v1/webhooks/gitea/flux-system/gitea-packages",
                "{\"action\":\"created\"}", Map.of("X-Gitea-Event-Type", "package", "X-Gitea-Signature", "00")).statusCode());
        Thread.sleep(5000);
        assertEquals(List.of("gitea-cd chore(deploy): supervisor → " + SHAS.get(2), "gitea-cd chore(deploy): supervisor → " + SHAS.get(1),
                "gitea-cd chore(deploy): supervisor → " + SHAS.get(0), "platform seed"), subjects("infra"));
        assertEquals("image: " + supervisor + ":" + SHAS.get(2) + " # {\"$imagepolicy\": \"flux-system:supervisor\"}", deployedImage());
        assertTrue(giteaAuth.tokenRequests() > 0, "the poller went through the token challenge");
        System.out.println("infra repository reached at " + ssh.url(git.bare("infra")));
    }

    static String devRef() {
        return git.inBare("deploy", "show", "main:envs/dev/values.yaml").lines().filter(l -> l.contains("ref:"))
                .findFirst().orElseThrow().trim();
    }

    @Test
    @Order(2)
    void eachRePushOfDevIsCommittedWithTheDigestTheRegistryReports() throws Exception {
        assertEquals(List.of("platform seed"), subjects("deploy"), "the seed already pins the digest :dev has");
        for (int i = 1; i <= 3; i++) {
            TestImages.Pushed dev = TestImages.pushBuilt(ghcr, "example-org/shop", "dev", Instant.parse("2026-12-0" + (i + 1) + "T00:00:00Z"));
            int expected = i + 1;
            E2e.await("the commit of :dev@" + dev.digest(), Duration.ofSeconds(30), () -> subjects("deploy").size() >= expected);
            assertEquals("tagstream chore(dev): shop → " + shop + ":dev@" + dev.digest(), subjects("deploy").get(0));
            assertEquals("ref: " + shop + ":dev@" + dev.digest() + " # {\"$imagepolicy\": \"flux-system:shop-dev\"}", devRef());
            if (i == 3) {
                TestImages.retag(ghcr, dev, List.of("dev")); // the same bytes again: the digest does not move
            }
        }
        Thread.sleep(5000); // five re-checks
        assertEquals(4, subjects("deploy").size(), "an unchanged re-push commits nothing: " + subjects("deploy"));
    }
}
