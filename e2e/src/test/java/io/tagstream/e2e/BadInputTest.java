package io.tagstream.e2e;

import io.tagstream.launcher.Chain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.testkit.GitServer;
import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.Ports;
import io.tagstream.testkit.TestImages;
import io.tagstream.testkit.WorkDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input against the running chain: a forged webhook, an unreachable registry, a git server that rejects the push,
 * a malformed configuration file. Each is reported in audit and in the status API with a reason a person can act
 * on, and images of every other application keep reaching git meanwhile.
 */
class BadInputTest {

    static final String TOKEN = "bad-input-token";
    static LocalRegistry registry;
    static GitServer git;
    static Chain chain;
    static Path config;
    static final String UNREACHABLE = "127.0.0.1:" + Ports.free();

    @BeforeAll
    static void start() throws Exception {
        int pollerPort = Ports.free();
        registry = LocalRegistry.builder()
                .notify("http://127.0.0.1:" + pollerPort + "/api/v1/webhooks/distribution/flux-system/registry",
                        Map.of("Authorization", "Bearer " + TOKEN))
                .start();
        TestImages.push(registry, "good/app", "1.0.0");
        TestImages.push(registry, "locked/app", "1.0.0");
        git = GitServer.start();
        git.createBare("fleet", "main");
        git.commit("fleet", "main", Map.of("apps/good.yaml",
                E2e.deployment("good", registry.host() + "/good/app:1.0.0", "flux-system:good")), "seed", "alice");
        git.createBare("locked", "main");
        git.commit("locked", "main", Map.of("apps/locked.yaml",
                E2e.deployment("locked", registry.host() + "/locked/app:1.0.0", "flux-system:locked")), "seed", "alice");
        // a server-side hook refuses every push, as a protected branch does
        Path hook = Path.of(git.inBare("locked", "rev-parse", "--absolute-git-dir").trim()).resolve("hooks/pre-receive");
        Files.writeString(hook, "#!/bin/sh\necho 'GH006: Protected branch update failed for refs/heads/main.' >&2\nexit 1\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));

        Path root = WorkDirs.create("bad-input");
        config = Files.createDirectories(root.resolve("config"));
        StringBuilder y = new StringBuilder();
        for (String app : List.of("good", "locked")) {
            y.append(E2e.semverApp(app, registry.host() + "/" + app + "/app", git.url(app.equals("good") ? "fleet" : "locked"),
                    "./apps")).append("---\n");
        }
        y.append("""
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: down, namespace: flux-system}
                spec: {image: '%s/down/app', interval: 5s, insecure: true}
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1
                kind: Receiver
                metadata: {name: registry, namespace: flux-system}
                spec:
                  type: distribution
                  secretRef: {name: webhook-token}
                  resources: [{kind: ImageRepository, name: good}, {kind: ImageRepository, name: locked}]
                """.formatted(UNREACHABLE));
        Files.writeString(config.resolve("apps.yaml"), y.toString());
        E2e.secret(root.resolve("secrets"), "flux-system", "webhook-token", "token", TOKEN);
        chain = E2e.start(root, config, E2e.ports(pollerPort), Map.of());
    }

    @AfterAll
    static void stop() {
        E2e.closeAll(chain, registry, git);
    }

    static void pushGoodAndSeeItCommitted(String tag) {
        TestImages.push(registry, "good/app", tag);
        E2e.await("good " + tag + " in git", Duration.ofSeconds(60),
                () -> git.inBare("fleet", "show", "main:apps/good.yaml").contains("good/app:" + tag + " "));
    }

    static Optional<AuditRecord> audit(String service, String action, String subjectPart) {
        return E2e.auditWithKcat().stream().filter(a -> a.service().equals(service) && a.action().equals(action)
                && a.subject().contains(subjectPart)).reduce((a, b) -> b);
    }

    static JsonNode status(String service, String path, String id, String idField) {
        JsonNode list = E2e.json(E2e.get(chain.url(service) + path).body());
        return StreamSupport.stream(list.spliterator(), false).filter(n -> n.get(idField).asText().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError(id + " not in " + list));
    }

    @Test
    void eachBadInputIsReportedWithAReasonAndEverythingElseKeepsFlowing() throws Exception {
        // a forged webhook: refused with a reason, audited, nothing announced
        var forged = E2e.post(chain.url("registry-poller") + "/api/v1/webhooks/distribution/flux-system/registry",
                "{\"events\":[{\"action\":\"push\",\"target\":{\"repository\":\"good/app\",\"tag\":\"9.9.9\"}}]}",
                Map.of("Authorization", "Bearer guessed"));
        assertEquals(401, forged.statusCode());
        assertTrue(E2e.json(forged.body()).get("error").asText().length() > 10, forged.body());
        E2e.await("webhook.rejected in audit", Duration.ofSeconds(20),
                () -> audit("registry-poller", "webhook.rejected", "flux-system/registry").isPresent());

        // an unreachable registry: its repository shows the error; audit says which and why
        E2e.await("the unreachable registry in the status API", Duration.ofSeconds(60),
                () -> status("registry-poller", "/api/v1/repositories", "flux-system/down", "id").hasNonNull("lastError"));
        String error = status("registry-poller", "/api/v1/repositories", "flux-system/down", "id").get("lastError").asText();
        assertTrue(error.contains(UNREACHABLE), error);
        AuditRecord failed = audit("registry-poller", "scan.failed", "flux-system/down").orElseThrow();
        assertEquals(AuditRecord.Outcome.ERROR, failed.outcome());

        pushGoodAndSeeItCommitted("1.1.0");

        // a git server that refuses the push: the hook's own words in audit and status, other repositories unaffected
        TestImages.push(registry, "locked/app", "2.0.0");
        E2e.await("commit.failed for the locked repository", Duration.ofSeconds(60),
                () -> audit("git-writer", "commit.failed", "locked").isPresent());
        assertTrue(audit("git-writer", "commit.failed", "locked").orElseThrow().reason().contains("Protected branch"),
                audit("git-writer", "commit.failed", "locked").orElseThrow().reason());
        JsonNode locked = status("git-writer", "/api/v1/automations", "flux-system/locked", "automation");
        assertTrue(locked.get("lastError").asText().contains("Protected branch"), locked.toString());
        assertEquals(1, Integer.parseInt(git.inBare("locked", "rev-list", "--count", "main").trim()));
        pushGoodAndSeeItCommitted("1.2.0");

        // a malformed configuration file: refused with file and line, the last good configuration stays in force
        Files.writeString(config.resolve("broken.yaml"), """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: broken, namespace: flux-system}
                spec:
                  imageRepositoryRef: {name: good}
                  policy: {semver: {range: '>=1.x.x.x'}}
                """);
        E2e.await("config.reload refused in audit", Duration.ofSeconds(40), () -> E2e.auditWithKcat().stream()
                .anyMatch(a -> a.action().equals("config.reload") && a.outcome() == AuditRecord.Outcome.REJECTED
                        && a.reason().contains("broken.yaml:6")));
        // each service reloads on its own tick: the audit above may be another service's, so wait for this one's
        E2e.await("the evaluator's readiness to name broken.yaml:6", Duration.ofSeconds(30), () -> E2e.get(chain.url("policy-evaluator")
                + "/q/health/ready").body().contains("broken.yaml:6"));
        String health = E2e.get(chain.url("policy-evaluator") + "/q/health/ready").body();
        assertTrue(health.contains("broken.yaml:6"), health);
        pushGoodAndSeeItCommitted("1.3.0");
        Files.delete(config.resolve("broken.yaml"));

        // a reference to an object that is not there (Flux allows it): only the referring resources are not ready, each
        // status API lists them with the reason, and the rest keeps working
        Files.writeString(config.resolve("dangling.yaml"), """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: orphan, namespace: flux-system}
                spec:
                  imageRepositoryRef: {name: elsewhere}
                  policy: {semver: {range: '>=1.0.0'}}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageUpdateAutomation
                metadata: {name: orphan, namespace: flux-system}
                spec:
                  interval: 1m
                  sourceRef: {kind: GitRepository, name: elsewhere}
                  git: {commit: {author: {email: bot@example.com}}, push: {branch: main}}
                """);
        E2e.await("the orphan policy listed not ready", Duration.ofSeconds(40), () -> E2e.get(chain.url("policy-evaluator")
                + "/api/v1/policies").body().contains("names ImageRepository flux-system/elsewhere, which is not in the configuration"));
        E2e.await("the orphan automation listed not ready", Duration.ofSeconds(40), () -> E2e.get(chain.url("git-writer")
                + "/api/v1/automations").body().contains("names GitRepository flux-system/elsewhere, which is not in the configuration"));
        assertTrue(E2e.get(chain.url("policy-evaluator") + "/q/health/ready").body().contains("dangling.yaml:5"));
        pushGoodAndSeeItCommitted("1.4.0");
        Files.delete(config.resolve("dangling.yaml"));
    }
}
