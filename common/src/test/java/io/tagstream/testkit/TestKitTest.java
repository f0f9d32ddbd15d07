package io.tagstream.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.TagDiscovered;
import io.tagstream.common.events.TagDiscovered.DiscoverySource;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The test kit's servers are real: what goes in comes back out through the real tools. */
@ExtendWith(KafkaBrokerExtension.class)
class TestKitTest {

    @Test
    void kafkaBrokerCarriesCloudEvents(KafkaBroker broker) {
        String topic = "testkit-" + System.nanoTime();
        var event = CloudEvent.start("testkit", new TagDiscovered("ns/app", "r.example", "r.example/app", "1.0.0",
                "sha256:" + "a".repeat(64), TestImages.OCI_MANIFEST, Optional.empty(), DiscoverySource.POLL, Instant.now()));
        broker.publish(topic, event);
        List<CloudEvent<TagDiscovered>> read = broker.events(topic, TagDiscovered.class, l -> !l.isEmpty(), Duration.ofSeconds(30));
        assertEquals(1, read.size());
        assertEquals(event.id(), read.get(0).id());
        assertEquals(event.data(), read.get(0).data());
        assertEquals(event.correlationId(), read.get(0).correlationId());
    }

    @Test
    void registryServesPushedImageToSkopeo() {
        try (LocalRegistry registry = LocalRegistry.start()) {
            TestImages.Pushed p = TestImages.push(registry, "team/app", "1.2.3", 2, 4096);
            byte[] raw = registry.rawManifest("team/app:1.2.3");
            assertEquals(p.digest(), "sha256:" + TestImages.sha256(raw));
            String tags = registry.skopeo("list-tags", "--tls-verify=false", "docker://" + registry.host() + "/team/app");
            assertTrue(tags.contains("\"1.2.3\""), tags);
        }
    }

    @Test
    void registryWithHtpasswdRefusesAnonymousAndServesIndex() throws Exception {
        try (LocalRegistry registry = LocalRegistry.builder().htpasswd("ci", "s3cret").start()) {
            TestImages.Pushed index = TestImages.pushIndex(registry, "multi/app", "2.0.0", 512);
            byte[] raw = registry.rawManifest("multi/app:2.0.0");
            assertEquals(index.digest(), "sha256:" + TestImages.sha256(raw));
            String json = new String(raw, StandardCharsets.UTF_8);
            assertTrue(json.contains("\"arm64\"") && json.contains("\"amd64\""), json);
            var anonymous = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(registry.url() + "/v2/multi/app/tags/list")).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
            assertEquals(401, anonymous.statusCode());
        }
    }

    @Test
    void registryNotificationsReachAWebhook() throws Exception {
        List<String> bodies = new CopyOnWriteArrayList<>();
        List<String> auth = new CopyOnWriteArrayList<>();
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", ex -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).replaceAll("\\s+", ""));
            auth.add(ex.getRequestHeaders().getFirst("Authorization"));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        hook.start();
        try (LocalRegistry registry = LocalRegistry.builder()
                .notify("http://127.0.0.1:" + hook.getAddress().getPort() + "/hook", Map.of("Authorization", "Bearer t0ken"))
                .start()) {
            TestImages.Pushed p = TestImages.push(registry, "hooked/app", "7");
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (bodies.stream().noneMatch(b -> b.contains("\"tag\":\"7\"")) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            String push = bodies.stream().filter(b -> b.contains("\"tag\":\"7\"")).findFirst().orElse("");
            assertTrue(push.contains("\"action\":\"push\"") && push.contains(p.digest()), String.join("\n", bodies));
            assertTrue(auth.contains("Bearer t0ken"), auth.toString());
        } finally {
            hook.stop(0);
        }
    }

    @Test
    void gitServerAcceptsPushesOverTheDaemon() {
        try (GitServer git = GitServer.start()) {
            git.createBare("fleet", "master");
            String first = git.commit("fleet", "master", Map.of("apps/blog.yaml", "image: r/blog:1\n"), "seed", "alice");
            String second = git.commit("fleet", "master", Map.of("apps/blog.yaml", "image: r/blog:2\n"), "bump", "bob");
            String log = git.inBare("fleet", "log", "--format=%H %an %s", "master");
            assertEquals(List.of(second + " bob bump", first + " alice seed"), log.lines().toList());
            assertEquals("image: r/blog:2\n", git.inBare("fleet", "show", "master:apps/blog.yaml"));
            assertFalse(git.url("fleet").isBlank());
        }
    }
}
