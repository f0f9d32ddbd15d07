package io.tagstream.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.registry.RegistryClient;
import io.tagstream.launcher.Chain;
import io.tagstream.launcher.Ops;
import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.Ports;
import io.tagstream.testkit.RegistryProxy;
import io.tagstream.testkit.TestImages;
import io.tagstream.testkit.WorkDirs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The CleanStart-style vendor mirror through the running chain: an "upstream" docker-registry with 12 tags of
 * {@code cleanstart/base} (multi-arch indexes, a cosign signature, tags the selector refuses), a flux-mirror Config
 * entry (regex + semver, limit 5, includeReferrers) taken by an ImageMirror (prune keepLast 5, a Receiver naming it)
 * into an "enterprise" docker-registry: the first scan copies the five, digests kept; a webhook push is at the
 * destination within 2 s; prune removes the sixth-newest copy it made and never a tag it did not create; a re-tag
 * upstream is drift; a promoter killed mid-copy leaves no partial tag and no second copy.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VendorMirrorChainTest {

    static final String TOKEN = "vendor-hook-token";
    static final String REPO = "cleanstart/base";
    static final String DEST = "vendor/cleanstart/base";
    static final String MIRROR = "platform/cleanstart-base";

    static LocalRegistry upstream;
    static LocalRegistry enterprise;
    static Chain chain;
    static final Map<String, TestImages.Pushed> pushed = new LinkedHashMap<>();
    static KeyPair vendorKey;
    static LocalRegistry readOnly;
    static RegistryProxy proxy;
    static TestImages.Pushed runtime;
    static final List<TestImages.Pushed> referrers = new CopyOnWriteArrayList<>();
    static TestImages.Pushed nginx10;
    static TestImages.Pushed nginx11;

    @BeforeAll
    static void start() throws Exception {
        int pollerPort = Ports.free();
        upstream = LocalRegistry.builder().notify("http://127.0.0.1:" + pollerPort + "/api/v1/webhooks/distribution/platform/vendor",
                Map.of("Authorization", "Bearer " + TOKEN)).start();
        enterprise = LocalRegistry.start();
        readOnly = LocalRegistry.builder().readOnly().start();
        // 12 tags: 1.0.0–1.7.0 (1.5.0 and 1.7.0 two-platform indexes, which add their -amd64/-arm64 tags), latest, and
        // the signature of 1.7.0; the selector takes the five highest x.y.z
        for (int i = 0; i <= 7; i++) {
            String tag = "1." + i + ".0";
            pushed.put(tag, i == 5 || i == 7 ? TestImages.pushIndex(upstream, REPO, tag, 2048) : TestImages.push(upstream, REPO, tag));
        }
        TestImages.push(upstream, REPO, "latest");
        TestImages.push(upstream, REPO, sigTag(pushed.get("1.7.0").digest()));
        // 1.3.0 is at the enterprise already (copied by hand): recorded by the mirror, never created, so never its to delete
        enterprise.skopeo("copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--preserve-digests",
                "docker://" + pushed.get("1.3.0").reference(), "docker://" + enterprise.host() + "/" + DEST + ":1.3.0");

        // cleanstart/runtime is read through the test kit's proxy, which serves the OCI 1.1 referrers API that
        // docker-registry 2.8 lacks: an SBOM attached to 3.12.1 is listed there
        runtime = TestImages.push(upstream, "cleanstart/runtime", "3.12.1");
        referrers.add(TestImages.pushReferrer(upstream, "cleanstart/runtime", runtime, "application/spdx+json", "{\"spdxVersion\":\"SPDX-2.3\"}"));
        proxy = new RegistryProxy(upstream).route("/v2/cleanstart/runtime/referrers/", ex -> {
            StringBuilder index = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + RegistryClient.OCI_INDEX + "\",\"manifests\":[");
            boolean ofRuntime = ex.getRequestURI().getPath().endsWith("/" + runtime.digest());
            for (TestImages.Pushed r : ofRuntime ? List.copyOf(referrers) : List.<TestImages.Pushed>of()) {
                index.append(index.charAt(index.length() - 1) == '[' ? "" : ",").append("{\"mediaType\":\"").append(r.mediaType())
                        .append("\",\"digest\":\"").append(r.digest()).append("\",\"size\":").append(r.size())
                        .append(",\"artifactType\":\"application/spdx+json\"}");
            }
            byte[] body = index.append("]}").toString().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", RegistryClient.OCI_INDEX);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });

        Path root = WorkDirs.create("vendor-mirror-chain");
        Path config = Files.createDirectories(root.resolve("config"));
        Files.writeString(config.resolve("flux-mirror.yaml"), """
                apiVersion: mirror.plugin.fluxcd.io/v1beta2
                kind: Config
                artifacts:
                  - source: %1$s/%3$s
                    destination: %2$s/%4$s
                    selector:
                      regex: {pattern: '^v?(?P<version>[0-9]+\\.[0-9]+\\.[0-9]+)$', extract: '$version'}
                      semver: '>=1.0.0'
                      limit: 5
                    includeReferrers: true
                """.formatted(upstream.host(), enterprise.host(), REPO, DEST));
        Files.writeString(config.resolve("tagstream.yaml"), """
                apiVersion: tagstream.io/v1alpha1
                kind: Registry
                metadata: {name: upstream, namespace: platform}
                spec: {host: '%1$s', insecure: true}
                ---
                apiVersion: tagstream.io/v1alpha1
                kind: Registry
                metadata: {name: enterprise, namespace: platform}
                spec: {host: '%2$s', insecure: true}
                ---
                apiVersion: tagstream.io/v1alpha1
                kind: ImageMirror
                metadata: {name: cleanstart-base, namespace: platform}
                spec:
                  configRef: {destination: '%2$s/%3$s'}
                  interval: 1h
                  prune: {keepLast: 5, untagged: true}
                ---
                apiVersion: tagstream.io/v1alpha1
                kind: ImageMirror
                metadata: {name: cleanstart-nginx, namespace: platform}
                spec:
                  source: '%1$s/cleanstart/nginx'
                  destination: '%2$s/vendor/cleanstart/nginx'
                  selector: {semver: '>=1.0.0', limit: 3}
                  verify:
                    provider: cosign
                    publicKeySecretRef: {name: cleanstart-cosign}
                  interval: 1h
                ---
                apiVersion: tagstream.io/v1alpha1
                kind: Registry
                metadata: {name: frozen, namespace: platform}
                spec: {host: '%5$s', insecure: true}
                ---
                apiVersion: tagstream.io/v1alpha1
                kind: ImageMirror
                metadata: {name: cleanstart-frozen, namespace: platform}
                spec:
                  source: '%1$s/cleanstart/runtime'
                  destination: '%5$s/vendor/cleanstart/runtime'
                  selector: {semver: '3.12.x'}
                  interval: 1h
                ---
                apiVersion: tagstream.io/v1alpha1
                kind: Registry
                metadata: {name: upstream-proxy, namespace: platform}
                spec: {host: '%4$s', insecure: true}
                ---
                apiVersion: tagstream.io/v1alpha1
                kind: ImageMirror
                metadata: {name: cleanstart-runtime, namespace: platform}
                spec:
                  source: '%4$s/cleanstart/runtime'
                  destination: '%2$s/vendor/cleanstart/runtime'
                  selector: {semver: '3.12.x'}
                  includeReferrers: true
                  interval: 10s
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1
                kind: Receiver
                metadata: {name: vendor, namespace: platform}
                spec:
                  type: distribution
                  secretRef: {name: webhook-token}
                  resources: [{kind: ImageMirror, name: cleanstart-base}, {kind: ImageMirror, name: cleanstart-nginx}]
                """.formatted(upstream.host(), enterprise.host(), DEST, proxy.host(), readOnly.host()));
        E2e.secret(root.resolve("secrets"), "platform", "webhook-token", "token", TOKEN);
        KeyPairGenerator keys = KeyPairGenerator.getInstance("EC");
        keys.initialize(new ECGenParameterSpec("secp256r1"));
        vendorKey = keys.generateKeyPair();
        E2e.secret(root.resolve("secrets"), "platform", "cleanstart-cosign", "cosign.pub", "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(vendorKey.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        nginx10 = TestImages.push(upstream, "cleanstart/nginx", "1.0.0");
        TestImages.pushCosignSignature(upstream, "cleanstart/nginx", nginx10.digest(), vendorKey.getPrivate());
        nginx11 = TestImages.push(upstream, "cleanstart/nginx", "1.1.0"); // not signed (yet)
        chain = E2e.start(root, config, E2e.ports(pollerPort), Map.of());
    }

    @AfterAll
    static void stop() {
        E2e.closeAll(chain, proxy, upstream, enterprise, readOnly);
    }

    static String sigTag(String digest) {
        return digest.replace(':', '-') + ".sig";
    }

    /** The digest the enterprise registry holds under a tag, if any. */
    static Optional<String> atDestination(String tag) {
        return digestAt(DEST, tag);
    }

    static JsonNode status() {
        return E2e.json(E2e.get(chain.url("promoter") + "/api/v1/mirrors/" + MIRROR).body());
    }

    static String tagStatus(String tag) {
        return StreamSupport.stream(status().path("tags").spliterator(), false)
                .filter(t -> t.path("destinationTag").asText().equals(tag)).map(t -> t.path("status").asText()).findFirst().orElse("");
    }

    static List<AuditRecord> audit(String action) {
        return E2e.auditWithKcat().stream().filter(a -> a.subject().equals(MIRROR) && a.action().equals(action)).toList();
    }

    @Test
    @Order(1)
    void theFirstScanCopiesTheFiveHighestWithTheirDigestsAndTheSignature() {
        E2e.post(chain.url("registry-poller") + "/api/v1/repositories/" + MIRROR + "/scan", "", Map.of());
        E2e.await("the five highest at the destination", Duration.ofSeconds(60), () -> List.of("1.7.0", "1.6.0", "1.5.0", "1.4.0",
                "1.3.0").stream().allMatch(t -> atDestination(t).equals(Optional.of(pushed.get(t).digest()))));
        E2e.await("the signature of 1.7.0", Duration.ofSeconds(20),
                () -> atDestination(sigTag(pushed.get("1.7.0").digest())).isPresent());
        for (String t : List.of("1.2.0", "1.1.0", "1.0.0", "latest", "1.5.0-amd64")) {
            assertEquals(Optional.empty(), atDestination(t), t + " is not selected");
        }
        assertEquals(List.of("1.7.0", "1.6.0", "1.5.0", "1.4.0", "1.3.0"), StreamSupport.stream(status().path("selected").spliterator(),
                false).map(JsonNode::asText).toList());
        E2e.await("the statuses", Duration.ofSeconds(10), () -> tagStatus("1.7.0").equals("copied") && tagStatus("1.3.0").equals("skipped"));
        assertEquals("skipped", tagStatus("1.3.0"), "1.3.0 was there with this digest: recorded, not created");
        assertEquals(5, audit("mirror.copied").size(), "1.7.0, 1.6.0, 1.5.0, 1.4.0 and the signature: " + audit("mirror.copied"));
    }

    @Test
    @Order(2)
    void aWebhookPushIsAtTheDestinationWithinTwoSecondsAndPruneTakesTheSixthNewestCopy() {
        TestImages.Pushed v180 = TestImages.push(upstream, REPO, "1.8.0");
        long t0 = System.nanoTime();
        E2e.await("1.8.0 at the destination", Duration.ofSeconds(10), () -> atDestination("1.8.0").equals(Optional.of(v180.digest())));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 2000, "webhook push → destination took " + ms + " ms");
        System.out.println("webhook push → tag at the destination: " + ms + " ms");
        // 1.3.0 leaves the selection but the mirror did not create it: nothing to prune yet
        Chain.sleep(1500);
        assertEquals(Optional.of(pushed.get("1.3.0").digest()), atDestination("1.3.0"));
        TestImages.Pushed v190 = TestImages.push(upstream, REPO, "1.9.0");
        E2e.await("1.9.0 copied and 1.4.0, the sixth-newest copy, pruned", Duration.ofSeconds(15),
                () -> atDestination("1.9.0").equals(Optional.of(v190.digest())) && atDestination("1.4.0").isEmpty());
        assertEquals(Optional.of(pushed.get("1.3.0").digest()), atDestination("1.3.0"), "found there, not created: never pruned");
        assertTrue(atDestination(sigTag(pushed.get("1.7.0").digest())).isPresent());
        for (String t : List.of("1.9.0", "1.8.0", "1.7.0", "1.6.0", "1.5.0")) {
            assertTrue(atDestination(t).isPresent(), t + " is kept");
        }
        assertEquals(1, audit("mirror.pruned").size(), audit("mirror.pruned").toString());
        assertTrue(audit("mirror.pruned").get(0).reason().startsWith("1.4.0: pruned"), audit("mirror.pruned").toString());
    }

    @Test
    @Order(3)
    void aReTagUpstreamIsDriftAndTheDestinationIsLeftAlone() {
        String before = atDestination("1.8.0").orElseThrow();
        TestImages.Pushed moved = TestImages.push(upstream, REPO, "1.8.0", 2, 512);
        E2e.await("1.8.0 drifted", Duration.ofSeconds(15), () -> tagStatus("1.8.0").equals("drifted"));
        assertEquals(Optional.of(before), atDestination("1.8.0"), "overwrite is off");
        E2e.await("the drift audited", Duration.ofSeconds(10), () -> audit("mirror.drifted").size() == 1);
        assertTrue(audit("mirror.drifted").get(0).reason().contains(moved.digest()), audit("mirror.drifted").toString());
        Chain.sleep(6000); // a check later: said once, not again
        assertEquals(1, audit("mirror.drifted").size());
    }

    @Test
    @Order(4)
    void aPromoterKilledMidCopyLeavesNoPartialTagAndCopiesOnce() {
        TestImages.Pushed big = TestImages.push(upstream, REPO, "2.0.0", 6, 4 << 20);
        E2e.await("2.0.0 seen", Duration.ofSeconds(10), () -> !tagStatus("2.0.0").isEmpty());
        chain.stopService("promoter", true); // SIGKILL, maybe mid-copy
        Optional<String> meanwhile = atDestination("2.0.0");
        assertTrue(meanwhile.isEmpty() || meanwhile.get().equals(big.digest()), "never a partial tag: " + meanwhile);
        chain.startService(Chain.service("promoter"));
        chain.awaitHealthy(Duration.ofSeconds(120));
        E2e.await("2.0.0 at the destination", Duration.ofSeconds(60), () -> atDestination("2.0.0").equals(Optional.of(big.digest())));
        Chain.sleep(6000);
        List<String> copied = new ArrayList<>();
        audit("mirror.copied").forEach(a -> copied.add(a.reason().substring(0, a.reason().indexOf(':'))));
        assertEquals(1, copied.stream().filter("2.0.0"::equals).count(), "copied once: " + copied);
        assertFalse(copied.stream().anyMatch(t -> copied.indexOf(t) != copied.lastIndexOf(t)), "no tag copied twice: " + copied);
    }

    @Test
    @Order(5)
    void aMirrorThatVerifiesCopiesOnlyWhatTheVendorsKeySigned() {
        String nginx = "vendor/cleanstart/nginx";
        E2e.await("signed 1.0.0 copied", Duration.ofSeconds(30), () -> digestAt(nginx, "1.0.0").equals(Optional.of(nginx10.digest())));
        E2e.await("unsigned 1.1.0 refused", Duration.ofSeconds(30), () -> E2e.auditWithKcat().stream().anyMatch(a ->
                a.subject().equals("platform/cleanstart-nginx") && a.action().equals("mirror.failed")
                && a.reason().startsWith("1.1.0: failed — verify:") && a.reason().contains("has no cosign signature")));
        assertEquals(Optional.empty(), digestAt(nginx, "1.1.0"), "never copied unverified");
        // signed by someone else: still refused, with the reason
        try {
            KeyPairGenerator keys = KeyPairGenerator.getInstance("EC");
            keys.initialize(new ECGenParameterSpec("secp256r1"));
            TestImages.pushCosignSignature(upstream, "cleanstart/nginx", nginx11.digest(), keys.generateKeyPair().getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        E2e.await("a foreign signature refused", Duration.ofSeconds(40), () -> E2e.auditWithKcat().stream().anyMatch(a ->
                a.subject().equals("platform/cleanstart-nginx") && a.reason().contains("a signature the key does not verify")));
        assertEquals(Optional.empty(), digestAt(nginx, "1.1.0"));
        // the vendor signs it: copied at the next try
        TestImages.pushCosignSignature(upstream, "cleanstart/nginx", nginx11.digest(), vendorKey.getPrivate());
        E2e.await("1.1.0 copied once signed", Duration.ofSeconds(60), () -> digestAt(nginx, "1.1.0").equals(Optional.of(nginx11.digest())));
    }

    static Optional<String> digestAt(String repository, String tag) {
        HttpResponse<String> r = E2e.send(HttpRequest.newBuilder(URI.create(enterprise.url() + "/v2/" + repository + "/manifests/" + tag))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).header("Accept", RegistryClient.MANIFEST_ACCEPT).build());
        return r.statusCode() == 200 ? r.headers().firstValue("Docker-Content-Digest") : Optional.empty();
    }

    @Test
    @Order(6)
    void referrersTheSourceListsThroughTheReferrersApiAreCopiedAndListedUnderTheTagSchemaAlsoWhenPublishedLater() {
        String repo = "vendor/cleanstart/runtime";
        String schemaTag = runtime.digest().replace(':', '-');
        E2e.await("3.12.1 and its SBOM at the destination", Duration.ofSeconds(30), () -> digestAt(repo, "3.12.1").isPresent()
                && digestAt(repo, referrers.get(0).digest()).isPresent());
        E2e.await("the referrers tag schema index", Duration.ofSeconds(10), () -> listed(repo, schemaTag).equals(List.of(referrers.get(0).digest())));
        // a second SBOM published after the first mirror: copied at the next look (interval 10s)
        referrers.add(TestImages.pushReferrer(upstream, "cleanstart/runtime", runtime, "application/spdx+json", "{\"spdxVersion\":\"SPDX-2.3\",\"name\":\"2\"}"));
        E2e.await("the later SBOM copied and listed", Duration.ofSeconds(40), () -> listed(repo, schemaTag)
                .equals(List.of(referrers.get(0).digest(), referrers.get(1).digest())) && digestAt(repo, referrers.get(1).digest()).isPresent());
    }

    /** The digests the referrers tag schema index at the destination lists. */
    static List<String> listed(String repository, String tag) {
        HttpResponse<String> r = E2e.send(HttpRequest.newBuilder(URI.create(enterprise.url() + "/v2/" + repository + "/manifests/" + tag))
                .header("Accept", RegistryClient.OCI_INDEX).build());
        if (r.statusCode() != 200) {
            return List.of();
        }
        return StreamSupport.stream(E2e.json(r.body()).path("manifests").spliterator(), false).map(d -> d.path("digest").asText()).toList();
    }

    @Test
    @Order(7)
    void aDestinationThatRefusesWritesIsSaidInTheRegistrysOwnWordsAndNothingElseStops() {
        E2e.await("the read-only destination's refusal", Duration.ofSeconds(30), () -> E2e.auditWithKcat().stream().anyMatch(a ->
                a.subject().equals("platform/cleanstart-frozen") && a.action().equals("mirror.failed")
                && a.reason().startsWith("3.12.1: failed — upload to " + readOnly.host()) && a.reason().contains("refused: 405")));
        var frozen = E2e.json(E2e.get(chain.url("promoter") + "/api/v1/mirrors/platform/cleanstart-frozen").body());
        assertEquals("failed", frozen.path("tags").get(0).path("status").asText(), frozen.toString());
        assertTrue(atDestination("1.9.0").isPresent(), "the other mirrors go on");

        // what an operator types: ./tagstream status lists every mirror with its counts
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new Ops(Map.of("TAGSTREAM_POLLER_URL", chain.url("registry-poller"), "TAGSTREAM_EVALUATOR_URL",
                chain.url("policy-evaluator"), "TAGSTREAM_PROMOTER_URL", chain.url("promoter"), "TAGSTREAM_GIT_WRITER_URL",
                chain.url("git-writer")), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(),
                true, StandardCharsets.UTF_8)).run(List.of("status"));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, printed);
        assertTrue(printed.contains("MIRRORS") && printed.lines().anyMatch(l -> l.contains("platform/cleanstart-frozen")
                && l.contains(DEST.replace("cleanstart/base", "cleanstart/runtime")) && l.trim().endsWith("1")) , printed);
    }
}
