package io.tagstream.poller;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.tagstream.testkit.KafkaBroker;
import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.Ports;
import io.tagstream.testkit.RegistryProxy;
import io.tagstream.testkit.WorkDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Real servers for the poller's tests: an open registry and one with htpasswd auth, a paging proxy, a proxy that
 * answers 429 first, the open registry's own notifications posting to the poller, a config directory naming them all,
 * and a secrets directory. One fixture for every test class of the module, so the application starts once.
 */
public class PollerFixture implements QuarkusTestResourceLifecycleManager {

    public static final String HOOK_TOKEN = "hook-s3cret";
    public static LocalRegistry open;
    public static LocalRegistry locked;
    public static RegistryProxy counting;
    public static RegistryProxy burst;
    public static RegistryProxy paged;
    public static RegistryProxy flaky;
    public static RegistryProxy builds;
    /** A registry with Gitea's packages API beside it: {@code owner/name:version} → created_at, and the paths asked. */
    public static RegistryProxy gitea;
    public static final Map<String, java.time.Instant> GITEA_CREATED = new java.util.concurrent.ConcurrentHashMap<>();
    public static final java.util.List<String> GITEA_ASKED = new java.util.concurrent.CopyOnWriteArrayList<>();
    public static int httpPort;
    public static Path configDir;

    @Override
    public Map<String, String> start() {
        httpPort = Ports.free();
        open = LocalRegistry.builder()
                .notify("http://127.0.0.1:" + httpPort + "/api/v1/webhooks/distribution/test/dist",
                        Map.of("Authorization", "Bearer " + HOOK_TOKEN))
                .start();
        locked = LocalRegistry.builder().htpasswd("ci", "s3cret").start();
        counting = new RegistryProxy(open);
        paged = new RegistryProxy(open).pageSize(100);
        flaky = new RegistryProxy(open);
        burst = new RegistryProxy(open);
        builds = new RegistryProxy(open);
        gitea = new RegistryProxy(open).route("/api/v1/packages/", ex -> {
            try (ex) {
                String[] seg = ex.getRequestURI().getRawPath().split("/"); // /api/v1/packages/{owner}/container/{name}/{version}
                GITEA_ASKED.add(ex.getRequestURI().getRawPath());
                java.time.Instant created = seg.length == 8 ? GITEA_CREATED.get(seg[4] + "/"
                        + java.net.URLDecoder.decode(seg[6], java.nio.charset.StandardCharsets.UTF_8) + ":" + seg[7]) : null;
                byte[] body = (created == null ? "{\"message\":\"package does not exist\"}"
                        : "{\"id\":1,\"type\":\"container\",\"version\":\"" + seg[7] + "\",\"created_at\":\"" + created + "\"}")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(created == null ? 404 : 200, body.length);
                ex.getResponseBody().write(body);
            }
        });
        Path root = WorkDirs.create("poller-fixture");
        configDir = root.resolve("config");
        Path secrets = root.resolve("secrets");
        try {
            Files.createDirectories(configDir);
            write(secrets.resolve("test/locked-creds/username"), "ci");
            write(secrets.resolve("test/locked-creds/password"), "s3cret");
            write(secrets.resolve("test/hook-token/token"), HOOK_TOKEN + "\n");
            StringBuilder y = new StringBuilder();
            repo(y, "app", counting.host() + "/team/app", "");
            repo(y, "locked", locked.host() + "/team/locked", "  secretRef: {name: locked-creds}\n");
            repo(y, "hooked", open.host() + "/team/hooked", "");
            repo(y, "paged", paged.host() + "/team/paged", "");
            repo(y, "flaky", flaky.host() + "/team/flaky", "");
            repo(y, "burst", burst.host() + "/team/burst", "");
            repo(y, "paused", open.host() + "/team/paused", "  suspend: true\n");
            repo(y, "shas", builds.host() + "/cd/supervisor", "");
            repo(y, "shop", open.host() + "/org/shop", "");
            repo(y, "giteashas", gitea.host() + "/platform/supervisor", "");
            y.append("""
                    apiVersion: image.toolkit.fluxcd.io/v1
                    kind: ImagePolicy
                    metadata: {name: supervisor, namespace: test}
                    spec:
                      imageRepositoryRef: {name: shas}
                      filterTags: {pattern: '^[0-9a-f]{40}$'}
                      policy:
                        newest: {by: built}
                    ---
                    apiVersion: tagstream.io/v1alpha1
                    kind: Registry
                    metadata: {name: gitea, namespace: test}
                    spec: {host: '%s', insecure: true, pushTimes: gitea}
                    ---
                    apiVersion: image.toolkit.fluxcd.io/v1
                    kind: ImagePolicy
                    metadata: {name: giteasupervisor, namespace: test}
                    spec:
                      imageRepositoryRef: {name: giteashas}
                      policy:
                        newest: {by: pushed}
                    ---
                    apiVersion: image.toolkit.fluxcd.io/v1
                    kind: ImagePolicy
                    metadata: {name: shop-dev, namespace: test}
                    spec:
                      imageRepositoryRef: {name: shop}
                      filterTags: {pattern: '^dev$'}
                      policy: {alphabetical: {}}
                      digestReflectionPolicy: Always
                      interval: 1s
                    ---
                    """.formatted(gitea.host()));
            receiver(y, "dist", "distribution", "hooked");
            receiver(y, "burst", "distribution", "burst");
            receiver(y, "paused", "distribution", "paused");
            receiver(y, "gh", "github", "app");
            receiver(y, "gt", "gitea", "app");
            receiver(y, "hub", "generic", "app");
            write(configDir.resolve("repositories.yaml"), y.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "kafka.bootstrap.servers", KafkaBroker.shared().bootstrapServers(),
                "tagstream.config.dir", configDir.toString(),
                "tagstream.secrets.dir", secrets.toString(),
                "quarkus.http.test-port", String.valueOf(httpPort),
                // access control is tested where decisions are taken (promoter) and in common; webhooks keep their own
                "tagstream.auth.local-development", "true");
    }

    private static void repo(StringBuilder y, String name, String image, String extra) {
        y.append("""
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: %s, namespace: test}
                spec:
                  image: %s
                  interval: 1h
                  insecure: true
                %s---
                """.formatted(name, image, extra));
    }

    private static void receiver(StringBuilder y, String name, String type, String repo) {
        y.append("""
                apiVersion: notification.toolkit.fluxcd.io/v1
                kind: Receiver
                metadata: {name: %s, namespace: test}
                spec:
                  type: %s
                  secretRef: {name: hook-token}
                  resources: [{kind: ImageRepository, name: %s}]
                ---
                """.formatted(name, type, repo));
    }

    private static void write(Path p, String s) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, s);
    }

    @Override
    public void stop() {
        counting.close();
        paged.close();
        flaky.close();
        burst.close();
        builds.close();
        gitea.close();
        open.close();
        locked.close();
    }
}
