package io.tagstream.gitwriter;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.ImageRef;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.testkit.GitServer;
import io.tagstream.testkit.KafkaBroker;
import io.tagstream.testkit.TestForge;
import io.tagstream.testkit.WorkDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A git daemon with a fleet repository and a config naming it; one fixture for every test class of the module. */
public class GitWriterFixture implements QuarkusTestResourceLifecycleManager {

    public static final List<String> APPS = List.of("portal", "relay", "a", "b", "c", "d", "e");
    public static GitServer git;
    /** Pull-request mode: one test forge per provider over the repository "apps" (platform/apps on each forge). */
    public static final java.util.Map<TestForge.Kind, TestForge> forges =
            new java.util.EnumMap<>(TestForge.Kind.class);
    public static final String FORGE_TOKEN = "forge-s3cret";

    /** An automatic approval of {@code r.example/<app>:<tag>} for the policy {@code flux-system/<app>}. */
    public static CloudEvent<PromotionApproved> approval(String app, String tag) {
        String ref = "r.example/" + app + ":" + tag + "@sha256:" + "e".repeat(64);
        return CloudEvent.start("test", new PromotionApproved(
                "flux-system/" + app, "flux-system/" + app, ImageRef.parse(ref),
                ImageRef.parse(ref), "auto", java.time.Instant.now(), false));
    }

    @Override
    public Map<String, String> start() {
        git = GitServer.start();
        git.createBare("fleet", "feat/pemclau-master");
        Map<String, String> files = new LinkedHashMap<>();
        for (String app : APPS) {
            files.put("fleet-sync/ctc-flux/eose-entry/" + app + ".yaml", "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n"
                    + "    spec:\n      containers:\n        - name: " + app + "\n          image: r.example/" + app
                    + ":1 # {\"$imagepolicy\": \"flux-system:" + app + "\"}\n");
        }
        files.put("README.md", "fleet\n");
        git.commit("fleet", "feat/pemclau-master", files, "seed", "alice");
        Path root = WorkDirs.create("git-writer-fixture");
        Path config = root.resolve("config");
        StringBuilder y = new StringBuilder();
        pullRequestSetup(root, y);
        for (String app : APPS) {
            y.append("""
                    apiVersion: image.toolkit.fluxcd.io/v1
                    kind: ImageRepository
                    metadata: {name: %1$s, namespace: flux-system}
                    spec: {image: r.example/%1$s, interval: 1h}
                    ---
                    apiVersion: image.toolkit.fluxcd.io/v1
                    kind: ImagePolicy
                    metadata: {name: %1$s, namespace: flux-system, labels: {fleet: eose}}
                    spec:
                      imageRepositoryRef: {name: %1$s}
                      policy: {numerical: {order: asc}}
                    ---
                    """.formatted(app));
        }
        y.append("""
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: eose-fleet, namespace: flux-system}
                spec:
                  url: %s
                  ref: {branch: feat/pemclau-master}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageUpdateAutomation
                metadata:
                  name: eose-entry-auto
                  namespace: flux-system
                  annotations: {tagstream.io/message-template: qute}  # Tagstream's extension: this template is Qute
                spec:
                  sourceRef: {kind: GitRepository, name: eose-fleet}
                  git:
                    checkout: {ref: {branch: feat/pemclau-master}}
                    commit:
                      author: {name: flux-bot, email: flux@pemos.io}
                      messageTemplate: |-
                        chore(flux): auto-update image tags in {automation}

                        {#for c in changes}- {c.file}: {c.old} -> {c.new}
                        {/for}
                    push: {branch: feat/pemclau-master}
                  update: {path: ./fleet-sync/ctc-flux/eose-entry, strategy: Setters}
                  policySelector: {matchLabels: {fleet: eose}}
                """.formatted(git.url("fleet")));
        try {
            Files.createDirectories(config);
            Files.writeString(config.resolve("fleet.yaml"), y.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "kafka.bootstrap.servers", KafkaBroker.shared().bootstrapServers(),
                "tagstream.config.dir", config.toString(),
                "tagstream.git.workdir", root.resolve("clones").toString(),
                "tagstream.git.blocked-retry", "1s",
                "tagstream.git.pull-request-refresh", "1s",
                "tagstream.secrets.dir", root.resolve("secrets").toString(),
                "tagstream.auth.local-development", "true"); // access control is tested in promoter and common
    }

    /**
     * The repository "apps" and a test forge per provider serving it as platform/apps. Per provider two automations,
     * each with its own folder, head branch and two policies (web, api): {@code <provider>-prs} proposes
     * {@code deploy/<provider>} from {@code tagstream/<provider>} into main for people to merge, and
     * {@code <provider>-auto-prs} proposes {@code deploy/<provider>-auto} from {@code tagstream/<provider>-auto} with
     * auto-merge. The api policies pin digests (the exact digest copied forward, as production is promoted).
     */
    private static void pullRequestSetup(Path root, StringBuilder y) {
        git.createBare("apps", "main");
        Map<String, String> files = new LinkedHashMap<>();
        for (var kind : TestForge.Kind.values()) {
            var forge = TestForge.start(kind, git, "platform", "apps", FORGE_TOKEN);
            forges.put(kind, forge);
            for (String variant : List.of("", "-auto")) {
                String k = kind.name().toLowerCase() + variant;
                for (String app : List.of("web", "api")) {
                    files.put("deploy/" + k + "/" + app + ".yaml", "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n"
                            + "        - name: " + app + "\n          image: r.example/" + k + "-" + app + ":1 # {\"$imagepolicy\": \"flux-system:"
                            + k + "-" + app + "\"}\n");
                    y.append("""
                            apiVersion: image.toolkit.fluxcd.io/v1
                            kind: ImageRepository
                            metadata: {name: %1$s-%2$s, namespace: flux-system}
                            spec: {image: r.example/%1$s-%2$s, interval: 1h}
                            ---
                            apiVersion: image.toolkit.fluxcd.io/v1
                            kind: ImagePolicy
                            metadata: {name: %1$s-%2$s, namespace: flux-system, labels: {pr: %1$s}}
                            spec:
                              imageRepositoryRef: {name: %1$s-%2$s}
                              policy: {numerical: {order: asc}}
                              digestReflectionPolicy: %3$s
                            ---
                            """.formatted(k, app, app.equals("api") ? "IfNotPresent" : "Never"));
                }
                y.append("""
                        apiVersion: image.toolkit.fluxcd.io/v1
                        kind: ImageUpdateAutomation
                        metadata: {name: %1$s-prs, namespace: flux-system}
                        spec:
                          sourceRef: {kind: GitRepository, name: apps}
                          git:
                            checkout: {ref: {branch: main}}
                            commit: {author: {name: tagstream, email: bot@tagstream.io}}
                            push:
                              branch: tagstream/%1$s
                              pullRequest:
                                provider: %2$s
                                apiURL: %3$s
                                repository: platform/apps
                                labels: [images]
                                autoMerge: %4$s
                                mergeMethod: squash
                                secretRef: {name: forge-token}
                          update: {path: ./deploy/%1$s, strategy: Setters}
                          policySelector: {matchLabels: {pr: %1$s}}
                        ---
                        """.formatted(k, kind.name().toLowerCase(), forge.api(), !variant.isEmpty()));
            }
        }
        git.commit("apps", "main", files, "seed", "alice");
        y.append("""
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: apps, namespace: flux-system}
                spec:
                  url: %s
                  ref: {branch: main}
                ---
                """.formatted(git.url("apps")));
        try {
            Path token = root.resolve("secrets/flux-system/forge-token/token");
            Files.createDirectories(token.getParent());
            Files.writeString(token, FORGE_TOKEN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        forges.values().forEach(TestForge::close);
        git.close();
    }
}
