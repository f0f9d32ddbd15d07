package io.tagstream.common.registry.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.common.events.Json;
import io.tagstream.common.registry.RegistryException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The token endpoints' small HTTP: form posts and metadata GETs answered with JSON, errors carrying the endpoint's text. */
final class CloudHttp {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    JsonNode get(String what, String url, Map<String, String> headers) {
        return json(what, url, getText(what, url, headers));
    }

    JsonNode postForm(String what, String url, Map<String, String> form) {
        HttpRequest r = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form(form))).build();
        return send(what, url, r);
    }

    JsonNode postJson(String what, String url, Map<String, String> headers, Object body) {
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
                    .header("Content-Type", "application/json").header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(body)));
        } catch (IOException e) {
            throw new RegistryException(what + ": " + e.getMessage(), e);
        }
        headers.forEach(b::header);
        return send(what, url, b.build());
    }

    /** A text answer (a subject token served by a local endpoint). */
    String getText(String what, String url, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET();
        headers.forEach(b::header);
        return exchange(what, url, b.build());
    }

    static String form(Map<String, String> form) {
        return form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    static Map<String, String> params(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            if (kv[i + 1] != null) {
                m.put(kv[i], kv[i + 1]);
            }
        }
        return m;
    }

    private JsonNode send(String what, String url, HttpRequest r) {
        return json(what, url, exchange(what, url, r));
    }

    private static JsonNode json(String what, String url, String body) {
        try {
            return Json.mapper().readTree(body);
        } catch (IOException e) {
            throw new RegistryException(what + ": " + where(url) + " answered 200 without JSON");
        }
    }

    private static String where(String url) {
        return url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
    }

    private String exchange(String what, String url, HttpRequest r) {
        String where = where(url);
        try {
            HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() != 200) {
                // no registry status: a token endpoint's 404 must not read as "repository not found"
                throw new RegistryException(what + ": " + where + " answered " + resp.statusCode() + " " + reason(resp.body()));
            }
            return resp.body();
        } catch (IOException e) {
            throw new RegistryException(what + ": cannot reach " + where + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted", e);
        }
    }

    /** An OAuth error ({@code error}, {@code error_description}) or the body, cut short; never echoes a token we sent. */
    private static String reason(String body) {
        try {
            JsonNode j = Json.mapper().readTree(body);
            if (j.path("error").isObject()) { // Google APIs: {"error": {"code", "message", "status"}}
                JsonNode e = j.get("error");
                return e.path("status").asText("") + (e.hasNonNull("message") ? ": " + e.get("message").asText() : "");
            }
            if (j.hasNonNull("error")) {
                String e = j.get("error").asText();
                return e + (j.hasNonNull("error_description") ? ": " + j.get("error_description").asText() : "");
            }
        } catch (IOException | RuntimeException ignored) {
            // not JSON
        }
        String b = body == null ? "" : body.strip();
        return b.length() > 300 ? b.substring(0, 300) + "…" : b;
    }

    /** A JWT's payload claims, when the token is one (AAD and ACR tokens are); empty otherwise. */
    static Optional<JsonNode> jwtClaims(String token) {
        String[] parts = token.split("\\.");
        if (parts.length < 2) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.mapper().readTree(Base64.getUrlDecoder().decode(parts[1])));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
