package io.tagstream.console.adapters;

import io.tagstream.common.events.Json;
import io.tagstream.common.service.ApiError;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The services' REST APIs, called with the console user's own Authorization header: the service decides what the
 * user may see and do, exactly as for the CLI or curl; the console holds no credential of its own.
 */
@ApplicationScoped
public class Upstream {

    /** The services the console reads and acts through, each with the property holding its base URL. */
    public enum Service {
        POLLER("registry-poller"), EVALUATOR("policy-evaluator"), PROMOTER("promoter"), GIT_WRITER("git-writer");

        final String label;

        Service(String label) {
            this.label = label;
        }
    }

    @ConfigProperty(name = "tagstream.console.poller-url", defaultValue = "http://127.0.0.1:8081")
    String pollerUrl;

    @ConfigProperty(name = "tagstream.console.evaluator-url", defaultValue = "http://127.0.0.1:8082")
    String evaluatorUrl;

    @ConfigProperty(name = "tagstream.console.promoter-url", defaultValue = "http://127.0.0.1:8083")
    String promoterUrl;

    @ConfigProperty(name = "tagstream.console.git-writer-url", defaultValue = "http://127.0.0.1:8084")
    String gitWriterUrl;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    /** What a service answered: its status and body, passed on as they are. */
    public record Answer(int status, String body, Optional<String> contentType) {

        public Response response() {
            return Response.status(status).type(contentType.orElse(MediaType.APPLICATION_JSON)).entity(body).build();
        }

        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    String base(Service s) {
        String u = switch (s) {
            case POLLER -> pollerUrl;
            case EVALUATOR -> evaluatorUrl;
            case PROMOTER -> promoterUrl;
            case GIT_WRITER -> gitWriterUrl;
        };
        return u.replaceAll("/+$", "");
    }

    /**
     * Calls one service with the caller's Authorization header (none when the caller sent none). A service that
     * cannot be reached is a 502 naming it, so the page says which part of the chain is down.
     */
    public Answer call(Service s, String method, String pathAndQuery, Optional<String> authorization, Optional<String> jsonBody) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base(s) + pathAndQuery)).timeout(Duration.ofSeconds(15))
                .header(HttpHeaders.ACCEPT, MediaType.APPLICATION_JSON);
        authorization.ifPresent(a -> b.header(HttpHeaders.AUTHORIZATION, a));
        if (jsonBody.isPresent()) {
            b.header(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON).method(method, HttpRequest.BodyPublishers.ofString(jsonBody.get()));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body(), r.headers().firstValue(HttpHeaders.CONTENT_TYPE));
        } catch (IOException e) {
            return unreachable(s, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unreachable(s, "interrupted");
        }
    }

    private Answer unreachable(Service s, String why) {
        String body = Json.writeString(new ApiError(s.label + " at " + base(s) + " cannot be reached (" + why + ")"));
        return new Answer(502, body, Optional.of(MediaType.APPLICATION_JSON));
    }
}
