package io.tagstream.notifier.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.common.config.ConfigLoader;
import io.tagstream.common.config.Provider;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.notifier.core.FluxEvent.InvolvedObject;
import io.tagstream.notifier.core.FluxEvent.Severity;
import io.tagstream.notifier.core.Payloads.HttpCall;
import io.tagstream.notifier.core.Payloads.ProviderSecrets;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each Provider type's request, exactly. */
class PayloadsTest {

    static final URI TELEGRAM = URI.create("https://api.telegram.org");

    static final FluxEvent E = new FluxEvent(new InvolvedObject(Events.FLUX_IMAGE, "ImagePolicy", "flux-system", "app"),
            Severity.ERROR, Instant.parse("2026-12-06T10:00:00Z"), "no tag matches\nsecond line", "ReconciliationFailed",
            Map.of("image.toolkit.fluxcd.io/revision", "1.0.0", "env", "prod"), "policy-evaluator", Optional.empty());

    static Provider provider(String spec) {
        TagstreamConfig c = new ConfigLoader().parse(Map.of("p.yaml", """
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Provider
                metadata: {name: p, namespace: flux-system}
                spec: %s
                """.formatted(spec))).config();
        return c.providers().get(0);
    }

    static ProviderSecrets secrets(String address, String token, Map<String, String> headers) {
        return new ProviderSecrets(Optional.ofNullable(address), Optional.ofNullable(token), headers, Optional.empty(), Optional.empty());
    }

    static String body(HttpCall c) {
        return new String(c.body(), StandardCharsets.UTF_8);
    }

    @Test
    void genericPostsTheEventWithTheComponentAndTheSecretsHeaders() {
        HttpCall c = Payloads.request(provider("{type: generic, address: 'https://hooks.example/x'}"),
                secrets(null, null, Map.of("Authorization", "Bearer abc")), E, "d", TELEGRAM);
        assertEquals("POST", c.method());
        assertEquals(URI.create("https://hooks.example/x"), c.uri());
        assertEquals(Map.of("Content-Type", "application/json", "gotk-component", "policy-evaluator", "Authorization", "Bearer abc"),
                c.headers());
        assertEquals(new String(E.json(), StandardCharsets.UTF_8), body(c));
    }

    @Test
    void genericHmacSignsTheExactBody() {
        HttpCall c = Payloads.request(provider("{type: generic-hmac, secretRef: {name: s}}"),
                secrets("https://hooks.example/signed", "key", Map.of()), E, "d", TELEGRAM);
        assertEquals(URI.create("https://hooks.example/signed"), c.uri(), "the secret's address replaces spec.address");
        assertEquals("sha256=" + Payloads.hmac("key", c.body()), c.headers().get("X-Signature"));
        // RFC 4231 test case 2, so the HMAC is the standard one
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                Payloads.hmac("Jefe", "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8)));
        assertThrows(Payloads.NotSendable.class, () -> Payloads.request(provider("{type: generic-hmac, address: 'https://h.example'}"),
                ProviderSecrets.NONE, E, "d", TELEGRAM));
    }

    @Test
    void slackDiscordAndRocketSendOneAttachment() {
        String expected = "{\"channel\":\"general\",\"username\":\"flux\",\"icon_url\":\"\",\"icon_emoji\":\"\",\"attachments\":[{"
                + "\"fallback\":\"imagepolicy/app.flux-system: no tag matches\",\"color\":\"danger\","
                + "\"author_name\":\"imagepolicy/app.flux-system\",\"text\":\"no tag matches\\nsecond line\",\"mrkdwn_in\":[\"text\"],"
                + "\"fields\":[{\"title\":\"env\",\"value\":\"prod\",\"short\":false},{\"title\":\"image.toolkit.fluxcd.io/revision\","
                + "\"value\":\"1.0.0\",\"short\":false}]}]}";
        HttpCall slack = Payloads.request(provider("{type: slack, channel: general, username: flux, secretRef: {name: s}}"),
                secrets("https://hooks.slack.com/services/T/B/X", "xoxb-1", Map.of()), E, "d", TELEGRAM);
        assertEquals(expected, body(slack));
        assertEquals("Bearer xoxb-1", slack.headers().get("Authorization"));
        HttpCall discord = Payloads.request(provider("{type: discord, channel: general, username: flux, address: 'https://discord.com/api/webhooks/1/x'}"),
                ProviderSecrets.NONE, E, "d", TELEGRAM);
        assertEquals(URI.create("https://discord.com/api/webhooks/1/x/slack"), discord.uri());
        assertEquals(expected, body(discord));
        HttpCall rocket = Payloads.request(provider("{type: rocket, address: 'https://rocket.example/hooks/x'}"), ProviderSecrets.NONE,
                E, "d", TELEGRAM);
        assertTrue(body(rocket).startsWith("{\"username\":\"policy-evaluator\","), "the username defaults to the reporter");
        assertFalse(rocket.headers().containsKey("Authorization"));
    }

    @Test
    void aPendingPromotionCarriesApproveAndRejectButtonsOnSlack() {
        String digest = "sha256:" + "ab".repeat(32);
        FluxEvent pending = new FluxEvent(new InvolvedObject("tagstream.io/v1alpha1", "ImagePromotion", "flux-system", "portal-prod"),
                Severity.INFO, Instant.parse("2026-12-06T10:00:00Z"), "qe.example/portal:924@" + digest + ": opened; waiting for an approval",
                "Pending", Map.of(), "promoter", Optional.empty());
        String body = body(Payloads.request(provider("{type: slack, secretRef: {name: s}}"),
                secrets("https://hooks.slack.com/services/T/B/X", null, Map.of()), pending, "d", TELEGRAM));
        String value = "flux-system/portal-prod qe.example/portal:924@" + digest;
        assertTrue(body.contains(",\"blocks\":[{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":"
                + "\"*imagepromotion/portal-prod.flux-system*: qe.example/portal:924@" + digest + ": opened; waiting for an approval\"}},"
                + "{\"type\":\"actions\",\"block_id\":\"tagstream.promotion\",\"elements\":["
                + "{\"type\":\"button\",\"action_id\":\"tagstream.approve\",\"text\":{\"type\":\"plain_text\",\"text\":\"Approve\"},"
                + "\"style\":\"primary\",\"value\":\"" + value + "\"},"
                + "{\"type\":\"button\",\"action_id\":\"tagstream.reject\",\"text\":{\"type\":\"plain_text\",\"text\":\"Reject\"},"
                + "\"style\":\"danger\",\"value\":\"" + value + "\"}]}]}"), body);
        // other events, and a pending one whose reason names no image by digest, keep Flux's message as it is
        assertFalse(body(Payloads.request(provider("{type: slack, secretRef: {name: s}}"),
                secrets("https://hooks.slack.com/services/T/B/X", null, Map.of()), E, "d", TELEGRAM)).contains("blocks"));
        FluxEvent vague = new FluxEvent(pending.involvedObject(), Severity.INFO, pending.timestamp(), "waiting", "Pending", Map.of(),
                "promoter", Optional.empty());
        assertFalse(body(Payloads.request(provider("{type: slack, secretRef: {name: s}}"),
                secrets("https://hooks.slack.com/services/T/B/X", null, Map.of()), vague, "d", TELEGRAM)).contains("blocks"));
    }

    @Test
    void slacksBotApiMustSayOk() {
        Provider p = provider("{type: slack, address: 'https://slack.com/api/chat.postMessage'}");
        assertFalse(Payloads.accepted(p, Payloads.SLACK_API, 200, "{\"ok\": false, \"error\": \"channel_not_found\"}"));
        assertTrue(Payloads.accepted(p, Payloads.SLACK_API, 200, "{\"ok\": true}"));
        assertTrue(Payloads.accepted(p, "https://hooks.slack.com/services/x", 200, "ok"));
    }

    @Test
    void teamsGetsAnAdaptiveCardOrALegacyMessageCard() {
        HttpCall workflow = Payloads.request(provider("{type: msteams, address: 'https://prod.westeurope.logic.azure.com/workflows/x'}"),
                ProviderSecrets.NONE, E, "d", TELEGRAM);
        assertTrue(body(workflow).startsWith("{\"type\":\"message\",\"attachments\":[{\"contentType\":"
                + "\"application/vnd.microsoft.card.adaptive\",\"content\":{\"$schema\":\"http://adaptivecards.io/schemas/adaptive-card.json\","
                + "\"type\":\"AdaptiveCard\",\"version\":\"1.4\",\"body\":[{\"type\":\"TextBlock\",\"text\":\"imagepolicy/app.flux-system\""),
                body(workflow));
        HttpCall legacy = Payloads.request(provider("{type: msteams, address: 'https://acme.webhook.office.com/webhookb2/x'}"),
                ProviderSecrets.NONE, E, "d", TELEGRAM);
        assertTrue(body(legacy).startsWith("{\"@type\":\"MessageCard\",\"@context\":\"https://schema.org/extensions\",\"themeColor\":\"FF0000\""),
                body(legacy));
    }

    @Test
    void googleChatMatrixAndTelegram() {
        HttpCall chat = Payloads.request(provider("{type: googlechat, address: 'https://chat.googleapis.com/v1/spaces/x/messages'}"),
                ProviderSecrets.NONE, E, "d", TELEGRAM);
        assertEquals("{\"cards\":[{\"header\":{\"title\":\"imagepolicy/app.flux-system\",\"subtitle\":\"error: ReconciliationFailed\"},"
                + "\"sections\":[{\"widgets\":[{\"textParagraph\":{\"text\":\"no tag matches\\nsecond line\"}}]},{\"widgets\":["
                + "{\"keyValue\":{\"topLabel\":\"env\",\"content\":\"prod\"}},{\"keyValue\":{\"topLabel\":"
                + "\"image.toolkit.fluxcd.io/revision\",\"content\":\"1.0.0\"}}]}]}]}", body(chat));
        HttpCall matrix = Payloads.request(provider("{type: matrix, address: 'https://matrix.example', channel: '!room:example.org',"
                + " secretRef: {name: s}}"), secrets(null, "syt_x", Map.of()), E, "delivery-1", TELEGRAM);
        assertEquals("PUT", matrix.method());
        assertTrue(matrix.uri().toString().startsWith("https://matrix.example/_matrix/client/v3/rooms/%21room%3Aexample.org/send/m.room.message/"),
                matrix.uri().toString());
        assertEquals(matrix.uri(), Payloads.request(provider("{type: matrix, address: 'https://matrix.example', channel: '!room:example.org',"
                + " secretRef: {name: s}}"), secrets(null, "syt_x", Map.of()), E, "delivery-1", TELEGRAM).uri(),
                "the same delivery has the same transaction id: Matrix keeps one message");
        assertEquals("Bearer syt_x", matrix.headers().get("Authorization"));
        assertEquals("{\"msgtype\":\"m.text\",\"body\":\"💣 imagepolicy/app.flux-system\\nno tag matches\\nsecond line\\n"
                + "env: prod\\nimage.toolkit.fluxcd.io/revision: 1.0.0\"}", body(matrix));
        HttpCall telegram = Payloads.request(provider("{type: telegram, channel: '-100123', secretRef: {name: s}}"),
                secrets(null, "123:ABC", Map.of()), E, "d", URI.create("http://127.0.0.1:9/"));
        assertEquals(URI.create("http://127.0.0.1:9/bot123:ABC/sendMessage"), telegram.uri());
        assertEquals("{\"chat_id\":\"-100123\",\"text\":\"💣 *imagepolicy/app\\\\.flux\\\\-system*\\nno tag matches\\nsecond line\\n\\n"
                + "• env: prod\\n• image\\\\.toolkit\\\\.fluxcd\\\\.io/revision: 1\\\\.0\\\\.0\",\"parse_mode\":\"MarkdownV2\"}", body(telegram));
        assertFalse(telegram.toString().contains("ABC"), "a request's description never shows a token in its path");
    }

    @Test
    void whatCannotBeSentSaysWhyWithoutTheSecret() {
        Payloads.NotSendable e = assertThrows(Payloads.NotSendable.class, () -> Payloads.request(
                provider("{type: slack, secretRef: {name: s}}"), secrets("not a url with secret-part", null, Map.of()), E, "d", TELEGRAM));
        assertFalse(e.getMessage().contains("secret-part"), e.getMessage());
        assertEquals("no address: set spec.address or the key 'address' in the secret s", assertThrows(Payloads.NotSendable.class,
                () -> Payloads.request(provider("{type: generic}"), ProviderSecrets.NONE, E, "d", TELEGRAM)).getMessage()
                .replace("(no secretRef)", "s"));
    }
}
