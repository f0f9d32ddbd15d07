package io.tagstream.common.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.RegistryProxy;
import io.tagstream.testkit.TestImages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The registry client against Debian's docker-registry, with a proxy for paging, bearer tokens and faults. */
class RegistryClientTest {

    static LocalRegistry open;
    static LocalRegistry locked;
    static TestImages.Pushed image;
    static TestImages.Pushed index;

    @BeforeAll
    static void start() {
        open = LocalRegistry.start();
        locked = LocalRegistry.builder().htpasswd("ci", "s3cret").start();
        image = TestImages.push(open, "team/app", "1.0.0");
        TestImages.retag(open, image, IntStream.range(0, 250).mapToObj(i -> "build-" + i).toList());
        index = TestImages.pushIndex(locked, "team/multi", "2.0.0", 256);
    }

    @AfterAll
    static void stop() {
        open.close();
        locked.close();
    }

    static RegistryClient client(String host, Optional<RegistrySettings.Credentials> creds) {
        return new RegistryClient(RegistrySettings.of(host, true, creds).withRetries(4, Duration.ofSeconds(3)));
    }

    @Test
    void listsEveryTagAcrossPages() {
        try (RegistryProxy proxy = new RegistryProxy(open).pageSize(100)) {
            RegistryClient c = client(proxy.host(), Optional.empty());
            RegistryClient.Tags tags = c.listTags("team/app", 1000, OptionalInt.empty());
            assertEquals(251, tags.tags().size());
            assertEquals(3, tags.pages(), "100 + 100 + 51");
            assertEquals(251, new java.util.HashSet<>(tags.tags()).size(), "no tag twice");
            assertEquals(100, c.listTags("team/app", 1000, OptionalInt.of(100)).tags().size(), "a cap stops paging");
        }
    }

    @Test
    void resolvesDigestsByHeadLikeSkopeo() {
        RegistryClient c = client(open.host(), Optional.empty());
        RegistryClient.Resolved r = c.resolve("team/app", "build-7").orElseThrow();
        assertEquals(image.digest(), r.digest());
        assertEquals("sha256:" + TestImages.sha256(open.rawManifest("team/app:build-7")), r.digest());
        assertEquals(RegistryClient.DOCKER_MANIFEST, r.mediaType());
        assertEquals(Optional.empty(), c.resolve("team/app", "no-such-tag"));
        assertEquals(Map.of(200, 1L, 404, 1L), c.stats().responses().entrySet().stream()
                .filter(e -> e.getKey() != 401).collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    }

    @Test
    void basicAuthAndRawIndexBytes() {
        RegistryClient c = client(locked.host(), Optional.of(new RegistrySettings.Credentials("ci", "s3cret")));
        RegistryClient.Manifest m = c.manifest("team/multi", "2.0.0").orElseThrow();
        assertEquals(index.digest(), m.digest());
        assertEquals(RegistryClient.OCI_INDEX, m.mediaType());
        assertEquals(index.digest(), "sha256:" + RegistryClient.sha256(locked.rawManifest("team/multi:2.0.0")));
        RegistryClient anonymous = client(locked.host(), Optional.empty());
        RegistryException e = assertThrows(RegistryException.class, () -> anonymous.resolve("team/multi", "2.0.0"));
        assertEquals(Optional.of(401), e.status());
        RegistryClient wrong = client(locked.host(), Optional.of(new RegistrySettings.Credentials("ci", "nope")));
        assertThrows(RegistryException.class, () -> wrong.listTags("team/multi", 100, OptionalInt.empty()));
    }

    @Test
    void bearerChallengeFetchesOneTokenPerScope() {
        try (RegistryProxy proxy = new RegistryProxy(locked).requireBearer()) {
            RegistryClient c = client(proxy.host(), Optional.of(new RegistrySettings.Credentials("ci", "s3cret")));
            assertEquals(index.digest(), c.resolve("team/multi", "2.0.0").orElseThrow().digest());
            assertTrue(c.listTags("team/multi", 100, OptionalInt.empty()).tags().contains("2.0.0"));
            c.resolve("team/multi", "2.0.0-amd64");
            assertEquals(1, proxy.tokenRequests(), "the token is cached for its scope");
            assertEquals(1, c.stats().tokensFetched());
        }
    }

    @Test
    void honoursRetryAfterOn429ThenSucceeds() {
        try (RegistryProxy proxy = new RegistryProxy(open).fail(2, 429, Map.of("Retry-After", "1"))) {
            RegistryClient c = client(proxy.host(), Optional.empty());
            long t0 = System.nanoTime();
            assertEquals(image.digest(), c.resolve("team/app", "1.0.0").orElseThrow().digest());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 1900, "waited " + ms + " ms for two Retry-After: 1");
            assertEquals(2L, c.stats().responses().get(429));
            assertEquals(2, c.stats().retries());
        }
    }

    @Test
    void givesUpWithTheRegistrysOwnErrorText() {
        try (RegistryProxy proxy = new RegistryProxy(open).fail(10, 503, Map.of())) {
            RegistryClient c = client(proxy.host(), Optional.empty());
            RegistryException e = assertThrows(RegistryException.class, () -> c.listTags("team/app", 100, OptionalInt.empty()));
            assertEquals(Optional.of(503), e.status());
            assertTrue(e.getMessage().contains("TOOMANYREQUESTS: slow down"), e.getMessage());
            assertEquals(4, proxy.requests(), "maxAttempts");
        }
    }

    @Test
    void unreachableRegistryIsAClearError() {
        int port = io.tagstream.testkit.Ports.free();
        RegistryClient c = new RegistryClient(RegistrySettings.of("127.0.0.1:" + port, true, Optional.empty())
                .withRetries(2, Duration.ofMillis(100)));
        RegistryException e = assertThrows(RegistryException.class, () -> c.resolve("a/b", "1"));
        assertTrue(e.getMessage().startsWith("cannot reach 127.0.0.1:" + port), e.getMessage());
    }

    @Test
    void nextLinksAreReadInBothForms() {
        assertEquals("/v2/a/tags/list?last=x&n=5", RegistryClient.nextLink("</v2/a/tags/list?last=x&n=5>; rel=\"next\""));
        assertEquals("/v2/a/tags/list?n=5&last=x", RegistryClient.nextLink("<https://r.example/v2/a/tags/list?n=5&last=x>; rel=next"));
        List<String> none = new ArrayList<>();
        none.add(RegistryClient.nextLink("<https://r.example/x>; rel=\"prev\""));
        assertEquals(java.util.Collections.singletonList(null), none);
    }
}
