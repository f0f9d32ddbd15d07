package io.tagstream.common.registry;

import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How to talk to one registry host.
 *
 * @param host {@code host[:port]} of the API (Docker Hub: {@code registry-1.docker.io})
 * @param plainHttp speak HTTP instead of HTTPS (a Registry or ImageRepository marked {@code insecure})
 * @param credentials where the basic credentials come from (also used to fetch bearer tokens); fixed and empty = anonymous
 * @param tls a context trusting a custom CA bundle, if configured
 * @param requestsPerSecond sustained request rate towards this host
 * @param maxConcurrency requests in flight at once towards this host
 * @param timeout per request
 * @param maxAttempts tries per request, for 429, 5xx and connection errors
 */
public record RegistrySettings(
        String host,
        boolean plainHttp,
        CredentialSource credentials,
        Optional<SSLContext> tls,
        double requestsPerSecond,
        int maxConcurrency,
        Duration timeout,
        int maxAttempts,
        Duration maxBackoff) {

    public record Credentials(String username, String password) {
        @Override
        public String toString() {
            return "Credentials[" + username + ", ***]";
        }
    }

    public static RegistrySettings of(String host, boolean plainHttp, Optional<Credentials> credentials) {
        return of(host, plainHttp, CredentialSource.fixed(credentials));
    }

    public static RegistrySettings of(String host, boolean plainHttp, CredentialSource credentials) {
        return new RegistrySettings(host, plainHttp, credentials, Optional.empty(), 50, 8, Duration.ofSeconds(30), 5,
                Duration.ofSeconds(30));
    }

    public String baseUrl() {
        return (plainHttp ? "http://" : "https://") + host;
    }

    public RegistrySettings withLimits(double rps, int concurrency) {
        return new RegistrySettings(host, plainHttp, credentials, tls, rps, concurrency, timeout, maxAttempts, maxBackoff);
    }

    public RegistrySettings withRetries(int attempts, Duration maxBackoff) {
        return new RegistrySettings(host, plainHttp, credentials, tls, requestsPerSecond, maxConcurrency, timeout, attempts, maxBackoff);
    }

    public RegistrySettings withTls(SSLContext context) {
        return new RegistrySettings(host, plainHttp, credentials, Optional.of(context), requestsPerSecond, maxConcurrency,
                timeout, maxAttempts, maxBackoff);
    }
}
