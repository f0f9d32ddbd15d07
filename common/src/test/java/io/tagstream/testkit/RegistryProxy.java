package io.tagstream.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small HTTP proxy in front of a real {@link LocalRegistry} for what distribution 2.8 does not do: it pages
 * {@code tags/list} by {@code n} with a {@code Link} header (as Docker Hub, GHCR and Harbor do), can demand a bearer
 * token from its own token endpoint (the Docker Hub / ACR challenge flow), and can answer with injected failures
 * ({@code 429} with {@code Retry-After}, {@code 503}) before passing requests through.
 */
public final class RegistryProxy implements AutoCloseable {

    /** One injected answer: a status and its headers, used once. */
    public record Fault(int status, Map<String, String> headers, String body) {}

    private static final Pattern TAGS = Pattern.compile("^/v2/(.+)/tags/list$");
    private static final Set<String> HOP = Set.of("connection", "content-length", "host", "transfer-encoding", "upgrade",
            "expect", "keep-alive");

    private final LocalRegistry upstream;
    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger tokenRequests = new AtomicInteger();
    private static final Pattern KIND = Pattern.compile("^/v2/.+/(tags|manifests|blobs)/");
    private final Map<String, AtomicInteger> byKind = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile int maxPage = Integer.MAX_VALUE;
    private volatile boolean bearer;
    private final Map<String, com.sun.net.httpserver.HttpHandler> routes = new java.util.concurrent.ConcurrentHashMap<>();

    public RegistryProxy(LocalRegistry upstream) {
        this.upstream = upstream;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(16));
        server.start();
    }

    /** Pages tag lists: at most {@code max} tags per page, whatever {@code n} the client asks for. */
    public RegistryProxy pageSize(int max) {
        this.maxPage = max;
        return this;
    }

    /** Requires {@code Authorization: Bearer} tokens from {@code /token} (which takes the upstream's basic credentials). */
    public RegistryProxy requireBearer() {
        this.bearer = true;
        return this;
    }

    /**
     * Serves {@code path} itself (a registry's own extra endpoint, such as ACR's {@code /oauth2/exchange}); a path
     * ending in {@code /} serves everything under it (an API such as Gitea's {@code /api/v1/packages/}).
     */
    public RegistryProxy route(String path, com.sun.net.httpserver.HttpHandler handler) {
        routes.put(path, handler);
        return this;
    }

    public RegistryProxy fail(int times, int status, Map<String, String> headers) {
        for (int i = 0; i < times; i++) {
            faults.add(new Fault(status, headers, "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\"}]}"));
        }
        return this;
    }

    public String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public int requests() {
        return requests.get();
    }

    /** Requests so far of one kind: {@code tags} (listings), {@code manifests} or {@code blobs} (uploads included). */
    public int requests(String kind) {
        AtomicInteger n = byKind.get(kind);
        return n == null ? 0 : n.get();
    }

    public int tokenRequests() {
        return tokenRequests.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            var route = routes.entrySet().stream()
                    .filter(r -> r.getKey().equals(path) || r.getKey().endsWith("/") && path.startsWith(r.getKey())).findFirst();
            if (route.isPresent()) {
                route.get().getValue().handle(ex);
                return;
            }
            if (path.equals("/token")) {
                token(ex);
                return;
            }
            requests.incrementAndGet();
            Matcher kind = KIND.matcher(path);
            byKind.computeIfAbsent(kind.find() ? kind.group(1) : "other", k -> new AtomicInteger()).incrementAndGet();
            Fault f = faults.poll();
            if (f != null) {
                f.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
                byte[] body = f.body().getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(f.status(), body.length);
                ex.getResponseBody().write(body);
                return;
            }
            if (bearer && !String.valueOf(ex.getRequestHeaders().getFirst("Authorization")).startsWith("Bearer tok-")) {
                Matcher repo = Pattern.compile("^/v2/(.+?)/(?:tags|manifests|blobs)/").matcher(path);
                String scope = repo.find() ? "repository:" + repo.group(1) + ":pull" : "";
                ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"http://" + host() + "/token\",service=\"proxy\",scope=\"" + scope + "\"");
                ex.sendResponseHeaders(401, -1);
                return;
            }
            Matcher tags = TAGS.matcher(path);
            if (tags.matches() && ex.getRequestMethod().equals("GET")) {
                pagedTags(ex, tags.group(1));
                return;
            }
            forward(ex);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void token(HttpExchange ex) throws IOException {
        tokenRequests.incrementAndGet();
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (upstream.credentials().isPresent() && !upstream.credentials().get().basic().equals(auth)) {
            ex.sendResponseHeaders(401, -1);
            return;
        }
        byte[] body = ("{\"token\":\"tok-" + tokenRequests.get() + "\",\"expires_in\":300}").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
    }

    private HttpRequest.Builder upstreamRequest(String pathAndQuery) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(upstream.url() + pathAndQuery));
        upstream.credentials().ifPresent(c -> b.header("Authorization", c.basic()));
        return b;
    }

    private void pagedTags(HttpExchange ex, String repo) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(upstreamRequest("/v2/" + repo + "/tags/list").build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            send(ex, r.statusCode(), r.body().getBytes(StandardCharsets.UTF_8), "application/json");
            return;
        }
        List<String> all = new ArrayList<>();
        Matcher m = Pattern.compile("\"([^\"]+)\"").matcher(r.body().substring(r.body().indexOf("\"tags\"") + 6));
        while (m.find()) {
            all.add(m.group(1));
        }
        all.sort(String::compareTo);
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        int n = Math.min(maxPage, Integer.parseInt(q.getOrDefault("n", String.valueOf(Integer.MAX_VALUE))));
        String last = q.get("last");
        List<String> rest = last == null ? all : all.stream().filter(t -> t.compareTo(last) > 0).toList();
        List<String> page = rest.subList(0, Math.min(n, rest.size()));
        if (page.size() < rest.size()) {
            ex.getResponseHeaders().add("Link", "</v2/" + repo + "/tags/list?last=" + page.get(page.size() - 1) + "&n=" + n + ">; rel=\"next\"");
        }
        String body = "{\"name\":\"" + repo + "\",\"tags\":[" + String.join(",", page.stream().map(t -> "\"" + t + "\"").toList()) + "]}";
        send(ex, 200, body.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    private void forward(HttpExchange ex) throws IOException, InterruptedException {
        String pq = ex.getRequestURI().getRawPath() + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
        byte[] in = ex.getRequestBody().readAllBytes();
        HttpRequest.Builder b = upstreamRequest(pq).method(ex.getRequestMethod(),
                in.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(in));
        ex.getRequestHeaders().forEach((k, vs) -> {
            if (!HOP.contains(k.toLowerCase()) && !k.equalsIgnoreCase("authorization")) {
                vs.forEach(v -> b.header(k, v));
            }
        });
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        r.headers().map().forEach((k, vs) -> {
            if (!HOP.contains(k.toLowerCase()) && !k.equals(":status")) {
                // an upload's Location names the proxy, as a registry behind a load balancer does, never its backend
                vs.forEach(v -> ex.getResponseHeaders().add(k, k.equalsIgnoreCase("location") && v.startsWith(upstream.url())
                        ? "http://" + host() + v.substring(upstream.url().length()) : v));
            }
        });
        boolean head = ex.getRequestMethod().equals("HEAD");
        if (head) {
            r.headers().firstValue("Content-Length").ifPresent(v -> ex.getResponseHeaders().set("Content-Length", v));
        }
        ex.sendResponseHeaders(r.statusCode(), head || r.body().length == 0 ? -1 : r.body().length);
        if (!head && r.body().length > 0) {
            ex.getResponseBody().write(r.body());
        }
    }

    private static void send(HttpExchange ex, int status, byte[] body, String type) throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
    }

    private static Map<String, String> query(String q) {
        Map<String, String> out = new java.util.HashMap<>();
        if (q != null) {
            for (String p : q.split("&")) {
                int i = p.indexOf('=');
                if (i > 0) {
                    out.put(p.substring(0, i), java.net.URLDecoder.decode(p.substring(i + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
