package io.tagstream.e2e;

import io.tagstream.launcher.Chain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.testkit.GitServer;
import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.Ports;
import io.tagstream.testkit.TestImages;
import io.tagstream.testkit.WorkDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Editing the running configuration re-derives what depended on it, on the chain as processes (real broker, two
 * Debian docker-registry instances, git daemon): MECIPOL's move of an ImageRepository from one registry to another
 * holding the same digests makes the marker name the new registry although no tag was pushed; the move survives a
 * restart; a new tag in the new registry, an edited policy range, an automation's path edited (the new path gets the
 * current ref at once), a move to a registry with other digests and a removed repository and policy take effect at
 * the next reload.
 */
class ConfigEditsChainTest {

    static final String FILE = "apps/app/deployment.yaml";
    static final String FILE_V2 = "apps-v2/app/deployment.yaml";
    static LocalRegistry a;
    static LocalRegistry b;
    static LocalRegistry c;
    static GitServer git;
    static Chain chain;
    static Path config;

    @BeforeAll
    static void start() throws Exception {
        a = LocalRegistry.start();
        b = LocalRegistry.start();
        c = LocalRegistry.start();
        TestImages.Pushed v100 = TestImages.push(a, "team/app", "1.0.0");
        TestImages.Pushed v110 = TestImages.push(a, "team/app", "1.1.0");
        for (TestImages.Pushed p : new TestImages.Pushed[] {v100, v110}) {
            b.skopeo("copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--preserve-digests",
                    "docker://" + p.reference(), "docker://" + b.host() + "/fleet/app:" + p.tag());
        }
        git = GitServer.start();
        git.createBare("fleet", "main");
        git.commit("fleet", "main", Map.of(FILE, E2e.deployment("app", a.host() + "/team/app:1.0.0", "flux-system:app"),
                FILE_V2, E2e.deployment("app", "old.example/app:0.1.0", "flux-system:app")), "seed", "ops");
        Path root = WorkDirs.create("config-edits");
        config = Files.createDirectories(root.resolve("config"));
        write(a.host() + "/team/app", ">=1.0.0", true);
        chain = E2e.start(root, config, E2e.ports(Ports.free()), Map.of("TAGSTREAM_CONFIG_RELOAD_INTERVAL", "1s"));
    }

    @AfterAll
    static void stop() {
        E2e.closeAll(chain, a, b, c, git);
    }

    static void write(String image, String range, boolean withApp) throws Exception {
        write(image, range, withApp, "./apps");
    }

    static void write(String image, String range, boolean withApp, String updatePath) throws Exception {
        String app = E2e.semverApp("app", image, git.url("fleet"), updatePath).replace("interval: 1h", "interval: 1s")
                .replace("range: '>=1.0.0'", "range: '" + range + "'");
        if (!withApp) { // only the GitRepository and the automation stay
            app = app.substring(app.indexOf("apiVersion: source.toolkit.fluxcd.io/v1"));
        }
        Path tmp = config.resolveSibling("app.yaml.tmp");
        Files.writeString(tmp, app);
        Files.move(tmp, config.resolve("app.yaml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static String marker() {
        return marker(FILE);
    }

    static String marker(String file) {
        return git.inBare("fleet", "show", "main:" + file).lines().filter(l -> l.contains("$imagepolicy")).findFirst()
                .orElseThrow().trim();
    }

    static int commits() {
        return git.inBare("fleet", "log", "--format=%H", "main").lines().toList().size();
    }

    static void awaitMarker(String ref) {
        E2e.await("the marker to name " + ref, Duration.ofSeconds(60), () -> marker().startsWith("image: " + ref + " "));
    }

    static JsonNode policy() {
        for (JsonNode p : E2e.json(E2e.get(chain.url("policy-evaluator") + "/api/v1/policies").body())) {
            if (p.path("policy").asText().equals("flux-system/app")) {
                return p;
            }
        }
        return null;
    }

    static JsonNode repository() {
        for (JsonNode r : E2e.json(E2e.get(chain.url("registry-poller") + "/api/v1/repositories").body())) {
            if (r.path("id").asText().equals("flux-system/app")) {
                return r;
            }
        }
        return null;
    }

    @Test
    void editsTakeEffectAtTheNextReload() throws Exception {
        awaitMarker(a.host() + "/team/app:1.1.0");
        assertEquals(2, commits());

        // MECIPOL's move: same tags, same digests, another registry; nothing is pushed
        write(b.host() + "/fleet/app", ">=1.0.0", true);
        awaitMarker(b.host() + "/fleet/app:1.1.0");
        assertEquals(3, commits(), "one commit renames the image");
        E2e.await("the poller and the evaluator to show the new image", Duration.ofSeconds(30), () -> {
            JsonNode r = repository();
            JsonNode p = policy();
            return r != null && p != null && r.path("canonical").asText().equals(b.host() + "/fleet/app")
                    && r.path("tagCount").asInt() == 2 && p.path("image").asText().equals(b.host() + "/fleet/app")
                    && p.path("latest").path("tag").asText().equals("1.1.0");
        });
        assertTrue(policy().toString().contains(b.host()) && !policy().path("latest").toString().contains(a.host()),
                "no trace of the old registry in the selection: " + policy());

        // across a restart of the services that keep facts: nothing is announced again, nothing reverts
        for (String s : new String[] {"registry-poller", "policy-evaluator", "git-writer"}) {
            chain.stopService(s, false);
            chain.startService(Chain.service(s));
        }
        chain.awaitHealthy(Duration.ofSeconds(120));
        Thread.sleep(4000); // several polls
        assertEquals(3, commits(), "a restart changes nothing");
        assertEquals("image: " + b.host() + "/fleet/app:1.1.0 # {\"$imagepolicy\": \"flux-system:app\"}", marker());

        // the new registry is the one polled
        TestImages.push(b, "fleet/app", "1.2.0");
        TestImages.push(a, "team/app", "1.9.0");
        awaitMarker(b.host() + "/fleet/app:1.2.0");
        Thread.sleep(3000);
        assertEquals("image: " + b.host() + "/fleet/app:1.2.0 # {\"$imagepolicy\": \"flux-system:app\"}", marker(),
                "the old registry's tags are never selected");

        // an edited range selects again from the tags already known
        write(b.host() + "/fleet/app", ">=1.0.0 <1.2.0", true);
        awaitMarker(b.host() + "/fleet/app:1.1.0");

        // the automation's path edited: the new path gets the ref at this reload, not at the next push; the old path
        // is left as it is
        write(b.host() + "/fleet/app", ">=1.0.0 <1.2.0", true, "./apps-v2");
        E2e.await("the new path's marker to name " + b.host() + "/fleet/app:1.1.0", Duration.ofSeconds(60),
                () -> marker(FILE_V2).startsWith("image: " + b.host() + "/fleet/app:1.1.0 "));
        assertEquals("image: " + b.host() + "/fleet/app:1.1.0 # {\"$imagepolicy\": \"flux-system:app\"}", marker(),
                "the old path is not the automation's any more: untouched");

        // moved to a registry whose tags have other digests (the same tag names, built again): the marker follows
        TestImages.Pushed c110 = TestImages.push(c, "mirror/app", "1.1.0", 2, 2048);
        TestImages.push(c, "mirror/app", "1.0.0");
        write(c.host() + "/mirror/app", ">=1.0.0 <1.2.0", true, "./apps-v2");
        E2e.await("the marker to name " + c.host() + "/mirror/app:1.1.0", Duration.ofSeconds(60),
                () -> marker(FILE_V2).startsWith("image: " + c.host() + "/mirror/app:1.1.0 "));
        E2e.await("the evaluator to select the new image's digest", Duration.ofSeconds(30),
                () -> policy() != null && policy().path("latest").path("digest").asText().equals(c110.digest()));

        // a removed repository and policy stop producing events; their state is dropped
        write(c.host() + "/mirror/app", ">=1.0.0 <1.2.0", false, "./apps-v2");
        E2e.await("the repository and the policy to be forgotten", Duration.ofSeconds(30),
                () -> repository() == null && policy() == null && E2e.auditWithKcat().stream()
                        .anyMatch(r -> r.action().equals("repository.removed")) && E2e.auditWithKcat().stream()
                        .anyMatch(r -> r.action().equals("policy.removed")));
        int before = commits();
        TestImages.push(c, "mirror/app", "1.1.5");
        Thread.sleep(4000);
        assertEquals(before, commits(), "nothing is written for a removed policy");
    }
}
