package io.tagstream.console.adapters;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.tagstream.common.access.Role;
import io.tagstream.common.events.Topic;
import io.tagstream.common.state.Topics;
import io.tagstream.testkit.IdentityProvider;
import io.tagstream.testkit.KafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the console's adapter test runs against: the shared broker with the chain's topics, an API-token table
 * (viewer, approver), and one HTTP server on 127.0.0.1 standing in for the four services' read APIs, which records
 * each request's method, path and Authorization header (listed at {@code GET /_log}) so the test sees what the
 * console forwarded. The whole chain behind a browser is {@code ConsoleBrowserTest} in e2e.
 */
public class Services implements QuarkusTestResourceLifecycleManager {

    static final String TOKENS = "tagstream-system/api-tokens";
    private HttpServer server;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    @Override
    public Map<String, String> start() {
        String bootstrap = KafkaBroker.shared().bootstrapServers();
        for (Topic t : Topic.values()) {
            Topics.ensure(bootstrap, t.defaultName(), 2, Map.of());
        }
        Path secrets;
        Path config;
        Map<String, String> tokens;
        try {
            secrets = Files.createTempDirectory("console-test-secrets");
            config = Files.createTempDirectory("console-test-config");
            tokens = IdentityProvider.apiTokens(secrets, "tagstream-system", "api-tokens", Map.of(
                    "ops", Set.of(Role.VIEWER), "qe-lead", Set.of(Role.APPROVER)));
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        return Map.ofEntries(
                Map.entry("kafka.bootstrap.servers", bootstrap),
                Map.entry("tagstream.auth.tokens-secret", TOKENS),
                Map.entry("tagstream.secrets.dir", secrets.toString()),
                Map.entry("tagstream.config.dir", config.toString()),
                Map.entry("tagstream.auth.allowed-origins", "http://console.test"),
                Map.entry("tagstream.console.poller-url", base),
                Map.entry("tagstream.console.evaluator-url", base),
                Map.entry("tagstream.console.promoter-url", base),
                Map.entry("tagstream.console.git-writer-url", base + "/"),
                Map.entry("tagstream.console.registry-labels", "qe.azurecr.io=QE,prod.azurecr.io=prod"),
                Map.entry("console.test.services", base),
                Map.entry("console.test.viewer", tokens.get("ops")),
                Map.entry("console.test.approver", tokens.get("qe-lead")));
    }

    private void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getRawPath() + (x.getRequestURI().getRawQuery() == null ? "" : "?" + x.getRequestURI().getRawQuery());
        byte[] in = x.getRequestBody().readAllBytes();
        String body;
        int status = 200;
        if (path.equals("/_log")) {
            synchronized (log) {
                body = "[" + String.join(",", log.stream().map(l -> "\"" + l.replace("\\", "\\\\").replace("\"", "\\\"") + "\"").toList()) + "]";
            }
        } else {
            log.add(x.getRequestMethod() + " " + path + " " + x.getRequestHeaders().getFirst("Authorization") + " "
                    + new String(in, StandardCharsets.UTF_8));
            if (path.equals("/api/v1/repositories")) {
                body = """
                        [{"id": "apps/qe-api", "image": "qe.azurecr.io/mecipol/api", "canonical": "qe.azurecr.io/mecipol/api",
                          "lastScan": "2026-12-07T10:00:00Z", "lastScanMillis": 12, "tagCount": 3, "latestTags": ["901.0.0", "900.1.0"],
                          "suspended": false},
                         {"id": "apps/prod-api", "image": "prod.azurecr.io/mecipol/api", "canonical": "prod.azurecr.io/mecipol/api",
                          "lastScan": "2026-12-07T10:00:05Z", "lastScanMillis": 9, "tagCount": 1, "latestTags": ["900.0.0"],
                          "lastError": "401 Unauthorized from prod.azurecr.io", "suspended": false},
                         {"id": "apps/nginx", "image": "nginx", "canonical": "docker.io/library/nginx", "tagCount": 0, "latestTags": [],
                          "suspended": true}]""";
            } else if (path.equals("/api/v1/registries")) {
                body = """
                        [{"host": "prod.azurecr.io", "requests": 812, "failed": 12, "retries": 3, "rateLimitWaits": 57}]""";
            } else if (path.equals("/api/v1/promotions/gone/approve")) {
                status = 404;
                body = "{\"error\": \"no promotion gone\"}";
            } else if (path.matches("/api/v1/promotions/[^/]+/approve")) {
                body = "{\"id\": \"p1\", \"state\": \"APPROVED\", \"decidedBy\": \"token:qe-lead\"}";
            } else {
                body = "[]";
            }
        }
        byte[] out = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(status, out.length);
        x.getResponseBody().write(out);
        x.close();
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
