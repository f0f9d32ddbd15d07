package io.tagstream.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.common.access.Role;
import io.tagstream.launcher.Chain;
import io.tagstream.testkit.GitServer;
import io.tagstream.testkit.IdentityProvider;
import io.tagstream.testkit.KafkaBroker;
import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.Ports;
import io.tagstream.testkit.TestImages;
import io.tagstream.testkit.WorkDirs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A bounded, seeded fuzz of every HTTP surface of the running chain (issue 15): each service's REST API as its own
 * OpenAPI document lists it, and the webhook paths, with random and mutated path parameters, queries, headers
 * (none, forged, expired, wrong-audience and valid JWTs, API tokens of each role, valid and invalid webhook tokens
 * and signatures) and bodies (empty, binary, deep, huge, mutated valid ones). Access control is on, as in production.
 * It holds that no request gets a 5xx, that health answers within a second throughout, and that nothing moves: no
 * tag, selection, promotion or commit event is written, git is untouched and the pending promotion is still pending
 * (the registry, the truth, did not change; the only valid decision ids are kept out of the pool). Memory stays bounded:
 * each service runs with the launcher's 256 MiB heap, its heap in use is sampled from its metrics with every health
 * check (the peak is printed) and no log holds an OutOfMemoryError. The seed is printed;
 * {@code -Dtagstream.fuzz.seed=N} replays a run.
 */
class SurfaceFuzzTest {

    static final String TOKEN = "fuzz-hook-token";
    static final int REQUESTS = Integer.getInteger("tagstream.fuzz.requests", 3000);
    static final Duration AT_MOST = Duration.ofSeconds(90);
    static final List<String> EVENT_TOPICS = List.of("tagstream.tag-discovered", "tagstream.policy-matched",
            "tagstream.promotion-approved", "tagstream.commit-pushed");

    static LocalRegistry registry;
    static GitServer git;
    static Chain chain;
    static IdentityProvider idp;
    static Map<String, String> tokens;
    static String pendingId;
    static Path root;
    static TestImages.Pushed app100;

    @BeforeAll
    static void start() throws Exception {
        int pollerPort = Ports.free();
        registry = LocalRegistry.start();
        app100 = TestImages.push(registry, "team/app", "1.0.0");
        git = GitServer.start();
        git.createBare("fleet", "main");
        git.commit("fleet", "main", Map.of("apps/app.yaml",
                E2e.deployment("app", registry.host() + "/team/app:1.0.0", "flux-system:app")), "seed", "alice");
        root = WorkDirs.create("surface-fuzz");
        Path config = Files.createDirectories(root.resolve("config"));
        Files.writeString(config.resolve("apps.yaml"), E2e.semverApp("app", registry.host() + "/team/app", git.url("fleet"), "./apps")
                + """
                ---
                apiVersion: tagstream.io/v1alpha1
                kind: ImagePromotion
                metadata: {name: app-prod, namespace: flux-system}
                spec:
                  sourcePolicyRef: {name: app}
                  target: {image: '%1$s/prod/app', tags: ['{{tag}}']}
                  approval: {mode: manual, requiredApprovals: 2, forbidSelfApproval: true}
                ---
                """.formatted(registry.host()) + E2e.receiver("registry", "distribution", "app") + "---\n"
                + E2e.receiver("gh", "github", "app"));
        E2e.secret(root.resolve("secrets"), "flux-system", "webhook-token", "token", TOKEN);
        idp = IdentityProvider.create(root.resolve("idp"));
        tokens = IdentityProvider.apiTokens(root.resolve("secrets"), "tagstream-system", "api-tokens", Map.of(
                "approver-bot", Set.of(Role.APPROVER), "ops", Set.of(Role.ADMIN), "ci", Set.of(Role.SIGNALER),
                "dash", Set.of(Role.VIEWER)));
        Map<String, String> auth = new LinkedHashMap<>();
        idp.properties().forEach((k, v) -> auth.put(k.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_'), v));
        auth.put("TAGSTREAM_AUTH_TOKENS_SECRET", "tagstream-system/api-tokens");
        chain = E2e.start(root, config, E2e.ports(pollerPort), auth);
        E2e.post(chain.url("registry-poller") + "/api/v1/repositories/flux-system/app/scan", "", bearer(tokens.get("ops")));
        E2e.await("the promotion of 1.0.0 pending", Duration.ofSeconds(60), () -> pending().size() == 1);
        pendingId = pending().get(0);
    }

    @AfterAll
    static void stop() {
        E2e.closeAll(chain, registry, git);
    }

    /** GitHub's X-Hub-Signature-256 over the body with the receiver's token (as the provider signs). */
    static String hmac(byte[] body) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(TOKEN.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return java.util.HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Flux's receiver path, sha256(token + name + namespace). */
    static String fluxHook(String name, String namespace) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest((TOKEN + name + namespace).getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    static List<String> pending() {
        var r = E2e.send(HttpRequest.newBuilder(URI.create(chain.url("promoter") + "/api/v1/promotions?state=pending"))
                .header("Authorization", "Bearer " + tokens.get("dash")).build());
        if (r.statusCode() != 200) {
            return List.of();
        }
        return StreamSupport.stream(E2e.json(r.body()).spliterator(), false).map(n -> n.get("id").asText()).toList();
    }

    /** One operation of a service's API: method and path template from its OpenAPI document. */
    record Operation(String service, String method, String path) {}

    static List<Operation> operations() {
        List<Operation> ops = new ArrayList<>();
        for (Chain.Service s : Chain.SERVICES) {
            JsonNode doc = E2e.json(E2e.send(HttpRequest.newBuilder(URI.create(chain.url(s.name()) + "/q/openapi?format=json"))
                    .build()).body());
            for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext();) {
                Map.Entry<String, JsonNode> p = paths.next();
                for (Iterator<String> methods = p.getValue().fieldNames(); methods.hasNext();) {
                    String m = methods.next().toUpperCase(java.util.Locale.ROOT);
                    if (List.of("GET", "POST", "PUT", "DELETE", "PATCH").contains(m)) {
                        ops.add(new Operation(s.name(), m, p.getKey()));
                    }
                }
            }
        }
        return ops;
    }

    /** Values for path parameters and query strings: hostile, odd and plausible (never the pending promotion's id). */
    static final List<String> VALUES = List.of("flux-system", "app", "registry", "gh", "app-prod", "nope", "..", "%2e%2e",
            "..%2f..%2fetc%2fpasswd", "%00", "%ff%fe", "a".repeat(300), "%E2%80%AE", "sha256:" + "0".repeat(64), "sha256:zz",
            "1.0.0", "-1", "99999999999999999999", "%20", "%3Cscript%3E", "x;y", "%0d%0aX-Injected:%201", "{id}", "*",
            "flux-system.app-prod.1.0.0.000000000000");

    static <T> T pick(Random r, List<T> from) {
        return from.get(r.nextInt(from.size()));
    }

    static String fill(Random r, String template) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            if (open < 0) {
                out.append(template, i, template.length());
                break;
            }
            int close = template.indexOf('}', open);
            out.append(template, i, open).append(pick(r, VALUES));
            i = close + 1;
        }
        String path = out.toString();
        switch (r.nextInt(6)) {
            case 0 -> path += "?limit=" + pick(r, VALUES) + "&offset=" + pick(r, VALUES) + "&state=" + pick(r, VALUES);
            case 1 -> path += "/" + pick(r, VALUES);
            case 2 -> path = path.replace("/api/v1", "/api/v1/.");
            default -> { }
        }
        return path;
    }

    static final List<String> PAYLOADS = List.of(
            "{\"events\": [{\"action\": \"push\", \"actor\": {\"name\": \"alice\"}, \"target\": {\"repository\": \"team/app\", "
                    + "\"tag\": \"1.0.0\", \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\"}}]}",
            "{\"action\": \"published\", \"registry_package\": {\"package_type\": \"CONTAINER\", \"package_version\": {\"package_url\": "
                    + "\"ghcr.io/team/app:1.0.0\", \"container_metadata\": {\"tag\": {\"name\": \"1.0.0\"}}}}, \"sender\": {\"login\": \"x\"}}",
            "{\"by\": \"alice\", \"comment\": \"QE passed\"}",
            "{\"signal\": \"qe-passed\", \"digest\": \"sha256:" + "1".repeat(64) + "\"}",
            "{\"policy\": {\"semver\": {\"range\": \">=1.0.0\"}}, \"tags\": [\"1.0.0\", \"2.0.0\"]}",
            "{\"policy\": {\"numerical\": {\"order\": \"asc\"}}, \"filterTags\": {\"pattern\": \"^(?P<n>[0-9]+)$\", \"extract\": \"$n\"}, "
                    + "\"tags\": [\"1\", \"2\"]}");

    /** A body: empty, binary, a mutated valid payload, deep nesting, a long string, wrong types. */
    static byte[] body(Random r) {
        String base = pick(r, PAYLOADS);
        String s = switch (r.nextInt(10)) {
            case 0 -> "";
            case 1 -> {
                byte[] b = new byte[r.nextInt(2048)];
                r.nextBytes(b);
                yield new String(b, StandardCharsets.ISO_8859_1);
            }
            case 2 -> "[".repeat(5000) + "]".repeat(5000);
            case 3 -> "{\"comment\": \"" + "x".repeat(r.nextInt(200_000)) + "\", \"by\": " + pick(r, List.of("5", "null", "[]", "{}", "\"\"")) + "}";
            case 4 -> base.replace("\"1.0.0\"", "\"" + pick(r, List.of("zz?phantom", "../../etc", "1.0.0\\n", "\\u0000", "", "9".repeat(300))) + "\"");
            case 5 -> base.replaceAll("\"[a-z_]+\": ", "\"" + pick(r, List.of("tags", "policy", "events", "x")) + "\": ");
            case 6 -> base.replace("\"", pick(r, List.of("'", "", "\\\"")));
            case 7 -> base.substring(0, r.nextInt(base.length()));
            case 8 -> base.replaceAll("\"[^\"]*\"(?=[,}\\]])", pick(r, List.of("1e999", "-0", "true", "null", "[]", "{\"a\":1}")));
            default -> base;
        };
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Who the request claims to be. */
    static Map<String, String> headers(Random r, byte[] body) {
        Map<String, String> h = new LinkedHashMap<>();
        switch (r.nextInt(12)) {
            case 0 -> { }
            case 1 -> h.put("Authorization", "Bearer " + idp.forged("mallory", "approvers"));
            case 2 -> h.put("Authorization", "Bearer " + idp.expired("bob", "approvers"));
            case 3 -> h.put("Authorization", "Bearer " + idp.forAudience("grafana", "bob", "approvers"));
            case 4 -> h.put("Authorization", "Bearer " + idp.token("bob", "approvers"));
            case 5 -> h.put("Authorization", "Bearer " + idp.token("vic", "viewers"));
            case 6 -> h.put("Authorization", "Bearer " + tokens.get(pick(r, List.of("approver-bot", "ops", "ci", "dash"))));
            case 7 -> h.put("Authorization", "Bearer " + TOKEN); // the webhook token, valid only for the receivers
            case 8 -> h.put("X-Hub-Signature-256", "sha256=" + hmac(body));
            case 9 -> h.put("Authorization", pick(r, List.of("Basic YTpi", "Bearer", "bearer  ", "Bearer eyJ.eyJ.x", "Bearer " + "A".repeat(9000))));
            case 10 -> h.put("X-Hub-Signature-256", "sha256=" + "0".repeat(64));
            default -> h.put("Authorization", "Bearer " + idp.token("root", "platform"));
        }
        h.put("Content-Type", pick(r, List.of("application/json", "application/json", "text/plain", "application/x-www-form-urlencoded",
                "application/json; charset=utf-16", "multipart/form-data; boundary=x")));
        if (r.nextInt(5) == 0) {
            h.put("Origin", pick(r, List.of("https://evil.example", "null")));
        }
        if (r.nextInt(4) == 0) {
            h.put("X-GitHub-Event", pick(r, List.of("registry_package", "package", "ping", "push")));
        }
        return h;
    }

    /** topic-partition → end offset of every event topic. */
    static Map<String, Long> endOffsets() {
        Properties p = new Properties();
        p.put("bootstrap.servers", KafkaBroker.shared().bootstrapServers());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : EVENT_TOPICS) {
                c.partitionsFor(t).forEach(i -> parts.add(new TopicPartition(t, i.partition())));
            }
            Map<String, Long> out = new TreeMap<>();
            c.endOffsets(parts).forEach((tp, offset) -> out.put(tp.toString(), offset));
            return out;
        }
    }

    /** Bytes of heap in use, as the service's own metrics say (Micrometer's jvm_memory_used_bytes, area heap). */
    static long heapUsed(HttpClient http, String service) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(chain.url(service) + "/q/metrics")).timeout(Duration.ofSeconds(2))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        return (long) metrics.lines().filter(l -> l.startsWith("jvm_memory_used_bytes{") && l.contains("area=\"heap\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    static JsonNode openApi(String service) {
        return E2e.json(E2e.send(HttpRequest.newBuilder(URI.create(chain.url(service) + "/q/openapi?format=json")).build()).body());
    }

    /** "service METHOD /concrete/path" → statuses seen, minus those its operation documents. */
    static List<String> undocumented(Map<String, java.util.Set<String>> observed) {
        List<String> out = new ArrayList<>();
        Map<String, JsonNode> docs = new TreeMap<>();
        observed.forEach((call, seen) -> {
            String[] parts = call.split(" ", 3);
            JsonNode doc = docs.computeIfAbsent(parts[0], SurfaceFuzzTest::openApi);
            List<JsonNode> ops = new ArrayList<>();
            doc.path("paths").fields().forEachRemaining(p -> {
                if (parts[2].matches(p.getKey().replaceAll("\\{[^}]+}", "[^/]+")) && p.getValue().has(parts[1].toLowerCase(java.util.Locale.ROOT))) {
                    ops.add(p.getValue().get(parts[1].toLowerCase(java.util.Locale.ROOT)));
                }
            });
            if (ops.size() != 1) {
                return; // a value that makes the path another operation's, or none
            }
            for (String status : seen) {
                if (!ops.get(0).path("responses").has(status)) {
                    out.add(call + " answered " + status + ", which " + ops.get(0).path("operationId").asText() + " does not document");
                }
            }
        });
        return out;
    }

    /**
     * Each service's OpenAPI document names every operation (a unique operationId and a summary), describes every
     * answer, gives every 4xx a body schema, and describes every schema and field; Swagger UI is served.
     */
    @Test
    void apiDocumentsNameAndDescribeEverything() {
        List<String> problems = new ArrayList<>();
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (Chain.Service s : Chain.SERVICES) {
            JsonNode doc = openApi(s.name());
            doc.path("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(m -> {
                String what = s.name() + " " + m.getKey().toUpperCase(java.util.Locale.ROOT) + " " + p.getKey();
                JsonNode op = m.getValue();
                if (op.path("operationId").asText().isEmpty() || !ids.add(op.path("operationId").asText())) {
                    problems.add(what + ": no operationId, or one used twice");
                }
                if (op.path("summary").asText().isEmpty()) {
                    problems.add(what + ": no summary");
                }
                op.path("responses").fields().forEachRemaining(r -> {
                    if (r.getValue().path("description").asText().isEmpty()) {
                        problems.add(what + " " + r.getKey() + ": no description");
                    }
                    if ((r.getKey().startsWith("4") || r.getKey().startsWith("5")) && !r.getValue().path("content").path("application/json").path("schema").isObject()) {
                        problems.add(what + " " + r.getKey() + ": no error body schema");
                    }
                });
            }));
            doc.path("components").path("schemas").fields().forEachRemaining(sc -> {
                if (sc.getValue().path("description").asText().isEmpty()) {
                    problems.add(s.name() + " schema " + sc.getKey() + ": no description");
                }
                sc.getValue().path("properties").fields().forEachRemaining(f -> {
                    if (f.getValue().path("description").asText().isEmpty() && !f.getValue().has("$ref")) {
                        problems.add(s.name() + " schema " + sc.getKey() + "." + f.getKey() + ": no description");
                    }
                });
            });
            HttpResponse<String> ui = E2e.send(HttpRequest.newBuilder(URI.create(chain.url(s.name()) + "/q/swagger-ui/")).build());
            if (ui.statusCode() != 200 || !ui.body().contains("swagger")) {
                problems.add(s.name() + ": /q/swagger-ui/ answered " + ui.statusCode());
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(ids.size() >= 13, ids.toString());
    }

    @Test
    void noRequestGets5xxNorMovesAnythingAndHealthKeepsAnswering() throws Exception {
        long seed = Long.getLong("tagstream.fuzz.seed", 15L);
        Random r = new Random(seed);
        List<Operation> ops = new ArrayList<>(operations());
        for (String path : List.of("/api/v1/webhooks/distribution/flux-system/registry", "/api/v1/webhooks/github/flux-system/gh",
                "/api/v1/webhooks/{type}/{ns}/{name}", "/hook/" + fluxHook("registry", "flux-system"),
                "/hook/{digest}")) {
            for (int i = 0; i < 4; i++) { // webhooks are the surface strangers reach: weigh them like a whole API
                ops.add(new Operation("registry-poller", "POST", path));
            }
        }
        assertTrue(ops.size() > 20, ops.toString());
        Map<String, Long> before = endOffsets();
        String gitBefore = git.inBare("fleet", "rev-parse", "main").trim();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
        Map<String, Integer> statuses = new TreeMap<>();
        Map<String, java.util.Set<String>> observed = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        double worstHealth = 0;
        Map<String, Long> peakHeap = new TreeMap<>();
        long t0 = System.nanoTime();
        int sent = 0;
        while (sent < REQUESTS && System.nanoTime() - t0 < AT_MOST.toNanos()) {
            Operation op = pick(r, ops);
            String path = fill(r, op.path());
            if (path.contains(pendingId)) {
                continue; // the one real decision stays out of reach, so that "nothing moves" holds
            }
            byte[] body = op.method().equals("GET") || op.method().equals("DELETE") ? new byte[0] : body(r);
            Map<String, String> h = headers(r, body);
            HttpRequest.Builder b;
            try {
                b = HttpRequest.newBuilder(URI.create(chain.url(op.service()) + path)).timeout(Duration.ofSeconds(10))
                        .method(op.method(), body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
                h.forEach(b::header);
            } catch (IllegalArgumentException e) {
                continue; // a URI or header the client itself will not send
            }
            String what = op.method() + " " + op.service() + path + " " + h + " body("
                    + body.length + ") " + new String(body, 0, Math.min(body.length, 120), StandardCharsets.UTF_8);
            HttpResponse<String> resp;
            try {
                resp = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                sent++;
                failures.add("no answer (" + e + "): " + what);
                continue;
            }
            sent++;
            statuses.merge(op.service() + " " + resp.statusCode(), 1, Integer::sum);
            if (!path.contains("%") && !path.contains("..") && !path.contains("//")) { // a path that routes as written
                observed.computeIfAbsent(op.service() + " " + op.method() + " " + path.replaceFirst("\\?.*", ""),
                        k -> new java.util.TreeSet<>()).add(String.valueOf(resp.statusCode()));
            }
            if (resp.statusCode() >= 500) {
                failures.add(resp.statusCode() + " " + op.method() + " " + op.service() + path + " " + h.keySet() + " body "
                        + new String(body, 0, Math.min(body.length, 120), StandardCharsets.UTF_8) + " → "
                        + resp.body().substring(0, Math.min(resp.body().length(), 300)));
            }
            if (sent % 100 == 0) {
                for (Chain.Service s : Chain.SERVICES) {
                    long h0 = System.nanoTime();
                    HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(chain.url(s.name()) + "/q/health/live"))
                            .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
                    worstHealth = Math.max(worstHealth, (System.nanoTime() - h0) / 1e9);
                    assertEquals(200, health.statusCode(), s.name() + " after " + sent + " requests: " + health.body());
                    peakHeap.merge(s.name(), heapUsed(http, s.name()), Math::max);
                }
            }
        }
        double took = (System.nanoTime() - t0) / 1e9;
        System.out.printf("surface fuzz (seed %d): %d requests over %d operations in %.1f s, health worst %.3f s; peak heap MiB %s;"
                + " statuses %s%n", seed, sent, ops.size(), took, worstHealth,
                peakHeap.entrySet().stream().map(e -> e.getKey() + "=" + (e.getValue() >> 20)).toList(), statuses);
        assertEquals(List.of(), failures.stream().limit(10).toList(), failures.size() + " requests got a 5xx");
        assertEquals(List.of(), undocumented(observed), "every status a request got is documented for its operation");
        assertTrue(sent >= Math.min(REQUESTS, 1000), sent + " requests in " + took + " s");
        assertEquals(Chain.SERVICES.size(), peakHeap.size(), "every service's heap was sampled: " + peakHeap);
        try (var logs = Files.list(root.resolve("run/logs"))) {
            for (Path log : logs.toList()) {
                assertTrue(!Files.readString(log).contains("OutOfMemoryError"), log + " holds an OutOfMemoryError");
            }
        }

        for (Chain.Service s : Chain.SERVICES) { // every Tagstream metric registered so far says what it counts
            String metrics = http.send(HttpRequest.newBuilder(URI.create(chain.url(s.name()) + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            List<String> help = metrics.lines().filter(l -> l.startsWith("# HELP tagstream_")).toList();
            assertTrue(!help.isEmpty(), s.name() + " has no Tagstream metric");
            for (String l : help) {
                String text = l.substring(l.indexOf(' ', "# HELP ".length()) + 1).strip();
                assertTrue(!text.isEmpty() && !text.contains("without a description"), s.name() + ": " + l);
            }
        }

        Thread.sleep(3000); // anything a request set off has time to reach a topic
        assertEquals(before, endOffsets(), "no tag, selection, promotion or commit event");
        assertEquals(gitBefore, git.inBare("fleet", "rev-parse", "main").trim(), "git is untouched");
        assertEquals(List.of(pendingId), pending(), "the promotion is still pending");
    }
}
