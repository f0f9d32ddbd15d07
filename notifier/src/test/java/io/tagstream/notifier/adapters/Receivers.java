package io.tagstream.notifier.adapters;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.tagstream.notifier.core.Payloads;
import io.tagstream.testkit.KafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real HTTP receivers on 127.0.0.1 for the notifier's tests, and the configuration pointing at them. Each path answers
 * as a receiver does: {@code /hmac} checks the {@code X-Signature} over the exact body (401 when it is wrong),
 * {@code /flaky} fails each message twice with 500, {@code /busy} answers 429 with {@code Retry-After: 2} to each
 * message once, {@code /refuse}
 * always 400, {@code /telegram/bot<token>/sendMessage} answers Telegram's {@code ok}, everything else 200. What came
 * is listed at {@code GET /_log} (the test runs in another class loader than this resource).
 */
public class Receivers implements QuarkusTestResourceLifecycleManager {

    static final String HMAC_KEY = "hmac-key-do-not-log";
    static final String SLACK_PATH = "/services/T0/B0/slack-secret-path";
    static final String BOT_TOKEN = "123456:bot-token-do-not-log";

    private HttpServer server;
    private com.sun.net.httpserver.HttpsServer tls;
    private HttpServer proxy;
    static final String PROXY_USER = "proxy-user";
    static final String PROXY_PASS = "proxy-pass-do-not-log";
    private final List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        Path dir;
        String tlsBase;
        try {
            dir = Files.createTempDirectory("notifier-test");
            tlsBase = startTls(dir);
            startProxy();
            secret(dir, "proxy-creds", "address", "http://127.0.0.1:" + proxy.getAddress().getPort());
            secret(dir, "proxy-creds", "username", PROXY_USER);
            secret(dir, "proxy-creds", "password", PROXY_PASS);
            Path config = Files.createDirectories(dir.resolve("config"));
            Files.writeString(config.resolve("notifications.yaml"), CONFIG.replace("TLSBASE", tlsBase).replace("BASE", base));
            secret(dir, "hmac", "token", HMAC_KEY);
            secret(dir, "hmac", "headers", "X-Team: platform\nAuthorization: Bearer header-secret-do-not-log\n");
            secret(dir, "slack-url", "address", base + SLACK_PATH);
            secret(dir, "telegram", "token", BOT_TOKEN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.ofEntries(
                Map.entry("kafka.bootstrap.servers", KafkaBroker.shared().bootstrapServers()),
                Map.entry("tagstream.config.dir", dir.resolve("config").toString()),
                Map.entry("tagstream.secrets.dir", dir.resolve("secrets").toString()),
                Map.entry("tagstream.notifier.retry-initial", "300ms"),
                Map.entry("tagstream.notifier.retry-max", "2s"),
                Map.entry("tagstream.notifier.give-up-after", "60s"),
                Map.entry("tagstream.notifier.telegram-api", base + "/telegram"),
                Map.entry("notifier.test.receivers", base));
    }

    /**
     * An HTTPS receiver with a certificate for 127.0.0.1 that no public CA signed (made with the JDK's keytool); its
     * PEM is the secret {@code tls-ca}'s {@code ca.crt}.
     */
    private String startTls(Path dir) throws IOException {
        Path ks = dir.resolve("receiver.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "receiver", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-keystore", ks.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit");
        String pem = run(keytool, "-exportcert", "-rfc", "-alias", "receiver", "-keystore", ks.toString(), "-storepass", "changeit");
        secret(dir, "tls-ca", "ca.crt", pem);
        try {
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(ks)) {
                store.load(in, "changeit".toCharArray());
            }
            javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                    javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, "changeit".toCharArray());
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            tls = com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            tls.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(ctx));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        tls.createContext("/", this::handle);
        tls.start();
        return "https://127.0.0.1:" + tls.getAddress().getPort();
    }

    /**
     * A forward proxy that wants Basic credentials (407 with Proxy-Authenticate until it gets them) and relays to the
     * receivers, adding {@code Via}, so a test sees a message came through it.
     */
    private void startProxy() throws IOException {
        proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        java.net.http.HttpClient out = java.net.http.HttpClient.newHttpClient();
        String expected = "Basic " + Base64.getEncoder().encodeToString((PROXY_USER + ":" + PROXY_PASS).getBytes(StandardCharsets.UTF_8));
        proxy.createContext("/", x -> {
            byte[] body = x.getRequestBody().readAllBytes();
            if (!expected.equals(x.getRequestHeaders().getFirst("Proxy-Authorization"))) {
                x.getResponseHeaders().add("Proxy-Authenticate", "Basic realm=\"test-proxy\"");
                x.sendResponseHeaders(407, -1);
                x.close();
                return;
            }
            java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(x.getRequestURI())
                    .method(x.getRequestMethod(), java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
                    .header("Via", "1.1 test-proxy");
            for (String h : List.of("Content-Type", "Gotk-Component", "X-Signature")) {
                String v = x.getRequestHeaders().getFirst(h);
                if (v != null) {
                    b.header(h, v);
                }
            }
            try {
                java.net.http.HttpResponse<byte[]> r = out.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                x.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
                if (r.body().length > 0) {
                    x.getResponseBody().write(r.body());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                x.sendResponseHeaders(502, -1);
            }
            x.close();
        });
        proxy.start();
    }

    private static String run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static void secret(Path dir, String name, String key, String value) throws IOException {
        Path d = Files.createDirectories(dir.resolve("secrets/flux-system/" + name));
        Files.writeString(d.resolve(key), value);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
        if (tls != null) {
            tls.stop(0);
        }
        if (proxy != null) {
            proxy.stop(0);
        }
    }

    private void handle(HttpExchange x) throws IOException {
        byte[] body = x.getRequestBody().readAllBytes();
        String path = x.getRequestURI().getPath();
        if (path.equals("/_log")) {
            byte[] out = ("[" + String.join(",", List.copyOf(log)) + "]").getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, out.length);
            x.getResponseBody().write(out);
            x.close();
            return;
        }
        // counted per path and message, so that tests sharing a receiver do not use up each other's failures
        int n = calls.computeIfAbsent(path + "|" + java.util.Arrays.hashCode(body), k -> new AtomicInteger()).incrementAndGet();
        int status = 200;
        String answer = "ok";
        if (path.equals("/hmac")) {
            String sig = x.getRequestHeaders().getFirst("X-Signature");
            status = ("sha256=" + Payloads.hmac(HMAC_KEY, body)).equals(sig) ? 200 : 401;
        } else if (path.equals("/flaky") && n <= 2) {
            status = 500;
            answer = "try later";
        } else if (path.equals("/busy") && n == 1) {
            status = 429;
            x.getResponseHeaders().add("Retry-After", "2");
        } else if (path.equals("/refuse")) {
            status = 400;
            answer = "{\"error\": \"unknown channel\"}";
        } else if (path.startsWith("/telegram/")) {
            answer = "{\"ok\":true,\"result\":{}}";
        }
        StringBuilder headers = new StringBuilder();
        x.getRequestHeaders().forEach((k, v) -> headers.append(headers.length() == 0 ? "" : ",")
                .append(quote(k.toLowerCase(java.util.Locale.ROOT))).append(':').append(quote(v.get(0))));
        log.add("{\"path\":" + quote(path) + ",\"method\":" + quote(x.getRequestMethod()) + ",\"status\":" + status
                + ",\"at\":" + quote(Instant.now().toString()) + ",\"headers\":{" + headers + "},\"body\":"
                + quote(Base64.getEncoder().encodeToString(body)) + "}");
        byte[] out = answer.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, out.length);
        x.getResponseBody().write(out);
        x.close();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static final String CONFIG = """
            apiVersion: image.toolkit.fluxcd.io/v1
            kind: ImageRepository
            metadata: {name: app, namespace: flux-system, labels: {team: a}}
            spec: {image: ghcr.io/acme/app, interval: 1m}
            ---
            apiVersion: image.toolkit.fluxcd.io/v1
            kind: ImagePolicy
            metadata: {name: app, namespace: flux-system}
            spec: {imageRepositoryRef: {name: app}, policy: {semver: {range: '>=1.0.0'}}}
            ---
            apiVersion: tagstream.io/v1alpha1
            kind: ImagePromotion
            metadata: {name: app-prod, namespace: flux-system}
            spec: {sourcePolicyRef: {name: app}, target: {image: prod.example/app}}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Provider
            metadata: {name: hmac, namespace: flux-system}
            spec: {type: generic-hmac, address: "BASE/hmac", secretRef: {name: hmac}}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: repositories, namespace: flux-system}
            spec:
              providerRef: {name: hmac}
              eventSources: [{kind: ImageRepository, name: '*', matchLabels: {team: a}}]
              eventMetadata: {env: test}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Provider
            metadata: {name: flaky, namespace: flux-system}
            spec: {type: generic, address: "BASE/flaky"}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: policies, namespace: flux-system}
            spec: {providerRef: {name: flaky}, eventSources: [{kind: ImagePolicy, name: app}]}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Provider
            metadata: {name: busy, namespace: flux-system}
            spec: {type: generic, address: "BASE/busy"}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: commits, namespace: flux-system}
            spec: {providerRef: {name: busy}, eventSources: [{kind: ImageUpdateAutomation, name: '*'}]}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Provider
            metadata: {name: refuse, namespace: flux-system}
            spec: {type: generic, address: "BASE/refuse"}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: promotions, namespace: flux-system}
            spec: {providerRef: {name: refuse}, eventSources: [{kind: ImagePromotion, name: '*'}], exclusionList: ["^quiet"]}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Provider
            metadata: {name: slack, namespace: flux-system}
            spec: {type: slack, channel: releases, secretRef: {name: slack-url}}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: policy-errors, namespace: flux-system}
            spec: {providerRef: {name: slack}, eventSeverity: error, eventSources: [{kind: ImagePolicy, name: '*'}]}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Provider
            metadata: {name: telegram, namespace: flux-system}
            spec: {type: telegram, channel: "-100200300", secretRef: {name: telegram}}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: promotions-chat, namespace: flux-system}
            spec: {providerRef: {name: telegram}, eventSources: [{kind: ImagePromotion, name: app-prod}]}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Provider
            metadata: {name: private-ca, namespace: flux-system}
            spec: {type: generic, address: "TLSBASE/tls", certSecretRef: {name: tls-ca}}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: private-ca, namespace: flux-system}
            spec: {providerRef: {name: private-ca}, eventSources: [{kind: ImageUpdateAutomation, name: internal}]}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Provider
            metadata: {name: no-ca, namespace: flux-system}
            spec: {type: generic, address: "TLSBASE/untrusted"}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: no-ca, namespace: flux-system}
            spec: {providerRef: {name: no-ca}, eventSources: [{kind: ImageUpdateAutomation, name: untrusted}]}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Provider
            metadata: {name: proxied, namespace: flux-system}
            spec: {type: generic, address: "BASE/proxied", proxySecretRef: {name: proxy-creds}}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: proxied, namespace: flux-system}
            spec: {providerRef: {name: proxied}, eventSources: [{kind: ImageUpdateAutomation, name: behind-proxy}]}
            """;
}
