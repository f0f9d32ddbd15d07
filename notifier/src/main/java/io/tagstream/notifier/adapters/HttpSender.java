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

    /** A forward proxy for a Provider: {@code host:port}, and credentials when it asks for them. */
    public record Proxy(String host, int port, Optional<String> username, Optional<String> password) {
        @Override
        public String toString() {
            return "Proxy(" + host + ":" + port + ")"; // never the credentials
        }
    }

    static {
        // a proxy's Basic authentication is allowed (the JDK disables it by default for tunnels); only the
        // credentials a Provider's proxySecretRef gives are ever offered, and only to its proxy
        System.setProperty("jdk.http.auth.tunneling.disabledSchemes", "");
        System.setProperty("jdk.http.auth.proxying.disabledSchemes", "");
    }

    /** Loads this class (and so sets the properties above) before anything in the service builds an HTTP client. */
    void early(@jakarta.enterprise.event.Observes @jakarta.annotation.Priority(jakarta.interceptor.Interceptor.Priority.PLATFORM_BEFORE)
            io.quarkus.runtime.StartupEvent e) {
        // nothing else: the static initializer did the work
    }

    /** Clients for a Provider's own CA ({@code certSecretRef}'s {@code ca.crt}) or proxy, by both. */
    private final java.util.Map<String, HttpClient> clients = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Sends with the JVM's trust store, or trusting only {@code caPem} when a Provider names its CA, as Flux does;
     * through {@code proxy} when the Provider names one.
     */
    public Result send(HttpCall call, Duration timeout, Optional<String> caPem, Optional<Proxy> proxy) {
        if (caPem.isEmpty() && proxy.isEmpty()) {
            return send(client, call, timeout);
        }
        if (clients.size() > 100) {
            clients.clear(); // rotated CAs or proxies: the old clients are let go
        }
        String key = caPem.orElse("") + "|" + proxy.map(p -> p.host() + ":" + p.port() + "|" + p.username().orElse("") + "|"
                + p.password().orElse("")).orElse("");
        HttpClient c = clients.computeIfAbsent(key, k -> {
            HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                    .followRedirects(HttpClient.Redirect.NEVER);
            caPem.ifPresent(pem -> b.sslContext(io.tagstream.common.registry.RegistryAccess.tls(pem)));
            proxy.ifPresent(p -> {
                b.proxy(java.net.ProxySelector.of(java.net.InetSocketAddress.createUnresolved(p.host(), p.port())));
                if (p.username().isPresent()) {
                    String user = p.username().get();
                    char[] pass = p.password().orElse("").toCharArray();
                    b.authenticator(new java.net.Authenticator() {
                        @Override
                        protected java.net.PasswordAuthentication getPasswordAuthentication() {
                            return getRequestorType() == RequestorType.PROXY ? new java.net.PasswordAuthentication(user, pass) : null;
                        }
                    });
                }
            });
            return b.build();
        });
        return send(c, call, timeout);
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
