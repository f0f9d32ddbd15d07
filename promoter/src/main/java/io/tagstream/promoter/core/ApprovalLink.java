package io.tagstream.promoter.core;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tagstream.common.access.Hmac;
import io.tagstream.common.events.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * A signed approval link, for a bot that cannot hold a token: one promotion, one action, decided as the approver who
 * made the link, until it expires, once. The token is {@code v1.<payload>.<HMAC-SHA256 of "v1.<payload>">}, both
 * base64url; the payload is JSON. Single use is the promoter's: the decision's request id is {@code link-<nonce>}, and
 * a request answered once is never applied again.
 *
 * @param by the identity the decision is recorded as (who made the link), with its groups for the approvers check
 */
public record ApprovalLink(@JsonProperty("p") String promotion, @JsonProperty("a") ChatAction.Verb action, @JsonProperty("by") String by,
        @JsonProperty("g") List<String> groups, @JsonProperty("exp") long expires, @JsonProperty("n") String nonce) {

    public static final Duration MAX_LIFETIME = Duration.ofHours(24);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    public ApprovalLink {
        groups = groups == null ? List.of() : List.copyOf(groups);
    }

    public Instant expiresAt() {
        return Instant.ofEpochSecond(expires);
    }

    public String requestId() {
        return "link-" + nonce;
    }

    public String sign(byte[] key) {
        String body = "v1." + B64.encodeToString(Json.write(this));
        return body + "." + B64.encodeToString(mac(key, body));
    }

    /** Why a token cannot be used, or the link it carries. */
    public sealed interface Checked permits Valid, Refused {}

    public record Valid(ApprovalLink link) implements Checked {}

    /** @param status 401 for a token that is not ours, 410 for one that has expired */
    public record Refused(int status, String reason) implements Checked {}

    public static Checked check(byte[] key, String token, Instant now) {
        String[] parts = token == null ? new String[0] : token.split("\\.");
        if (parts.length != 3 || !parts[0].equals("v1")) {
            return new Refused(401, "not an approval link");
        }
        byte[] sig;
        byte[] payload;
        try {
            sig = Base64.getUrlDecoder().decode(parts[2]);
            payload = Base64.getUrlDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            return new Refused(401, "not an approval link");
        }
        if (!MessageDigest.isEqual(sig, mac(key, parts[0] + "." + parts[1]))) {
            return new Refused(401, "the link's signature does not match: it was altered or made with another key");
        }
        ApprovalLink link;
        try {
            link = Json.read(new String(payload, StandardCharsets.UTF_8), ApprovalLink.class);
        } catch (RuntimeException e) {
            return new Refused(401, "not an approval link");
        }
        if (!now.isBefore(link.expiresAt())) {
            return new Refused(410, "the link expired at " + link.expiresAt());
        }
        return new Valid(link);
    }

    /** The lifetime asked for, checked: positive and at most {@link #MAX_LIFETIME}. */
    public static Optional<String> lifetimeProblem(Duration d) {
        return d.isNegative() || d.isZero() || d.compareTo(MAX_LIFETIME) > 0
                ? Optional.of("expiresIn must be more than 0 and at most " + MAX_LIFETIME.toHours() + "h")
                : Optional.empty();
    }

    private static byte[] mac(byte[] key, String text) {
        return Hmac.sha256(key, text.getBytes(StandardCharsets.US_ASCII));
    }
}
