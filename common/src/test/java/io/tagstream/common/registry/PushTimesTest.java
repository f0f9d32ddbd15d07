package io.tagstream.common.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.tagstream.common.events.Json;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Gitea's packages API as the source of push times, against a stand-in Gitea that serves {@code getPackage} for the
 * container versions it holds, with basic auth, and refuses anything else; the request paths and the answers are
 * checked against Gitea 1.22's published Swagger description where {@code ../shared/conformance} is present.
 */
class PushTimesTest {

    static final String USER = "ci-bot";
    static final String TOKEN = "gitea-token";

    /** The stand-in: {owner}/container/{name}/{version} → created_at; what it was asked, undecoded. */
    record Gitea(HttpServer server, List<String> paths) implements AutoCloseable {
        static Gitea start(Map<String, Instant> versions) throws Exception {
            HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            List<String> paths = new CopyOnWriteArrayList<>();
            s.createContext("/", ex -> {
                try (ex) {
                    String raw = ex.getRequestURI().getRawPath();
                    paths.add(raw);
                    String basic = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + TOKEN).getBytes(StandardCharsets.UTF_8));
                    String[] seg = raw.split("/");
                    if (!basic.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                        send(ex, 401, "{\"message\":\"user does not exist\",\"url\":\"/api/swagger\"}");
                    } else if (!ex.getRequestMethod().equals("GET") || seg.length != 8 || !raw.startsWith("/api/v1/packages/")
                            || !seg[5].equals("container")) {
                        send(ex, 404, "{\"message\":\"not found\"}");
                    } else {
                        String owner = URLDecoder.decode(seg[4], StandardCharsets.UTF_8);
                        String name = URLDecoder.decode(seg[6], StandardCharsets.UTF_8);
                        String version = URLDecoder.decode(seg[7], StandardCharsets.UTF_8);
                        Instant created = versions.get(owner + "/" + name + ":" + version);
                        if (created == null) {
                            send(ex, 404, "{\"errors\":null,\"message\":\"package does not exist\",\"url\":\"/api/swagger\"}");
                        } else {
                            send(ex, 200, Json.mapper().writeValueAsString(Map.of("id", 7, "type", "container", "name", name,
                                    "version", version, "created_at", created.toString().replace("Z", "+00:00"),
                                    "html_url", "http://gitea.local/" + owner + "/-/packages/container/" + name + "/" + version,
                                    "owner", Map.of("id", 1, "login", owner))));
                        }
                    }
                }
            });
            s.start();
            return new Gitea(s, paths);
        }

        static void send(com.sun.net.httpserver.HttpExchange ex, int status, String body) throws java.io.IOException {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json;charset=utf-8");
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
        }

        String host() {
            return "127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    static final Instant T = Instant.parse("2026-12-05T09:30:00Z");

    static PushTimes client(Gitea g, String user, String password) {
        return PushTimes.gitea(RegistrySettings.of(g.host(), true, Optional.of(new RegistrySettings.Credentials(user, password))));
    }

    @Test
    void createdAtOfTheContainerVersionIsThePushTime() throws Exception {
        try (Gitea g = Gitea.start(Map.of("platform/supervisor:4f0c2a9e", T, "platform/tools/cli:1.0", T.plusSeconds(5)))) {
            PushTimes p = client(g, USER, TOKEN);
            assertEquals(Optional.of(T), p.pushed("platform/supervisor", "4f0c2a9e"));
            assertEquals(Optional.of(T.plusSeconds(5)), p.pushed("platform/tools/cli", "1.0"), "a nested name is one path segment");
            assertEquals(Optional.empty(), p.pushed("platform/supervisor", "unknown"), "404: the first sighting will do");
            assertEquals(Optional.empty(), client(g, USER, "wrong").pushed("platform/supervisor", "4f0c2a9e"), "401: never fatal");
            assertEquals(3, p.requests());
            assertEquals(1, p.failures());
            assertEquals(List.of("/api/v1/packages/platform/container/supervisor/4f0c2a9e",
                    "/api/v1/packages/platform/container/tools%2Fcli/1.0",
                    "/api/v1/packages/platform/container/supervisor/unknown",
                    "/api/v1/packages/platform/container/supervisor/4f0c2a9e"), g.paths());
        }
    }

    @Test
    void requestsAndAnswersFollowGiteasPublishedDescription() throws Exception {
        Path swagger = conformance();
        assumeTrue(swagger != null, "../shared/conformance is absent (CI has it; a fresh clone does not)");
        JsonNode doc = Json.mapper().readTree(Files.readString(swagger));
        String base = doc.path("basePath").asText();
        JsonNode op = doc.path("paths").path("/packages/{owner}/{type}/{name}/{version}").path("get");
        assertEquals("getPackage", op.path("operationId").asText());
        List<String> params = new ArrayList<>();
        op.path("parameters").forEach(p -> {
            assertEquals("path", p.path("in").asText());
            params.add(p.path("name").asText());
        });
        assertEquals(List.of("owner", "type", "name", "version"), params);
        assertTrue(doc.path("securityDefinitions").has("BasicAuth"), "Gitea's API takes basic auth, as the client sends");

        try (Gitea g = Gitea.start(Map.of("platform/supervisor:4f0c2a9e", T))) {
            client(g, USER, TOKEN).pushed("platform/supervisor", "4f0c2a9e");
            String path = g.paths().get(0);
            String template = base + "/packages/{owner}/{type}/{name}/{version}";
            assertTrue(path.matches(template.replaceAll("\\{[a-z]+}", "[^/]+")), path + " is not " + template);

            // the stand-in's answer has only the Package definition's properties, created_at as a date-time
            var http = java.net.http.HttpClient.newHttpClient();
            var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + g.host() + path))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((USER + ":" + TOKEN).getBytes()))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            JsonNode props = doc.path("definitions").path("Package").path("properties");
            JsonNode answer = Json.mapper().readTree(r.body());
            for (Iterator<String> it = answer.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                assertTrue(props.has(f), f + " is not a property of Gitea's Package");
            }
            assertEquals("date-time", props.path("created_at").path("format").asText());
            java.time.OffsetDateTime.parse(answer.path("created_at").asText());
        }
    }

    static Path conformance() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path f = p.resolveSibling("shared").resolve("conformance/forges/gitea/gitea-1.22.pulls.trimmed.json");
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        return null;
    }
}
