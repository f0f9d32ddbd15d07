package io.tagstream.poller.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.common.events.Json;
import io.tagstream.poller.core.WebhookPayloads.Hint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every provider's sample payload (copied from the design samples into test resources) → the hints it carries. */
class WebhookPayloadsTest {

    static Hint hint(String host, String path, String tag) {
        return new Hint(Optional.ofNullable(host), path, Optional.ofNullable(tag));
    }

    /** A hint naming who pushed, as the provider's sample does. */
    static Hint hint(String host, String path, String tag, String pushedBy) {
        return new Hint(Optional.ofNullable(host), path, Optional.ofNullable(tag), Optional.of(pushedBy));
    }

    static Stream<Arguments> samples() {
        return Stream.of(
                Arguments.of("distribution", "distribution.json", List.of(hint("registry.example", "eose-fleet/pemos-portal", "924", "ci"))),
                Arguments.of("acr", "acr.json", List.of(hint("ctfacentry.azurecr.io", "eose-fleet/pemos-portal", "924"))),
                Arguments.of("dockerhub", "dockerhub.json", List.of(hint("docker.io", "tazzo/tazlab-blog", "blog-46-c0ffee1", "tazzo"))),
                Arguments.of("harbor", "harbor.json", List.of(hint("harbor.example.com", "cleanstart/base", "1.4.2", "robot$ci"))),
                Arguments.of("quay", "quay.json", List.of(hint("quay.io", "eose/mrcp-agent", "2.3.0"), hint("quay.io", "eose/mrcp-agent", "latest"))),
                Arguments.of("github", "github-registry_package.json", List.of(hint("ghcr.io", "eose-sre/openclaw-fleet", "924", "github-actions[bot]"))),
                Arguments.of("github", "github-package.json", List.of(hint("ghcr.io", "eose-sre/openclaw-fleet", "925", "github-actions[bot]"))),
                // Gitea's structs.PackagePayload (no published sample; written from its Go structs), under its own type
                // and under Flux's github type, which Flux tells Gitea users to pick
                Arguments.of("gitea", "gitea-package.json", List.of(hint("gitea.example.com:3000", "platform/supervisor",
                        "4f0c2a9e1b7d3c5a6e8f0a1b2c3d4e5f6a7b8c9d", "ci-bot"))),
                Arguments.of("github", "gitea-package.json", List.of(hint("gitea.example.com:3000", "platform/supervisor",
                        "4f0c2a9e1b7d3c5a6e8f0a1b2c3d4e5f6a7b8c9d", "ci-bot"))),
                Arguments.of("jfrog", "jfrog.json", List.of(hint(null, "cleanstart/runtime-python", "3.12"))),
                Arguments.of("nexus", "nexus.json", List.of(hint(null, "myapp/runtime", "v1.2.0", "admin"))),
                Arguments.of("gcr", "gar-pubsub.json", List.of(hint("us-central1-docker.pkg.dev", "my-gcp-project/cleanstart/base", "v1.2.0"))),
                Arguments.of("generic", "generic.json", List.of(hint("registry.example", "eose-fleet/pemos-portal", "924"))));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("samples")
    void readsEachProvidersSample(String type, String file, List<Hint> expected) throws Exception {
        var body = Json.mapper().readTree(Files.readString(Path.of("src/test/resources/webhooks/" + file)));
        var reading = WebhookPayloads.read(type, body, Optional.empty());
        assertTrue(reading instanceof WebhookPayloads.Hints, reading.toString());
        assertEquals(expected, ((WebhookPayloads.Hints) reading).hints());
    }

    @Test
    void pullsBlobsAndUntaggedPushesAreIgnored() throws Exception {
        var body = Json.mapper().readTree("""
                {"events": [
                  {"action": "pull", "target": {"repository": "a/b", "tag": "1", "mediaType": "application/vnd.oci.image.manifest.v1+json"}},
                  {"action": "push", "target": {"repository": "a/b", "mediaType": "application/octet-stream"}},
                  {"action": "push", "target": {"repository": "a/b", "mediaType": "application/vnd.oci.image.manifest.v1+json"}}]}""");
        var reading = WebhookPayloads.read("distribution", body, Optional.empty());
        assertEquals(new WebhookPayloads.Ignored("pull of a/b; blob push to a/b; untagged manifest push to a/b"), reading);
    }

    /** Gitea fires 'created' for every manifest: a digest-only version or a cosign tag names nothing to select. */
    @Test
    void giteasDigestOnlyVersionsSignaturesAndDeletesAreIgnored() throws Exception {
        String sample = Files.readString(Path.of("src/test/resources/webhooks/gitea-package.json"));
        String v = "4f0c2a9e1b7d3c5a6e8f0a1b2c3d4e5f6a7b8c9d";
        String digest = "sha256:" + "a".repeat(64);
        String sig = "sha256-" + "b".repeat(64) + ".sig";
        assertEquals(new WebhookPayloads.Ignored("digest-only version of supervisor (no tag)"), WebhookPayloads.read("gitea",
                Json.mapper().readTree(sample.replace(v, digest)), Optional.empty()));
        assertEquals(new WebhookPayloads.Ignored("signature or attestation tag " + sig + " of supervisor"), WebhookPayloads.read("gitea",
                Json.mapper().readTree(sample.replace(v, sig)), Optional.empty()));
        assertEquals(new WebhookPayloads.Ignored("Gitea package action deleted of supervisor"), WebhookPayloads.read("gitea",
                Json.mapper().readTree(sample.replace("\"created\"", "\"deleted\"")), Optional.empty()));
        assertEquals(new WebhookPayloads.Ignored("Gitea package of type npm"), WebhookPayloads.read("gitea",
                Json.mapper().readTree(sample.replace("\"container\"", "\"npm\"")), Optional.empty()));
        assertThrows(WebhookPayloads.Malformed.class, () -> WebhookPayloads.read("gitea", Json.mapper().readTree("{\"action\": \"created\"}"),
                Optional.empty()));
    }

    @Test
    void malformedPayloadsSayWhatIsMissing() {
        var e = assertThrows(WebhookPayloads.Malformed.class,
                () -> WebhookPayloads.read("dockerhub", Json.mapper().readTree("{\"push_data\": {}}"), Optional.empty()));
        assertEquals("Docker Hub payload repository has no 'repo_name'", e.getMessage());
        assertThrows(WebhookPayloads.Malformed.class, () -> WebhookPayloads.read("distribution", Json.mapper().readTree("[1]"), Optional.empty()));
        assertThrows(WebhookPayloads.Malformed.class, () -> WebhookPayloads.read("gcr", Json.mapper().readTree("{\"message\": {\"data\": \"%%%\"}}"), Optional.empty()));
    }

    @Test
    void signaturesAndTokensAreChecked() {
        byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        String gh = "sha256=" + WebhookAuth.sign("HmacSHA256", body, "t0k");
        assertEquals(Optional.empty(), WebhookAuth.check("github", Map.of("X-Hub-Signature-256", gh), body, "t0k"));
        assertEquals(Optional.of("X-Hub-Signature-256 signature does not match the body"),
                WebhookAuth.check("github", Map.of("X-Hub-Signature-256", gh), "{\"a\":2}".getBytes(StandardCharsets.UTF_8), "t0k"));
        assertEquals(Optional.empty(), WebhookAuth.check("nexus",
                Map.of("x-nexus-webhook-signature", WebhookAuth.sign("HmacSHA1", body, "t0k")), body, "t0k"));
        assertEquals(Optional.empty(), WebhookAuth.check("generic-hmac",
                Map.of("X-Signature", "sha512=" + WebhookAuth.sign("HmacSHA512", body, "t0k")), body, "t0k"));
        assertEquals(Optional.empty(), WebhookAuth.check("gitea", Map.of("X-Gitea-Signature", WebhookAuth.sign("HmacSHA256", body, "t0k")),
                body, "t0k"), "Gitea's own header: the hex HMAC-SHA256 of the body");
        assertEquals(Optional.empty(), WebhookAuth.check("gitea", Map.of("X-Hub-Signature-256", gh), body, "t0k"), "or GitHub's, which Gitea sends too");
        assertEquals(Optional.of("X-Gitea-Signature signature does not match the body"), WebhookAuth.check("gitea",
                Map.of("X-Gitea-Signature", WebhookAuth.sign("HmacSHA256", body, "other")), body, "t0k"));
        assertEquals(Optional.of("missing X-Gitea-Signature or X-Hub-Signature-256 signature"), WebhookAuth.check("gitea", Map.of(), body, "t0k"));
        assertEquals(Optional.empty(), WebhookAuth.check("harbor", Map.of("Authorization", "t0k"), body, "t0k"));
        assertEquals(Optional.empty(), WebhookAuth.check("jfrog", Map.of("X-Jfrog-Event-Auth", "t0k"), body, "t0k"));
        assertEquals(Optional.empty(), WebhookAuth.check("gitlab", Map.of("X-Gitlab-Token", "t0k"), body, "t0k"));
        assertEquals(Optional.empty(), WebhookAuth.check("quay", Map.of("Authorization", "Bearer t0k"), body, "t0k"));
        assertEquals(Optional.of("missing Authorization: Bearer <token>"), WebhookAuth.check("acr", Map.of(), body, "t0k"));
        assertEquals(Optional.of("Bearer token does not match the receiver's token"),
                WebhookAuth.check("distribution", Map.of("Authorization", "Bearer nope"), body, "t0k"));
    }

    @Test
    void aPubSubOidcTokenIsRefusedWithTheWayThatWorks() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        Optional<String> why = WebhookAuth.check("gcr", Map.of("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig"), body, "t0k");
        assertTrue(why.orElseThrow().contains("/hook/<sha256(token+name+namespace)>"), why.toString());
        assertEquals(Optional.empty(), WebhookAuth.check("gcr", Map.of("Authorization", "Bearer t0k"), body, "t0k"));
    }
}
