package io.tagstream.poller.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks that a webhook comes from whoever holds the receiver's token, unlike Flux which takes any delivery to a
 * guessable URL: an HMAC signature of the body where the provider signs (GitHub, Gitea/Forgejo, Nexus, generic-hmac), otherwise the
 * token in the provider's header. Comparisons are constant-time.
 */
public final class WebhookAuth {

    private WebhookAuth() {}

    /** Empty when authentic; otherwise the reason, fit for an audit record (never the secret). */
    public static Optional<String> check(String type, Map<String, String> headers, byte[] body, String token) {
        return switch (type) {
            case "github" -> hmac(header(headers, "X-Hub-Signature-256"), "HmacSHA256", "sha256=", body, token, "X-Hub-Signature-256");
            case "gitea" -> header(headers, "X-Gitea-Signature").isPresent()
                    ? hmac(header(headers, "X-Gitea-Signature"), "HmacSHA256", "", body, token, "X-Gitea-Signature")
                    : hmac(header(headers, "X-Hub-Signature-256"), "HmacSHA256", "sha256=", body, token, "X-Gitea-Signature or X-Hub-Signature-256");
            case "nexus" -> hmac(header(headers, "X-Nexus-Webhook-Signature"), "HmacSHA1", "", body, token, "X-Nexus-Webhook-Signature");
            case "generic-hmac" -> genericHmac(header(headers, "X-Signature"), body, token);
            case "jfrog" -> equal(header(headers, "X-Jfrog-Event-Auth"), token, "X-Jfrog-Event-Auth");
            case "gitlab" -> header(headers, "X-Gitlab-Token").isPresent()
                    ? equal(header(headers, "X-Gitlab-Token"), token, "X-Gitlab-Token")
                    : bearer(headers, token);
            case "harbor" -> header(headers, "Authorization").map(a -> a.startsWith("Bearer ") ? a.substring(7) : a)
                    .map(a -> constantTimeEquals(a, token) ? Optional.<String>empty() : Optional.of("Authorization does not match the receiver's token"))
                    .orElse(Optional.of("missing Authorization header"));
            case "gcr" -> header(headers, "Authorization").filter(a -> a.regionMatches(true, 0, "Bearer eyJ", 0, 10)).isPresent()
                    ? Optional.of("a Pub/Sub push's Google OIDC token is not a receiver token and is not verified here: point the "
                            + "subscription at the receiver's /hook/<sha256(token+name+namespace)> path (the URL is the secret) "
                            + "with push authentication off")
                    : bearer(headers, token);
            default -> bearer(headers, token);
        };
    }

    /** Providers that sign the body (HMAC): they are authentic only once the whole body is read. */
    public static boolean signsBody(String type) {
        return type.equals("github") || type.equals("gitea") || type.equals("nexus") || type.equals("generic-hmac");
    }

    /**
     * The verdict that headers alone can give, before the body is read: for a provider that puts its token in a header,
     * {@link #check}'s verdict; for one that signs the body, empty (judged with the body).
     */
    public static Optional<String> checkHeaders(String type, Map<String, String> headers, String token) {
        return signsBody(type) ? Optional.empty() : check(type, headers, new byte[0], token);
    }

    private static Optional<String> bearer(Map<String, String> headers, String token) {
        Optional<String> auth = header(headers, "Authorization");
        if (auth.isEmpty()) {
            return Optional.of("missing Authorization: Bearer <token>");
        }
        if (!auth.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of("Authorization is not a Bearer token");
        }
        return constantTimeEquals(auth.get().substring(7).trim(), token) ? Optional.empty()
                : Optional.of("Bearer token does not match the receiver's token");
    }

    private static Optional<String> equal(Optional<String> given, String token, String name) {
        if (given.isEmpty()) {
            return Optional.of("missing " + name + " header");
        }
        return constantTimeEquals(given.get(), token) ? Optional.empty() : Optional.of(name + " does not match the receiver's token");
    }

    private static Optional<String> hmac(Optional<String> given, String algorithm, String prefix, byte[] body, String token, String name) {
        if (given.isEmpty()) {
            return Optional.of("missing " + name + " signature");
        }
        String expected = prefix + sign(algorithm, body, token);
        return constantTimeEquals(given.get().trim().toLowerCase(Locale.ROOT), expected) ? Optional.empty()
                : Optional.of(name + " signature does not match the body");
    }

    /** Flux's generic-hmac: {@code X-Signature: sha1=…|sha256=…|sha512=…}. */
    private static Optional<String> genericHmac(Optional<String> given, byte[] body, String token) {
        if (given.isEmpty() || !given.get().contains("=")) {
            return Optional.of("missing X-Signature: <algorithm>=<hex> signature");
        }
        String[] parts = given.get().split("=", 2);
        String algorithm = switch (parts[0].toLowerCase(Locale.ROOT)) {
            case "sha1" -> "HmacSHA1";
            case "sha256" -> "HmacSHA256";
            case "sha512" -> "HmacSHA512";
            default -> null;
        };
        if (algorithm == null) {
            return Optional.of("X-Signature algorithm '" + parts[0] + "' is not sha1, sha256 or sha512");
        }
        return constantTimeEquals(parts[1].trim().toLowerCase(Locale.ROOT), sign(algorithm, body, token)) ? Optional.empty()
                : Optional.of("X-Signature signature does not match the body");
    }

    public static String sign(String algorithm, byte[] body, String token) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), algorithm));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<String> header(Map<String, String> headers, String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst();
    }

    /** Flux's receiver path: {@code /hook/<sha256(token + name + namespace)>}. */
    public static String fluxHookPath(String token, String name, String namespace) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest((token + name + namespace).getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
