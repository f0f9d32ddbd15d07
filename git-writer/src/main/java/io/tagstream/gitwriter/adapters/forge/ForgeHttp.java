package io.tagstream.gitwriter.adapters.forge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.tagstream.common.events.Json;
import io.tagstream.gitwriter.core.Forge;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * JSON over HTTP to a forge's API: one header carries the token, errors become {@link Forge.Refused} with the forge's
 * own message and when to try again ({@code Retry-After}; GitHub's and GitLab's rate-limit reset when none are left;
 * GitHub's secondary limits, a 403 that says so, a minute). Counts the calls it makes.
 */
final class ForgeHttp {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private final String base;
    private final String authHeader;
    private final String authValue;
    private final String accept;
    private final AtomicLong calls = new AtomicLong();

    ForgeHttp(String base, String authHeader, String authValue, String accept) {
        this.base = base;
        this.authHeader = authHeader;
        this.authValue = authValue;
        this.accept = accept;
    }

    long calls() {
        return calls.get();
    }

    JsonNode get(String path) {
        return send("GET", path, null, s -> false);
    }

    /** A GET that may answer 404 for "none": empty then. */
    Optional<JsonNode> find(String path) {
        try {
            return Optional.of(get(path));
        } catch (Forge.Refused e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** {@code path} under the API's base, or a whole URL (GitHub's GraphQL endpoint is beside its REST base). */
    JsonNode send(String method, String path, Object body, Predicate<String> exists) {
        calls.incrementAndGet();
        String url = path.startsWith("http://") || path.startsWith("https://") ? path : base + path;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Accept", accept).header("User-Agent", "tagstream-git-writer");
        if (!authValue.isEmpty()) {
            b.header(authHeader, authValue);
        }
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(Json.writeString(body)));
        }
        HttpResponse<String> r;
        try {
            r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Forge.Refused(method + " " + url + ": forge unreachable: " + e, 0, Optional.empty(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Forge.Refused(method + " " + url + ": interrupted", 0, Optional.empty(), false);
        }
        if (r.statusCode() >= 300) {
            String said = message(r.body());
            throw new Forge.Refused(method + " " + url + " answered " + r.statusCode() + (said.isEmpty() ? "" : ": " + said),
                    r.statusCode(), retryAfter(r, said), exists.test(said) && (r.statusCode() == 409 || r.statusCode() == 422));
        }
        if (r.body() == null || r.body().isBlank()) {
            return NullNode.getInstance();
        }
        try {
            return Json.mapper().readTree(r.body());
        } catch (IOException e) {
            throw new Forge.Refused(method + " " + url + " answered " + r.statusCode() + " with no JSON: "
                    + r.body().substring(0, Math.min(200, r.body().length())), r.statusCode(), Optional.empty(), false);
        }
    }

    /** The forge's own words: GitHub's {@code message} and {@code errors[].message}, Gitea's, GitLab's (any shape). */
    static String message(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode n = Json.mapper().readTree(body);
            StringBuilder s = new StringBuilder();
            JsonNode m = n.has("message") ? n.get("message") : n.path("error");
            s.append(m.isTextual() ? m.asText() : m.isMissingNode() ? "" : m.toString());
            for (JsonNode e : n.path("errors")) {
                String more = e.isTextual() ? e.asText() : e.path("message").asText("");
                if (!more.isEmpty()) {
                    s.append(s.isEmpty() ? "" : ": ").append(more);
                }
            }
            return s.toString();
        } catch (IOException e) {
            return body.substring(0, Math.min(200, body.length())).strip();
        }
    }

    static Optional<Duration> retryAfter(HttpResponse<?> r, String said) {
        Optional<String> after = r.headers().firstValue("Retry-After");
        if (after.isPresent()) {
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(after.get().trim()))));
            } catch (NumberFormatException e) {
                // an HTTP date: not worth parsing, the backoff applies
            }
        }
        String remaining = r.headers().firstValue("x-ratelimit-remaining").or(() -> r.headers().firstValue("ratelimit-remaining"))
                .orElse("");
        Optional<String> reset = r.headers().firstValue("x-ratelimit-reset").or(() -> r.headers().firstValue("ratelimit-reset"));
        if (remaining.equals("0") && reset.isPresent()) {
            try {
                long wait = Long.parseLong(reset.get().trim()) - Instant.now().getEpochSecond();
                return Optional.of(Duration.ofSeconds(Math.max(1, wait)));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        if (r.statusCode() == 403 && said.toLowerCase(java.util.Locale.ROOT).contains("secondary rate limit")) {
            return Optional.of(Duration.ofMinutes(1));
        }
        return Optional.empty();
    }

    static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
