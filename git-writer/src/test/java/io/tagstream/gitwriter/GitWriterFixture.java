package io.tagstream.gitwriter;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.tagstream.testkit.GitServer;
import io.tagstream.testkit.KafkaBroker;
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
                "tagstream.auth.local-development", "true"); // access control is tested in promoter and common
    }

    @Override
    public void stop() {
        git.close();
    }
}
