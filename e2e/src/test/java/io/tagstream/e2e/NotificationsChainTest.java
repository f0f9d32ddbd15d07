package io.tagstream.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.tagstream.launcher.Chain;
import io.tagstream.testkit.GitServer;
import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.Ports;
import io.tagstream.testkit.TestImages;
import io.tagstream.testkit.WorkDirs;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Flux user's Alert on the running chain: a push to the registry ends in a commit, and a generic-hmac webhook on
 * 127.0.0.1 is told of the policy's new selection and of the commit, as Flux's controllers would tell it. The
 * receiver is down (503) at first; two notifier pods share the deliveries, one is killed while they are being
 * retried and started again: each event still arrives exactly once, signed.
 */
class NotificationsChainTest {

    static final String TOKEN = "notify-webhook-token";
    static final String HMAC_KEY = "notify-hmac-key";
    static final ObjectMapper JSON = new ObjectMapper();
    static LocalRegistry registry;
    static GitServer git;
    static Chain chain;
    static HttpServer receiver;
    static final AtomicBoolean down = new AtomicBoolean(true);
    /** Every request: when, the status answered, whether the signature held, the body. */
    record Got(Instant at, int status, boolean signed, String body) {}
    static final List<Got> got = java.util.Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/flux", x -> {
            byte[] body = x.getRequestBody().readAllBytes();
            boolean signed = ("sha256=" + hmac(body)).equals(x.getRequestHeaders().getFirst("X-Signature"));
            int status = !signed ? 401 : down.get() ? 503 : 200;
            got.add(new Got(Instant.now(), status, signed, new String(body, StandardCharsets.UTF_8)));
            x.sendResponseHeaders(status, -1);
            x.close();
        });
        receiver.start();
        int pollerPort = Ports.free();
        registry = LocalRegistry.builder()
                .notify("http://127.0.0.1:" + pollerPort + "/api/v1/webhooks/distribution/flux-system/registry",
                        Map.of("Authorization", "Bearer " + TOKEN))
                .start();
        TestImages.push(registry, "notify/app", "1.0.0");
        git = GitServer.start();
        git.createBare("fleet", "main");
        git.commit("fleet", "main", Map.of("apps/app.yaml",
                E2e.deployment("app", registry.host() + "/notify/app:1.0.0", "flux-system:app")), "seed", "alice");
        Path root = WorkDirs.create("notifications");
        Path config = Files.createDirectories(root.resolve("config"));
        Files.writeString(config.resolve("apps.yaml"), E2e.semverApp("app", registry.host() + "/notify/app", git.url("fleet"), "./apps")
                + """
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1
                kind: Receiver
                metadata: {name: registry, namespace: flux-system}
                spec: {type: distribution, secretRef: {name: webhook-token}, resources: [{kind: ImageRepository, name: app}]}
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Provider
                metadata: {name: webhook, namespace: flux-system}
                spec: {type: generic-hmac, address: "http://127.0.0.1:%d/flux", secretRef: {name: webhook-hmac}}
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Alert
                metadata: {name: releases, namespace: flux-system}
                spec:
                  providerRef: {name: webhook}
                  eventSources: [{kind: ImagePolicy, name: '*'}, {kind: ImageUpdateAutomation, name: '*'}]
                  eventMetadata: {cluster: e2e}
                """.formatted(receiver.getAddress().getPort()));
        E2e.secret(root.resolve("secrets"), "flux-system", "webhook-token", "token", TOKEN);
        E2e.secret(root.resolve("secrets"), "flux-system", "webhook-hmac", "token", HMAC_KEY);
        chain = E2e.start(root, config, E2e.ports(pollerPort), Map.of());
        chain.startInstance(Chain.service("notifier"), "notifier-2", Ports.free());
        chain.awaitHealthy(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stop() {
        E2e.closeAll(chain, registry, git);
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    static String hmac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(HMAC_KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Got> accepted(String marker) {
        return List.copyOf(got).stream().filter(g -> g.status() == 200 && g.body().contains(marker)).toList();
    }

    @Test
    void eachEventArrivesOnceThroughAnOutageAndAKilledPod() throws Exception {
        TestImages.push(registry, "notify/app", "1.1.0");
        E2e.await("1.1.0 in git", Duration.ofSeconds(60),
                () -> git.inBare("fleet", "show", "main:apps/app.yaml").contains("notify/app:1.1.0 "));
        String sha = git.inBare("fleet", "rev-parse", "main").trim();
        // the receiver is down: both events are being retried
        E2e.await("both events tried at least twice", Duration.ofSeconds(60), () -> List.copyOf(got).stream()
                .filter(g -> g.status() == 503 && g.body().contains("pushed commit '" + sha.substring(0, 7))).count() >= 2
                && List.copyOf(got).stream().filter(g -> g.status() == 503 && g.body().contains("notify/app' updated from 1.0.0 to 1.1.0")).count() >= 2);
        String selected = "notify/app' updated from 1.0.0 to 1.1.0";
        String pushed = "pushed commit '" + sha.substring(0, 7) + "'";
        Thread.sleep(300); // between attempts: the failure is stored, the next try is a second or more away
        chain.stopService("notifier", true); // SIGKILL one pod, as a lost node
        chain.startService(Chain.service("notifier"));
        down.set(false);
        E2e.await("both events delivered", Duration.ofSeconds(90),
                () -> !accepted(pushed).isEmpty() && !accepted(selected).isEmpty());
        chain.awaitHealthy(Duration.ofSeconds(120));
        Thread.sleep(5000); // a second message for either would come now

        assertTrue(List.copyOf(got).stream().allMatch(Got::signed), "every request carried a valid X-Signature");
        assertEquals(1, accepted(pushed).size(), "the commit was told once: " + got);
        assertEquals(1, accepted(selected).size(), "the selection was told once: " + got);

        JsonNode commit = JSON.readTree(accepted(pushed).get(0).body());
        assertEquals("ImageUpdateAutomation", commit.at("/involvedObject/kind").asText());
        assertEquals("flux-system", commit.at("/involvedObject/namespace").asText());
        assertEquals("app", commit.at("/involvedObject/name").asText());
        assertEquals("image.toolkit.fluxcd.io/v1", commit.at("/involvedObject/apiVersion").asText());
        assertEquals("info", commit.get("severity").asText());
        assertTrue(commit.get("message").asText().startsWith("pushed commit '" + sha.substring(0, 7) + "' to branch 'main'\n"),
                commit.get("message").asText());
        assertEquals("main@sha1:" + sha, commit.at("/metadata/image.toolkit.fluxcd.io~1revision").asText());
        assertEquals("e2e", commit.at("/metadata/cluster").asText());
        assertEquals("git-writer", commit.get("reportingController").asText());

        JsonNode selection = JSON.readTree(accepted(selected).get(0).body());
        assertEquals("ImagePolicy", selection.at("/involvedObject/kind").asText());
        assertEquals("Latest image tag for '" + registry.host() + "/notify/app' updated from 1.0.0 to 1.1.0",
                selection.get("message").asText());

        JsonNode status = JSON.readTree(E2e.get(chain.url("notifier") + "/api/v1/alerts").body());
        assertEquals("flux-system/releases", status.get(0).get("alert").asText());
        assertTrue(status.get(0).get("delivered").asInt() >= 2, status.toString()); // and the first selection, 1.0.0
    }
}
