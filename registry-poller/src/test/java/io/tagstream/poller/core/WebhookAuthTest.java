package io.tagstream.poller.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What headers alone can prove, before a body is read (issue 15, item 4). */
class WebhookAuthTest {

    record Row(String type, Map<String, String> headers, Optional<String> expected) {}

    @Test
    void theHeadersVerdict() {
        String t = "s3cret";
        for (Row r : List.of(
                new Row("generic", Map.of("authorization", "Bearer s3cret"), Optional.empty()),
                new Row("generic", Map.of("Authorization", "Bearer guessed"), Optional.of("Bearer token does not match the receiver's token")),
                new Row("distribution", Map.of(), Optional.of("missing Authorization: Bearer <token>")),
                new Row("harbor", Map.of("Authorization", "s3cret"), Optional.empty()),
                new Row("jfrog", Map.of("X-JFrog-Event-Auth", "nope"), Optional.of("X-Jfrog-Event-Auth does not match the receiver's token")),
                new Row("gitlab", Map.of("X-Gitlab-Token", "s3cret"), Optional.empty()),
                // a signature is over the body: nothing is judged from the headers, whatever they say
                new Row("github", Map.of("X-Hub-Signature-256", "sha256=00"), Optional.empty()),
                new Row("nexus", Map.of(), Optional.empty()),
                new Row("generic-hmac", Map.of(), Optional.empty()))) {
            assertEquals(r.expected(), WebhookAuth.checkHeaders(r.type(), r.headers(), t), r.type() + " " + r.headers());
        }
    }

    @Test
    void exactlyTheSigningProvidersNeedTheBody() {
        for (String type : List.of("github", "nexus", "generic-hmac")) {
            assertEquals(true, WebhookAuth.signsBody(type), type);
        }
        for (String type : List.of("generic", "distribution", "harbor", "jfrog", "gitlab", "gcr", "acr", "dockerhub", "quay")) {
            assertEquals(false, WebhookAuth.signsBody(type), type);
        }
    }
}
