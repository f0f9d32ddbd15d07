package io.tagstream.e2e;

import io.tagstream.launcher.Chain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.common.events.CommitPushed;
import io.tagstream.common.events.Topic;
import io.tagstream.testkit.GitServer;
import io.tagstream.testkit.KafkaBroker;
import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.Ports;
import io.tagstream.testkit.TestImages;
import io.tagstream.testkit.WorkDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole chain as four processes (the launcher's {@link Chain}), a real broker, Debian's docker-registry posting
 * its own notifications to the poller, and a fleet repository behind git daemon: TazLab's setup, where numeric CI tags
 * {@code blog-46-…} go straight to master.
 */
class TazLabChainTest {

    static final String TOKEN = "tazlab-hook-token";
    static LocalRegistry registry;
    static GitServer git;
    static Chain chain;
    static String image;

    @BeforeAll
    static void start() throws Exception {
        start(true, "1h", Optional.empty());
    }

    /**
     * TazLab's setup; without webhooks the registry notifies nobody and only the poll at {@code interval} finds tags. A
     * request rate, when given, lifts the default politeness limit towards the registry (20 requests/s).
     */
    static void start(boolean webhooks, String interval, Optional<Integer> requestsPerSecond) throws Exception {
        int pollerPort = Ports.free();
        LocalRegistry.Builder b = LocalRegistry.builder();
        if (webhooks) {
            b.notify("http://127.0.0.1:" + pollerPort + "/api/v1/webhooks/distribution/flux-system/registry",
                    Map.of("Authorization", "Bearer " + TOKEN));
        }
        registry = b.start();
        image = registry.host() + "/tazlab/hugo-blog";
        git = GitServer.start();
        git.createBare("tazlab-k8s", "master");
        git.commit("tazlab-k8s", "master", Map.of(
                "apps/hugo-blog/deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: hugo-blog\nspec:\n"
                        + "  template:\n    spec:\n      containers:\n        - name: hugo\n          image: " + image
                        + ":blog-45-a1b2c3d # {\"$imagepolicy\": \"flux-system:hugo-blog\"}\n          ports:\n            - containerPort: 1313\n",
                "README.md", "TazLab cluster\n"), "seed", "taz");
        Path root = WorkDirs.create("tazlab-chain");
        Path config = Files.createDirectories(root.resolve("config"));
        if (requestsPerSecond.isPresent()) {
            Files.writeString(config.resolve("registry.yaml"), """
                    apiVersion: tagstream.io/v1alpha1
                    kind: Registry
                    metadata: {name: local, namespace: flux-system}
                    spec: {host: '%s', insecure: true, requestsPerSecond: %d, maxConcurrency: 8}
                    """.formatted(registry.host(), requestsPerSecond.get()));
        }
        Files.writeString(config.resolve("tazlab.yaml"), """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: hugo-blog, namespace: flux-system, labels: {app: hugo-blog}}
                spec: {image: %1$s, interval: %3$s, insecure: true}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: hugo-blog, namespace: flux-system, labels: {app: hugo-blog}}
                spec:
                  imageRepositoryRef: {name: hugo-blog}
                  filterTags: {pattern: '^blog-(?P<value>[0-9]+)-.*$', extract: '$value'}
                  policy: {numerical: {order: asc}}
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1
                kind: Receiver
                metadata: {name: registry, namespace: flux-system}
                spec:
                  type: distribution
                  secretRef: {name: webhook-token}
                  resources: [{kind: ImageRepository, name: hugo-blog}]
                ---
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: tazlab-k8s, namespace: flux-system}
                spec: {url: '%2$s', ref: {branch: master}}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageUpdateAutomation
                metadata: {name: hugo-blog, namespace: flux-system}
                spec:
                  sourceRef: {kind: GitRepository, name: tazlab-k8s}
                  git:
                    checkout: {ref: {branch: master}}
                    commit:
                      author: {name: tazlab-bot, email: bot@tazlab.net}
                      messageTemplate: "chore: self-update hugo-blog image [skip ci]"
                    push: {branch: master}
                  update: {path: ./apps/hugo-blog, strategy: Setters}
                  policySelector: {matchLabels: {app: hugo-blog}}
                """.formatted(image, git.url("tazlab-k8s"), interval));
        E2e.secret(root.resolve("secrets"), "flux-system", "webhook-token", "token", TOKEN);
        chain = E2e.start(root, config, E2e.ports(pollerPort), Map.of());
    }

    @AfterAll
    static void stop() {
        E2e.closeAll(chain, registry, git);
    }

    static List<String> subjects() {
        return git.inBare("tazlab-k8s", "log", "--format=%an %s", "master").lines().toList();
    }

    @Test
    void pushingBlog46CommitsExactlyTheMarkedLineAndLowerOrOtherTagsChangeNothing() throws Exception {
        TestImages.push(registry, "tazlab/hugo-blog", "blog-45-a1b2c3d");
        TestImages.push(registry, "tazlab/hugo-blog", "blog-46-c0ffee1");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (subjects().size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertEquals(List.of("tazlab-bot chore: self-update hugo-blog image [skip ci]", "taz seed"), subjects());
        String diff = git.inBare("tazlab-k8s", "diff", "--unified=0", "master~1", "master");
        assertEquals(List.of("-          image: " + image + ":blog-45-a1b2c3d # {\"$imagepolicy\": \"flux-system:hugo-blog\"}",
                "+          image: " + image + ":blog-46-c0ffee1 # {\"$imagepolicy\": \"flux-system:hugo-blog\"}"),
                diff.lines().filter(l -> l.startsWith("-  ") || l.startsWith("+  ")).toList());

        TestImages.push(registry, "tazlab/hugo-blog", "blog-44-0000000"); // lower number
        TestImages.push(registry, "tazlab/hugo-blog", "wiki-99-aaaaaaa"); // another app's tag
        Thread.sleep(5000);
        assertEquals(2, subjects().size(), "nothing else committed: " + subjects());

        var pushed = KafkaBroker.shared().events(Topic.COMMIT_PUSHED.defaultName(), CommitPushed.class,
                l -> l.stream().anyMatch(e -> e.data().automation().equals("flux-system/hugo-blog")), Duration.ofSeconds(10));
        CommitPushed c = pushed.stream().map(e -> e.data()).filter(e -> e.automation().equals("flux-system/hugo-blog")).findFirst().orElseThrow();
        assertEquals(git.inBare("tazlab-k8s", "rev-parse", "master").trim(), c.commit());
        assertTrue(c.changes().get(0).newValue().endsWith(":blog-46-c0ffee1"));
    }
}
