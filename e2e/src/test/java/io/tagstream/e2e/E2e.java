package io.tagstream.e2e;

import io.tagstream.launcher.Chain;
import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.Json;
import io.tagstream.testkit.Cli;
import io.tagstream.testkit.KafkaBroker;
import io.tagstream.testkit.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** What the system tests share: starting the chain as processes, HTTP calls to it, and reading audit with kcat. */
final class E2e {

    static final HttpClient HTTP = HttpClient.newHttpClient();

    private E2e() {}

    /** Ports for the five services; the poller's is chosen first because registries' notifications need it. */
    static Map<String, Integer> ports(int pollerPort) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("registry-poller", pollerPort);
        for (String s : List.of("policy-evaluator", "promoter", "git-writer", "notifier")) {
            ports.put(s, Ports.free()); // never one Ports gave before
        }
        return ports;
    }

    /** Writes webhook or git secrets in the mounted-secret layout: {@code <dir>/<namespace>/<name>/<key>}. */
    static void secret(Path dir, String namespace, String name, String key, String value) {
        try {
            Path d = Files.createDirectories(dir.resolve(namespace).resolve(name));
            Files.writeString(d.resolve(key), value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The five services as processes on the shared broker, healthy. */
    static Chain start(Path root, Path config, Map<String, Integer> ports, Map<String, String> env) {
        Map<String, String> all = new LinkedHashMap<>(env);
        all.putIfAbsent("TAGSTREAM_SECRETS_DIR", root.resolve("secrets").toString());
        all.putIfAbsent("TAGSTREAM_GIT_WORKDIR", root.resolve("clones").toString());
        Chain chain = Chain.start(new Chain.Options(Path.of("..").toAbsolutePath().normalize(), config, root.resolve("run"),
                Optional.of(KafkaBroker.shared().bootstrapServers()), 0, ports, all,
                Chain.SERVICES.stream().map(Chain.Service::name).toList()));
        try {
            chain.awaitHealthy(Duration.ofSeconds(120));
        } catch (RuntimeException e) {
            chain.close();
            throw e;
        }
        return chain;
    }

    /** The promoter pod that leads among {@code pods}, as their metrics say ({@code tagstream_promoter_leader 1}). */
    static String leadingPromoter(Chain chain, List<String> pods) {
        await("a promoter pod to lead", Duration.ofSeconds(60), () -> pods.stream().anyMatch(p -> leads(chain, p)));
        return pods.stream().filter(p -> leads(chain, p)).findFirst().orElseThrow();
    }

    static boolean leads(Chain chain, String pod) {
        try {
            return get(chain.url(pod) + "/q/metrics").body().lines()
                    .anyMatch(l -> l.startsWith("tagstream_promoter_leader") && l.endsWith(" 1.0"));
        } catch (RuntimeException e) {
            return false; // a pod being killed or started
        }
    }

    /** Stops what a test started, in order, each even if another fails to stop; nulls (never started) are skipped. */
    static void closeAll(AutoCloseable... resources) {
        for (AutoCloseable c : resources) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                System.err.println("could not stop " + c + ": " + e.getMessage());
            }
        }
    }

    /** A one-container Deployment whose image line carries a setter marker. */
    static String deployment(String name, String image, String marker) {
        return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + name + "\nspec:\n  template:\n    spec:\n"
                + "      containers:\n        - name: " + name + "\n          image: " + image
                + " # {\"$imagepolicy\": \"" + marker + "\"}\n";
    }

    /** A Receiver in flux-system of a webhook type, authenticated by the {@code webhook-token} secret, for one ImageRepository. */
    static String receiver(String name, String type, String imageRepository) {
        return """
                apiVersion: notification.toolkit.fluxcd.io/v1
                kind: Receiver
                metadata: {name: %s, namespace: flux-system}
                spec:
                  type: %s
                  secretRef: {name: webhook-token}
                  resources: [{kind: ImageRepository, name: %s}]
                """.formatted(name, type, imageRepository);
    }

    /**
     * One app in flux-system: its ImageRepository, a semver {@code >=1.0.0} ImagePolicy labelled {@code app: <name>}, a
     * GitRepository on branch main and the ImageUpdateAutomation that writes its markers under {@code updatePath}.
     */
    static String semverApp(String name, String image, String gitUrl, String updatePath) {
        return """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: %1$s, namespace: flux-system}
                spec: {image: '%2$s', interval: 1h, insecure: true}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: %1$s, namespace: flux-system, labels: {app: %1$s}}
                spec:
                  imageRepositoryRef: {name: %1$s}
                  policy: {semver: {range: '>=1.0.0'}}
                ---
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: %1$s, namespace: flux-system}
                spec: {url: '%3$s', ref: {branch: main}}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageUpdateAutomation
                metadata: {name: %1$s, namespace: flux-system}
                spec:
                  sourceRef: {kind: GitRepository, name: %1$s}
                  git:
                    checkout: {ref: {branch: main}}
                    commit: {author: {name: tagstream, email: bot@example.com}}
                    push: {branch: main}
                  update: {path: %4$s, strategy: Setters}
                  policySelector: {matchLabels: {app: %1$s}}
                """.formatted(name, image, gitUrl, updatePath);
    }

    static HttpResponse<String> get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET().build());
    }

    static HttpResponse<String> post(String url, String json, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(b::header);
        return send(b.build());
    }

    static HttpResponse<String> send(HttpRequest r) {
        try {
            return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(String body) {
        try {
            return Json.mapper().readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The audit topic as an operator reads it: {@code kcat}, one JSON record per line. */
    static List<AuditRecord> auditWithKcat() {
        String out = Cli.run(null, List.of("kcat", "-C", "-b", KafkaBroker.shared().bootstrapServers(), "-t", "tagstream.audit",
                "-e", "-q", "-f", "%s\\n"), Map.of());
        return out.lines().filter(l -> l.startsWith("{"))
                .map(l -> Json.read(l.getBytes(StandardCharsets.UTF_8), AuditRecord.class)).toList();
    }

    static void await(String what, Duration timeout, BooleanSupplier done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Chain.sleep(200);
        }
    }
}
