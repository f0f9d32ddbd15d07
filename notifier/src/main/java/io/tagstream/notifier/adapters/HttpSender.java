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

    /** Clients trusting one Provider's CA ({@code certSecretRef}'s {@code ca.crt}), by the bundle's text. */
    private final java.util.Map<String, HttpClient> byCa = new java.util.concurrent.ConcurrentHashMap<>();

    /** Sends with the JVM's trust store, or trusting only {@code caPem} when a Provider names its CA, as Flux does. */
    public Result send(HttpCall call, Duration timeout, Optional<String> caPem) {
        if (caPem.isEmpty()) {
            return send(client, call, timeout);
        }
        if (byCa.size() > 100) {
            byCa.clear(); // rotated CAs: the old clients are let go
        }
        HttpClient c = byCa.computeIfAbsent(caPem.get(), pem -> HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .sslContext(io.tagstream.common.registry.RegistryAccess.tls(pem))
                .build());
        return send(c, call, timeout);
    }

    public Result send(HttpCall call, Duration timeout) {
        return send(client, call, timeout);
    }

    private static Result send(HttpClient client, HttpCall call, Duration timeout) {
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
        } catch (javax.net.ssl.SSLException e) {
            return new Result(Optional.empty(), "", Optional.empty(), "TLS with " + call.uri().getHost() + " failed ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + firstLine(e.getMessage())) + ")");
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

    private static String firstLine(String s) {
        String l = s.lines().findFirst().orElse("");
        return l.length() > 160 ? l.substring(0, 160) + "…" : l;
    }

    /** The receiver's own words, one line, short. */
    private static String summary(String body) {
        String s = body.replaceAll("\\s+", " ").trim();
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
