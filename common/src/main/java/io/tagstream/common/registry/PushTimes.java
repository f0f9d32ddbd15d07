package io.tagstream.common.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.common.events.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * When a registry says a tag was pushed, read from its own API where one request per tag tells it: what orders the
 * tags of a repository the poller meets for the first time (with only its own first-seen time, every tag of a first
 * scan would tie). Never fatal: an API that does not answer leaves the tag to the first-seen time.
 */
public interface PushTimes {

    /** When {@code tag} of {@code path} was pushed, as the registry says; empty when it does not say or cannot be asked. */
    Optional<Instant> pushed(String path, String tag);

    /** Requests made and requests that did not give a time (for metrics and tests). */
    long requests();

    long failures();

    /**
     * Gitea and Forgejo: {@code GET /api/v1/packages/{owner}/container/{name}/{version}} ({@code getPackage}), whose
     * {@code created_at} is when that version (tag) was pushed; the registry's credentials (a user and token) are the
     * API's. A container image {@code owner/name…} is package {@code name…} of {@code owner}.
     */
    static PushTimes gitea(RegistrySettings settings) {
        return new Gitea(settings);
    }

    final class Gitea implements PushTimes {
        private final RegistrySettings settings;
        private final HttpClient http;
        private final LongAdder requests = new LongAdder();
        private final LongAdder failures = new LongAdder();

        Gitea(RegistrySettings settings) {
            this.settings = settings;
            HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(settings.timeout()).followRedirects(HttpClient.Redirect.NEVER);
            settings.tls().ifPresent(b::sslContext);
            this.http = b.build();
        }

        @Override
        public Optional<Instant> pushed(String path, String tag) {
            int slash = path.indexOf('/');
            if (slash <= 0) {
                return Optional.empty();
            }
            String url = settings.baseUrl() + "/api/v1/packages/" + enc(path.substring(0, slash)) + "/container/"
                    + enc(path.substring(slash + 1)) + "/" + enc(tag);
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(settings.timeout()).GET()
                    .header("Accept", "application/json");
            requests.increment();
            try {
                settings.credentials().current().ifPresent(c -> b.header("Authorization", RegistryClient.basic(c)));
                HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    JsonNode j = Json.mapper().readTree(r.body());
                    if (j.hasNonNull("created_at")) {
                        return Optional.of(OffsetDateTime.parse(j.get("created_at").asText()).toInstant());
                    }
                }
            } catch (IOException | RegistryException | DateTimeParseException e) {
                // the first-seen time will do
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            failures.increment();
            return Optional.empty();
        }

        private static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
        }

        @Override
        public long requests() {
            return requests.sum();
        }

        @Override
        public long failures() {
            return failures.sum();
        }
    }
}
