package io.tagstream.notifier.adapters;

import io.tagstream.notifier.core.Payloads.HttpCall;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Sends one request and says what came back. Redirects are not followed (a webhook URL that redirects could carry its
 * token elsewhere), and what is reported never contains the URL, whose path may be a credential.
 */
@ApplicationScoped
public class HttpSender {

    /** The answer, or why there was none. */
    public record Result(Optional<Integer> status, String body, Optional<String> retryAfter, String problem) {}

    private static final int MAX_BODY = 4096;

    private final HttpClient client = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    public Result send(HttpCall call, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(call.uri()).timeout(timeout)
                .method(call.method(), HttpRequest.BodyPublishers.ofByteArray(call.body()));
        call.headers().forEach(b::header);
        b.header("User-Agent", "tagstream-notifier");
        try {
            HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            byte[] raw = r.body();
            String body = new String(raw, 0, Math.min(raw.length, MAX_BODY), StandardCharsets.UTF_8);
            String problem = r.statusCode() >= 300 ? summary(body) : "";
            return new Result(Optional.of(r.statusCode()), body, r.headers().firstValue("Retry-After"), problem);
        } catch (HttpTimeoutException e) {
            return new Result(Optional.empty(), "", Optional.empty(), "no answer within " + timeout.toSeconds() + "s");
        } catch (IOException e) {
            return new Result(Optional.empty(), "", Optional.empty(), "cannot reach " + call.uri().getHost() + " ("
                    + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(Optional.empty(), "", Optional.empty(), "interrupted");
        }
    }

    /** The receiver's own words, one line, short. */
    private static String summary(String body) {
        String s = body.replaceAll("\\s+", " ").trim();
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
