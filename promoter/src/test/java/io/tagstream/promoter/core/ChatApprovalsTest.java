package io.tagstream.promoter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.common.access.Role;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.events.ImageRef;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Slack's signature (with Slack's documented example), the chat users table, button payloads and signed links. */
class ChatApprovalsTest {

    // Slack's own example ("Verifying requests from Slack"): this secret, timestamp and body give this signature
    static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    static final String TS = "1531420618";
    static final String BODY = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
            + "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
            + "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
            + "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    static final String SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    static final Instant THEN = Instant.ofEpochSecond(1531420618);

    static Stream<Arguments> signatures() {
        byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
        byte[] tampered = BODY.replace("roadrunner", "coyote").getBytes(StandardCharsets.UTF_8);
        return Stream.of(
                Arguments.of("Slack's example", SECRET, TS, SIGNATURE, body, THEN, ""),
                Arguments.of("4 min 59 s late", SECRET, TS, SIGNATURE, body, THEN.plusSeconds(299), ""),
                Arguments.of("replayed after the window", SECRET, TS, SIGNATURE, body, THEN.plusSeconds(301),
                        "X-Slack-Request-Timestamp is 301 s from now; at most 300 s are accepted (a replayed request, or a clock to fix)"),
                Arguments.of("from the future", SECRET, TS, SIGNATURE, body, THEN.minusSeconds(400), "X-Slack-Request-Timestamp is 400 s from now;"),
                Arguments.of("a tampered body", SECRET, TS, SIGNATURE, tampered, THEN,
                        "X-Slack-Signature does not match the body signed with the app's signing secret"),
                Arguments.of("a moved timestamp", SECRET, "1531420619", SIGNATURE, body, THEN, "X-Slack-Signature does not match"),
                Arguments.of("another app's secret", "another-secret", TS, SIGNATURE, body, THEN, "X-Slack-Signature does not match"),
                Arguments.of("no signature", SECRET, TS, null, body, THEN, "X-Slack-Request-Timestamp and X-Slack-Signature are required"),
                Arguments.of("no timestamp", SECRET, "", SIGNATURE, body, THEN, "X-Slack-Request-Timestamp and X-Slack-Signature are required"),
                Arguments.of("a timestamp that is no number", SECRET, "yesterday", SIGNATURE, body, THEN, "is not a number"),
                Arguments.of("another version", SECRET, TS, SIGNATURE.replace("v0=", "v1="), body, THEN, "not a version 0 signature"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("signatures")
    void slackSignature(String label, String secret, String ts, String sig, byte[] body, Instant now, String refusal) {
        Optional<String> r = SlackSignature.refusal(secret, ts, sig, body, now);
        if (refusal.isEmpty()) {
            assertEquals(Optional.empty(), r);
        } else {
            assertTrue(r.isPresent() && r.get().contains(refusal), String.valueOf(r));
        }
    }

    @Test
    void signingIsSlacksComputation() {
        assertEquals(SIGNATURE, SlackSignature.sign(SECRET, TS, BODY.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void chatUsersMapSlackUsersToIdentitiesAndRoles() {
        ChatUsers u = ChatUsers.parse("""
                # Slack user → identity → roles
                U024BE7LH user:alice approver
                T0001/U0BOB user:bob approver,viewer release-managers,qe
                U0VIEW user:victor viewer
                U0BAD alice approver
                U0ROLE user:rita releaser
                """);
        assertEquals(3, u.size());
        assertEquals("user:alice", u.of("T9", "U024BE7LH").orElseThrow().id());
        assertTrue(u.of("T9", "U024BE7LH").orElseThrow().has(Role.APPROVER));
        assertEquals(Set.of(Role.APPROVER, Role.VIEWER), u.of("T0001", "U0BOB").orElseThrow().roles());
        assertEquals(Set.of("release-managers", "qe"), u.of("T0001", "U0BOB").orElseThrow().groups());
        assertEquals(Set.of(), u.of("T9", "U024BE7LH").orElseThrow().groups());
        assertEquals(Optional.empty(), u.of("T0002", "U0BOB"), "bob is bob only in his team");
        assertTrue(!u.of("T1", "U0VIEW").orElseThrow().has(Role.APPROVER));
        assertEquals(Optional.empty(), u.of("T1", "U0NOBODY"));
        assertEquals(List.of("line 5: expected '<slack user id> <user:name> <role>[,<role>] [<group>[,<group>]]', e.g. 'U024BE7LH user:alice approver release-managers'",
                "line 6: unknown role 'releaser' (viewer, approver, signaler, admin)"), u.problems());
    }

    static byte[] form(String payload) {
        return ("payload=" + URLEncoder.encode(payload, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aButtonPressNamesTheVerbThePromotionAndTheUser() throws Exception {
        String digest = "sha256:" + "ab".repeat(32);
        String value = ChatAction.value(ResourceId.parse("flux-system/portal-prod"), ImageRef.parse("qe.example/portal:924@" + digest));
        ChatAction a = ChatAction.parseSlack(form("""
                {"type": "block_actions", "user": {"id": "U024BE7LH", "username": "alice", "team_id": "T0001"}, "team": {"id": "T0001"},
                 "response_url": "https://hooks.slack.com/actions/T0001/1/x",
                 "actions": [{"action_id": "tagstream.approve", "value": "%s", "type": "button"}]}""".formatted(value)));
        assertEquals(new ChatAction(ChatAction.Verb.APPROVE, "flux-system.portal-prod.924.abababababab", "T0001", "U024BE7LH", "alice",
                Optional.of("https://hooks.slack.com/actions/T0001/1/x")), a);
        assertEquals(ChatAction.Verb.REJECT, ChatAction.parseSlack(form("""
                {"type": "block_actions", "user": {"id": "U1"}, "actions": [{"action_id": "tagstream.reject", "value": "p.id.1"}]}""")).verb());
        for (String[] bad : new String[][] {
                {"{\"type\": \"view_submission\", \"user\": {\"id\": \"U1\"}}", "is not a button press"},
                {"{\"type\": \"block_actions\", \"user\": {\"id\": \"U1\"}, \"actions\": [{\"action_id\": \"other\", \"value\": \"x\"}]}", "action_id 'other'"},
                {"{\"type\": \"block_actions\", \"actions\": [{\"action_id\": \"tagstream.approve\", \"value\": \"x\"}]}", "names no user"},
                {"{\"type\": \"block_actions\", \"user\": {\"id\": \"U1\"}, \"actions\": [{\"action_id\": \"tagstream.approve\", \"value\": \"a/b <x>\"}]}", "the button's"},
                {"not json", "not JSON"}}) {
            var e = assertThrows(ChatAction.Unreadable.class, () -> ChatAction.parseSlack(form(bad[0])));
            assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
        }
        assertThrows(ChatAction.Unreadable.class, () -> ChatAction.parseSlack("text=hi".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void signedLinksCarryOneDecisionUntilTheyExpireAndRefuseAnyChange() {
        byte[] key = "k".repeat(32).getBytes(StandardCharsets.UTF_8);
        Instant now = Instant.parse("2026-12-07T10:00:00Z");
        ApprovalLink link = new ApprovalLink("flux-system.portal-prod.924.abababababab", ChatAction.Verb.APPROVE, "user:alice",
                List.of("release-managers"), now.plusSeconds(3600).getEpochSecond(), "n0nce");
        String token = link.sign(key);
        assertEquals(new ApprovalLink.Valid(link), ApprovalLink.check(key, token, now));
        assertEquals("link-n0nce", link.requestId());
        assertEquals(new ApprovalLink.Refused(410, "the link expired at 2026-12-07T11:00:00Z"), ApprovalLink.check(key, token, now.plusSeconds(3600)));
        assertEquals(401, ((ApprovalLink.Refused) ApprovalLink.check("x".repeat(32).getBytes(StandardCharsets.UTF_8), token, now)).status());
        // another action, approver or promotion in the payload breaks the signature
        String[] parts = token.split("\\.");
        String forged = new ApprovalLink(link.promotion(), ChatAction.Verb.APPROVE, "user:mallory", List.of(), link.expires(), "n0nce").sign(key).split("\\.")[1];
        assertEquals(new ApprovalLink.Refused(401, "the link's signature does not match: it was altered or made with another key"),
                ApprovalLink.check(key, parts[0] + "." + forged + "." + parts[2], now));
        for (String bad : new String[] {"", "v1", "v2." + parts[1] + "." + parts[2], "v1.%%%." + parts[2], token + ".x"}) {
            assertInstanceOf(ApprovalLink.Refused.class, ApprovalLink.check(key, bad, now), bad);
        }
        assertEquals(Optional.empty(), ApprovalLink.lifetimeProblem(java.time.Duration.ofHours(24)));
        assertTrue(ApprovalLink.lifetimeProblem(java.time.Duration.ofHours(25)).isPresent());
        assertTrue(ApprovalLink.lifetimeProblem(java.time.Duration.ZERO).isPresent());
    }
}
