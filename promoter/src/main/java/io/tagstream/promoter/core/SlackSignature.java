package io.tagstream.promoter.core;

import io.tagstream.common.access.Hmac;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Slack's request signature, version 0: {@code X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<body>">}
 * keyed with the app's signing secret, and {@code X-Slack-Request-Timestamp} within five minutes of now (a request
 * captured and sent again later is refused).
 */
public final class SlackSignature {

    public static final Duration WINDOW = Duration.ofMinutes(5);

    private SlackSignature() {}

    /** Empty when the request is Slack's; otherwise why not, for the 401 and the audit. */
    public static Optional<String> refusal(String signingSecret, String timestamp, String signature, byte[] body, Instant now) {
        if (timestamp == null || timestamp.isBlank() || signature == null || signature.isBlank()) {
            return Optional.of("X-Slack-Request-Timestamp and X-Slack-Signature are required");
        }
        long ts;
        try {
            ts = Long.parseLong(timestamp.strip());
        } catch (NumberFormatException e) {
            return Optional.of("X-Slack-Request-Timestamp is not a number of seconds");
        }
        long skew = Math.abs(now.getEpochSecond() - ts);
        if (skew > WINDOW.toSeconds()) {
            return Optional.of("X-Slack-Request-Timestamp is " + skew + " s from now; at most " + WINDOW.toSeconds()
                    + " s are accepted (a replayed request, or a clock to fix)");
        }
        if (!signature.startsWith("v0=")) {
            return Optional.of("X-Slack-Signature is not a version 0 signature (v0=…)");
        }
        byte[] expected = sign(signingSecret, timestamp.strip(), body).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, signature.strip().getBytes(StandardCharsets.US_ASCII))) {
            return Optional.of("X-Slack-Signature does not match the body signed with the app's signing secret");
        }
        return Optional.empty();
    }

    /** {@code v0=<hex>} for a timestamp and a body, as Slack computes it. */
    public static String sign(String signingSecret, String timestamp, byte[] body) {
        return "v0=" + HexFormat.of().formatHex(Hmac.sha256(signingSecret.getBytes(StandardCharsets.UTF_8),
                ("v0:" + timestamp + ":").getBytes(StandardCharsets.UTF_8), body));
    }
}
