package io.tagstream.gitwriter.adapters.forge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.tagstream.gitwriter.core.Forge;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Forge errors as a person and the retry loop need them: the forge's own words and when to try again. */
class ForgeHttpTest {

    static Stream<Arguments> answers() {
        long reset = Instant.now().getEpochSecond() + 120;
        return Stream.of(
                Arguments.of("GitLab 429 with Retry-After", 429, Map.of("Retry-After", "7"), "{\"message\":\"429 Too Many Requests\"}",
                        "answered 429: 429 Too Many Requests", Optional.of(Duration.ofSeconds(7))),
                Arguments.of("GitHub primary limit spent", 403, Map.of("x-ratelimit-remaining", "0", "x-ratelimit-reset",
                        String.valueOf(reset)), "{\"message\":\"API rate limit exceeded for user ID 1.\"}",
                        "answered 403: API rate limit exceeded for user ID 1.", Optional.of(Duration.ofSeconds(120))),
                Arguments.of("GitHub secondary limit", 403, Map.of(), "{\"message\":\"You have exceeded a secondary rate limit."
                        + " Please wait a few minutes before you try again.\"}", "exceeded a secondary rate limit",
                        Optional.of(Duration.ofMinutes(1))),
                Arguments.of("GitHub validation", 422, Map.of(), "{\"message\":\"Validation Failed\",\"errors\":[{\"resource\":"
                        + "\"PullRequest\",\"code\":\"custom\",\"message\":\"A pull request already exists for acme:tagstream/dev.\"}]}",
                        "answered 422: Validation Failed: A pull request already exists for acme:tagstream/dev.", Optional.empty()),
                Arguments.of("GitLab error list", 409, Map.of(), "{\"message\":[\"Another open merge request already exists for"
                        + " this source branch: !3\"]}", "Another open merge request already exists", Optional.empty()),
                Arguments.of("a proxy's HTML", 502, Map.of(), "<html>Bad Gateway</html>", "answered 502: <html>Bad Gateway</html>",
                        Optional.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void refusalCarriesTheForgesWordsAndWhenToRetry(String what, int status, Map<String, String> headers, String body,
            String said, Optional<Duration> retryAfter) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/", ex -> {
            try (ex) {
                headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
                byte[] b = body.getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(status, b.length);
                ex.getResponseBody().write(b);
            }
        });
        s.start();
        try {
            ForgeHttp http = new ForgeHttp("http://127.0.0.1:" + s.getAddress().getPort(), "Authorization", "Bearer t", "application/json");
            Forge.Refused e = assertThrows(Forge.Refused.class, () -> http.get("/repos/acme/fleet/pulls/1"));
            assertEquals(status, e.status());
            assertTrue(e.getMessage().contains(said), e.getMessage());
            assertEquals(retryAfter.isPresent(), e.retryAfter().isPresent(), e.getMessage());
            retryAfter.ifPresent(d -> assertTrue(Math.abs(d.toSeconds() - e.retryAfter().get().toSeconds()) <= 5,
                    "wait " + e.retryAfter().get() + ", expected about " + d));
        } finally {
            s.stop(0);
        }
    }
}
