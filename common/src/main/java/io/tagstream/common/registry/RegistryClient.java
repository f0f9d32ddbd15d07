package io.tagstream.common.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.common.events.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The OCI distribution API of one registry host. Thread-safe; share one per host. See the package doc for why. */
public final class RegistryClient {

    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String MANIFEST_ACCEPT = String.join(", ", OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST);

    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

    /** A tag or digest resolved by the registry. */
    public record Resolved(String digest, String mediaType, long size) {}

    /** A manifest exactly as served: these bytes hash to the digest. */
    public record Manifest(byte[] bytes, String mediaType, String digest) {}

    /** A tag listing, and how it was obtained. */
    public record Tags(List<String> tags, int pages) {}

    /** Counters for metrics: requests by status, retries, pauses, tokens. */
    public record Stats(Map<Integer, Long> responses, long retries, long rateLimitWaits, long tokensFetched) {}

    private record Token(String value, long expiresAtNanos) {}

    private final RegistrySettings settings;
    private final HttpClient http;
    private final Throttle throttle;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> responses = new ConcurrentHashMap<>();
    private final LongAdder retries = new LongAdder();
    private final LongAdder tokensFetched = new LongAdder();
    private volatile boolean basicAuth;

    public RegistryClient(RegistrySettings settings) {
        this.settings = settings;
        HttpClient.Builder b = HttpClient.newBuilder()
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1);
        settings.tls().ifPresent(b::sslContext);
        this.http = b.build();
        this.throttle = new Throttle(settings.requestsPerSecond(), settings.maxConcurrency());
    }

    public RegistrySettings settings() {
        return settings;
    }

    /** All tags, following {@code Link: <…>; rel="next"} pages of {@code pageSize}; stops after {@code max} if given. */
    public Tags listTags(String repository, int pageSize, OptionalInt max) {
        List<String> out = new ArrayList<>();
        LinkedHashSet<String> seenPages = new LinkedHashSet<>();
        String next = "/v2/" + repository + "/tags/list?n=" + pageSize;
        int pages = 0;
        while (next != null && seenPages.add(next)) {
            HttpResponse<byte[]> r = send("GET", next, Map.of("Accept", "application/json"), pull(repository));
            if (r.statusCode() == 404) {
                throw new RegistryException("repository " + settings.host() + "/" + repository + " not found: "
                        + errorText(r.body()), 404);
            }
            expect(r, 200, "list tags of " + repository);
            pages++;
            JsonNode tags = readJson(r.body()).path("tags");
            for (JsonNode t : tags) {
                out.add(t.asText());
            }
            if (max.isPresent() && out.size() >= max.getAsInt()) {
                break;
            }
            next = r.headers().firstValue("Link").map(RegistryClient::nextLink).orElse(null);
        }
        return new Tags(out, pages);
    }

    static String nextLink(String header) {
        Matcher m = NEXT_LINK.matcher(header);
        if (!m.find()) {
            return null;
        }
        String link = m.group(1);
        if (link.startsWith("http://") || link.startsWith("https://")) {
            URI u = URI.create(link);
            return u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
        }
        return link;
    }

    /** The digest a tag (or digest) points at, by HEAD; by GET where HEAD gives no digest. Empty when it does not exist. */
    public Optional<Resolved> resolve(String repository, String reference) {
        OciGrammar.requireReference(reference); // into a URL path: never ?, / or ..
        HttpResponse<byte[]> r = send("HEAD", "/v2/" + repository + "/manifests/" + reference,
                Map.of("Accept", MANIFEST_ACCEPT), pull(repository));
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        expect(r, 200, "resolve " + repository + ":" + reference);
        Optional<String> digest = r.headers().firstValue("Docker-Content-Digest");
        if (digest.isPresent()) {
            return Optional.of(new Resolved(digest.get(), mediaType(r.headers()),
                    r.headers().firstValueAsLong("Content-Length").orElse(-1)));
        }
        return manifest(repository, reference).map(m -> new Resolved(m.digest(), m.mediaType(), m.bytes().length));
    }

    /** The manifest bytes exactly as the registry serves them. */
    public Optional<Manifest> manifest(String repository, String reference) {
        OciGrammar.requireReference(reference); // into a URL path: never ?, / or ..
        HttpResponse<byte[]> r = send("GET", "/v2/" + repository + "/manifests/" + reference,
                Map.of("Accept", MANIFEST_ACCEPT), pull(repository));
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        expect(r, 200, "get manifest " + repository + ":" + reference);
        String digest = "sha256:" + sha256(r.body());
        String served = r.headers().firstValue("Docker-Content-Digest").orElse(digest);
        if (!served.equals(digest) && served.startsWith("sha256:")) {
            throw new RegistryException("manifest " + repository + "@" + served + " hashes to " + digest
                    + ": the registry altered it", r.statusCode());
        }
        return Optional.of(new Manifest(r.body(), mediaType(r.headers()), served));
    }

    /**
     * The OCI 1.1 referrers of a digest, as the registry's referrers API lists them (an image index of descriptors);
     * empty when the registry does not serve the API (404, or an answer that is not an index), where a client falls back
     * to the referrers tag schema ({@code sha256-<hex>}).
     */
    public Optional<Manifest> referrers(String repository, String digest) {
        OciGrammar.requireReference(digest);
        HttpResponse<byte[]> r = send("GET", "/v2/" + repository + "/referrers/" + digest, Map.of("Accept", OCI_INDEX),
                pull(repository));
        if (r.statusCode() == 404 || r.statusCode() == 405 || r.statusCode() == 400) {
            return Optional.empty();
        }
        expect(r, 200, "list referrers of " + repository + "@" + digest);
        String type = mediaType(r.headers());
        if (!type.startsWith(OCI_INDEX)) {
            return Optional.empty();
        }
        return Optional.of(new Manifest(r.body(), OCI_INDEX, "sha256:" + sha256(r.body())));
    }

    public Stats stats() {
        Map<Integer, Long> by = new java.util.TreeMap<>();
        responses.forEach((k, v) -> by.put(k, v.sum()));
        return new Stats(by, retries.sum(), throttle.waits(), tokensFetched.sum());
    }

    private static String mediaType(HttpHeaders h) {
        return h.firstValue("Content-Type").map(c -> c.split(";")[0].trim()).orElse("");
    }

    private static String scope(String repository, String actions) {
        return "repository:" + repository + ":" + actions;
    }

    private static String pull(String repository) {
        return scope(repository, "pull");
    }

    /**
     * One request with authentication, throttling and retries. Returns the final response for the caller to judge;
     * throws only when the registry stays unreachable or keeps answering 429/5xx.
     */
    HttpResponse<byte[]> send(String method, String path, Map<String, String> headers, String scope) {
        return send(method, path, headers, scope, HttpRequest.BodyPublishers::noBody, HttpResponse.BodyHandlers.ofByteArray());
    }

    /**
     * One request with a body: {@code body} is called again for every try, so a streamed blob is re-opened rather
     * than buffered. {@code path} may be an absolute URL (upload locations).
     */
    <T> HttpResponse<T> send(String method, String path, Map<String, String> headers, String scope,
            java.util.function.Supplier<HttpRequest.BodyPublisher> body, HttpResponse.BodyHandler<T> handler) {
        URI uri = path.startsWith("http://") || path.startsWith("https://") ? URI.create(path) : URI.create(settings.baseUrl() + path);
        boolean reauthenticated = false;
        boolean renewed = false;
        for (int attempt = 1; ; attempt++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method, body.get());
            if (!method.equals("PUT") && !method.equals("PATCH")) {
                b.timeout(settings.timeout()); // a large blob upload takes as long as it takes
            }
            headers.forEach(b::header);
            authorization(scope).ifPresent(a -> b.header("Authorization", a));
            HttpResponse<T> r;
            try {
                throttle.acquire();
                try {
                    r = http.send(b.build(), handler);
                } finally {
                    throttle.release();
                }
            } catch (IOException e) {
                if (attempt >= settings.maxAttempts()) {
                    throw new RegistryException("cannot reach " + settings.host() + " (" + method + " " + path + "): "
                            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
                }
                backoff(attempt, Optional.empty());
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException("interrupted", e);
            }
            responses.computeIfAbsent(r.statusCode(), k -> new LongAdder()).increment();
            observeRateLimit(r.headers());
            if (r.statusCode() == 401 && reauthenticated && !renewed && settings.credentials().renewable()) {
                // the cloud token we answered with is no longer accepted (revoked, or expired early): fetch a new one once
                settings.credentials().invalidate();
                tokens.remove(scope);
                renewed = true;
                reauthenticated = false;
            }
            if (r.statusCode() == 401 && !reauthenticated) {
                Optional<Challenge> c = Challenge.parse(r.headers().firstValue("WWW-Authenticate").orElse(null));
                if (c.isPresent() && authenticate(c.get(), scope)) {
                    discard(r);
                    reauthenticated = true;
                    attempt--; // answering a challenge is not a failed try
                    continue;
                }
            }
            if (retryable(r.statusCode()) && attempt < settings.maxAttempts()) {
                discard(r);
                backoff(attempt, retryAfter(r.headers()));
                continue;
            }
            return r;
        }
    }

    // --- writing: what a promotion needs to copy an image with its digest unchanged ---

    private static String push(String repository) {
        return scope(repository, "pull,push");
    }

    /** Whether the registry already holds a blob in this repository. */
    public boolean blobExists(String repository, String digest) {
        HttpResponse<byte[]> r = send("HEAD", "/v2/" + repository + "/blobs/" + digest, Map.of(), push(repository));
        if (r.statusCode() == 200) {
            return true;
        }
        if (r.statusCode() == 404) {
            return false;
        }
        throw new RegistryException("check blob " + digest + " in " + repository + " failed: " + r.statusCode() + " "
                + errorText(r.body()), r.statusCode());
    }

    /** Links a blob from another repository of the same registry; false when the registry would rather have an upload. */
    public boolean mount(String repository, String digest, String from) {
        HttpResponse<byte[]> r = send("POST", "/v2/" + repository + "/blobs/uploads/?mount=" + digest + "&from=" + from,
                Map.of(), push(repository));
        if (r.statusCode() == 201) {
            return true;
        }
        if (r.statusCode() == 202) {
            r.headers().firstValue("Location").ifPresent(l -> send("DELETE", absolute(l), Map.of(), push(repository)));
            return false;
        }
        throw new RegistryException("mount of " + digest + " into " + repository + " refused: " + r.statusCode() + " "
                + errorText(r.body()), r.statusCode());
    }

    /** Streams a blob; the caller closes the stream. Follows one redirect (to storage) without our credentials. */
    public InputStream openBlob(String repository, String digest) {
        HttpResponse<InputStream> r = send("GET", "/v2/" + repository + "/blobs/" + digest, Map.of(), pull(repository),
                HttpRequest.BodyPublishers::noBody, HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() == 307 || r.statusCode() == 302) {
            closeQuietly(r.body());
            String location = r.headers().firstValue("Location").orElseThrow(() ->
                    new RegistryException("blob redirect without Location", r.statusCode()));
            try {
                HttpResponse<InputStream> storage = http.send(HttpRequest.newBuilder(URI.create(absolute(location))).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                if (storage.statusCode() != 200) {
                    closeQuietly(storage.body());
                    throw new RegistryException("blob storage answered " + storage.statusCode() + " for " + digest, storage.statusCode());
                }
                return storage.body();
            } catch (IOException e) {
                throw new RegistryException("cannot fetch blob " + digest + " from storage: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException("interrupted", e);
            }
        }
        if (r.statusCode() != 200) {
            byte[] text = readQuietly(r.body());
            throw new RegistryException("get blob " + digest + " from " + repository + " failed: " + r.statusCode() + " "
                    + errorText(text), r.statusCode());
        }
        return r.body();
    }

    /**
     * Uploads a blob, streaming it from {@code content} (called again on a retry): one monolithic PUT, or, where the
     * registry refuses that, a PATCH of the whole stream then a closing PUT.
     */
    public void upload(String repository, String digest, long size, java.util.function.Supplier<InputStream> content) {
        String location = startUpload(repository);
        String sep = location.contains("?") ? "&" : "?";
        HttpResponse<byte[]> put = send("PUT", location + sep + "digest=" + digest,
                Map.of("Content-Type", "application/octet-stream"), push(repository),
                () -> HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(content), size),
                HttpResponse.BodyHandlers.ofByteArray());
        if (put.statusCode() == 201) {
            return;
        }
        if (put.statusCode() != 400 && put.statusCode() != 405 && put.statusCode() != 413 && put.statusCode() != 416) {
            throw new RegistryException("upload of " + digest + " to " + settings.host() + "/" + repository + " refused: "
                    + put.statusCode() + " " + errorText(put.body()), put.statusCode());
        }
        String chunked = startUpload(repository);
        HttpResponse<byte[]> patch = send("PATCH", chunked, Map.of("Content-Type", "application/octet-stream",
                "Content-Range", "0-" + Math.max(0, size - 1)), push(repository),
                () -> HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(content), size),
                HttpResponse.BodyHandlers.ofByteArray());
        if (patch.statusCode() != 202) {
            throw new RegistryException("chunked upload of " + digest + " refused: " + patch.statusCode() + " "
                    + errorText(patch.body()), patch.statusCode());
        }
        String next = absolute(patch.headers().firstValue("Location").orElse(chunked));
        HttpResponse<byte[]> close = send("PUT", next + (next.contains("?") ? "&" : "?") + "digest=" + digest, Map.of(), push(repository));
        if (close.statusCode() != 201) {
            throw new RegistryException("closing the upload of " + digest + " refused: " + close.statusCode() + " "
                    + errorText(close.body()), close.statusCode());
        }
    }

    private String startUpload(String repository) {
        HttpResponse<byte[]> r = send("POST", "/v2/" + repository + "/blobs/uploads/", Map.of(), push(repository));
        if (r.statusCode() != 202) {
            throw new RegistryException("upload to " + settings.host() + "/" + repository + " refused: " + r.statusCode() + " "
                    + errorText(r.body()), r.statusCode());
        }
        return absolute(r.headers().firstValue("Location").orElseThrow(() ->
                new RegistryException("upload started without a Location", 202)));
    }

    /** Stores manifest bytes exactly as given under a tag or digest; returns the digest the registry computed. */
    public String putManifest(String repository, String reference, byte[] bytes, String mediaType) {
        OciGrammar.requireReference(reference); // into a URL path: never ?, / or ..
        HttpResponse<byte[]> r = send("PUT", "/v2/" + repository + "/manifests/" + reference, Map.of("Content-Type", mediaType),
                push(repository), () -> HttpRequest.BodyPublishers.ofByteArray(bytes), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 201) {
            throw new RegistryException("push of manifest " + reference + " to " + settings.host() + "/" + repository
                    + " refused: " + r.statusCode() + " " + errorText(r.body()), r.statusCode());
        }
        return r.headers().firstValue("Docker-Content-Digest").orElse("sha256:" + sha256(bytes));
    }

    /**
     * Deletes a manifest by tag (OCI 1.1 removes the tag only) or by digest (the manifest and every tag on it).
     * True when it is gone (404: gone already); false when the registry does not delete by that kind of reference
     * (405; 400 {@code UNSUPPORTED}; distribution 2.x answers a tag with 400 {@code DIGEST_INVALID}). Deletion must be
     * enabled at the registry.
     */
    public boolean deleteManifest(String repository, String reference) {
        OciGrammar.requireReference(reference);
        HttpResponse<byte[]> r = send("DELETE", "/v2/" + repository + "/manifests/" + reference, Map.of(),
                scope(repository, "delete"));
        int code = r.statusCode();
        if (code == 202 || code == 200 || code == 404) {
            return true;
        }
        String why = errorText(r.body());
        boolean byTag = !reference.contains(":");
        if (code == 405 || code == 400 && (byTag || why.contains("UNSUPPORTED"))) { // distribution 2.x: 400 DIGEST_INVALID
            return false;
        }
        throw new RegistryException("delete of " + settings.host() + "/" + repository + ":" + reference + " refused: " + code
                + " " + why, code);
    }

    private String absolute(String location) {
        return location.startsWith("http://") || location.startsWith("https://") ? location : settings.baseUrl() + location;
    }

    /** A streamed response we will not read must be closed, or its connection is never reused. */
    private static void discard(HttpResponse<?> r) {
        if (r.body() instanceof InputStream in) {
            closeQuietly(in);
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing to keep
        }
    }

    private static byte[] readQuietly(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static boolean retryable(int status) {
        return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    }

    private void backoff(int attempt, Optional<Duration> told) {
        retries.increment();
        long cap = settings.maxBackoff().toMillis();
        long ms = told.map(Duration::toMillis).orElseGet(() -> {
            long exp = Math.min(cap, 200L << Math.min(attempt - 1, 20));
            return ThreadLocalRandom.current().nextLong(exp / 2, exp + 1); // jitter: spread clients that failed together
        });
        ms = Math.min(ms, cap);
        if (told.isPresent()) {
            throttle.pauseFor(TimeUnit.MILLISECONDS.toNanos(ms));
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted", e);
        }
    }

    /** {@code Retry-After} in seconds or as an HTTP date; else {@code RateLimit-Reset} in seconds. */
    static Optional<Duration> retryAfter(HttpHeaders h) {
        Optional<String> ra = h.firstValue("Retry-After");
        if (ra.isPresent()) {
            String v = ra.get().trim();
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v))));
            } catch (NumberFormatException e) {
                try {
                    var at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                    return Optional.of(Duration.between(ZonedDateTime.now(at.getZone()), at)).filter(d -> !d.isNegative());
                } catch (RuntimeException ignored) {
                    return Optional.empty();
                }
            }
        }
        return h.firstValue("RateLimit-Reset").flatMap(RegistryClient::leadingLong).map(Duration::ofSeconds);
    }

    /** Docker Hub style: {@code RateLimit-Remaining: 0;w=21600} means stop until the reset. */
    private void observeRateLimit(HttpHeaders h) {
        Optional<Long> remaining = h.firstValue("RateLimit-Remaining").flatMap(RegistryClient::leadingLong);
        if (remaining.isPresent() && remaining.get() == 0) {
            h.firstValue("RateLimit-Reset").flatMap(RegistryClient::leadingLong)
                    .ifPresent(s -> throttle.pauseFor(TimeUnit.SECONDS.toNanos(Math.min(s, settings.maxBackoff().toSeconds()))));
        }
    }

    private static Optional<Long> leadingLong(String v) {
        Matcher m = Pattern.compile("^\\s*(\\d+)").matcher(v);
        return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    private Optional<String> authorization(String scope) {
        Token t = tokens.get(scope);
        if (t != null && t.expiresAtNanos() - System.nanoTime() > 0) {
            return Optional.of("Bearer " + t.value());
        }
        return basicAuth ? settings.credentials().current().map(RegistryClient::basic) : Optional.empty();
    }

    /** {@code Authorization: Basic …} for credentials; also what a registry's own API takes ({@link PushTimes}). */
    static String basic(RegistrySettings.Credentials c) {
        return "Basic " + Base64.getEncoder().encodeToString((c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8));
    }

    /** Answers a challenge: basic credentials, or a bearer token for the scope. False when there is nothing to offer. */
    private boolean authenticate(Challenge c, String scope) {
        if (!c.bearer()) {
            if (!settings.credentials().offers()) {
                return false;
            }
            basicAuth = true;
            return true;
        }
        String realm = c.params().get("realm");
        if (realm == null) {
            return false;
        }
        StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?");
        if (c.params().containsKey("service")) {
            url.append("service=").append(URLEncoder.encode(c.params().get("service"), StandardCharsets.UTF_8)).append('&');
        }
        url.append("scope=").append(URLEncoder.encode(c.params().getOrDefault("scope", scope), StandardCharsets.UTF_8));
        try {
            HttpResponse<byte[]> r = tokenRequest(url.toString());
            if (r.statusCode() == 401 && settings.credentials().renewable()) {
                settings.credentials().invalidate(); // a cloud token the token service no longer takes: one fresh try
                r = tokenRequest(url.toString());
            }
            if (r.statusCode() != 200) {
                throw new RegistryException("token service " + realm + " refused " + scope + " (" + r.statusCode() + "): "
                        + errorText(r.body()), r.statusCode());
            }
            JsonNode j = readJson(r.body());
            String token = j.hasNonNull("token") ? j.get("token").asText() : j.path("access_token").asText("");
            if (token.isEmpty()) {
                throw new RegistryException("token service " + realm + " answered without a token", r.statusCode());
            }
            long ttl = Math.max(30, j.path("expires_in").asLong(60)) - 10; // renew a little early
            tokens.put(scope, new Token(token, System.nanoTime() + TimeUnit.SECONDS.toNanos(ttl)));
            tokensFetched.increment();
            return true;
        } catch (IOException e) {
            throw new RegistryException("cannot reach token service " + realm + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted", e);
        }
    }

    private HttpResponse<byte[]> tokenRequest(String url) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(settings.timeout()).GET();
        settings.credentials().current().ifPresent(cr -> b.header("Authorization", basic(cr)));
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        responses.computeIfAbsent(r.statusCode(), k -> new LongAdder()).increment();
        return r;
    }

    private static void expect(HttpResponse<byte[]> r, int status, String what) {
        if (r.statusCode() != status) {
            throw new RegistryException(what + " failed: " + r.statusCode() + " " + errorText(r.body()), r.statusCode());
        }
    }

    /** The registry's own error text: the OCI {@code errors[].message}, or the body. */
    static String errorText(byte[] body) {
        if (body == null || body.length == 0) {
            return "(no body)";
        }
        try {
            JsonNode errors = Json.mapper().readTree(body).path("errors");
            if (errors.isArray() && errors.size() > 0) {
                List<String> msgs = new ArrayList<>();
                errors.forEach(e -> msgs.add(e.path("code").asText("") + ": " + e.path("message").asText("")));
                return String.join("; ", msgs);
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: show it as text
        }
        String s = new String(body, StandardCharsets.UTF_8).trim();
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    private static JsonNode readJson(byte[] body) {
        try {
            return Json.mapper().readTree(body);
        } catch (IOException e) {
            throw new RegistryException("registry answered with invalid JSON: " + e.getMessage(), 200);
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
