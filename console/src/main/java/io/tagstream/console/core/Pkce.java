package io.tagstream.console.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * One sign-in's secrets for OAuth's authorization code flow: the {@code state} that ties the provider's answer to
 * the browser that asked, and PKCE's code verifier with its S256 challenge (RFC 7636 §4.1–4.2).
 */
public record Pkce(String state, String verifier) {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    public static Pkce create() {
        byte[] s = new byte[24];
        byte[] v = new byte[32];
        RANDOM.nextBytes(s);
        RANDOM.nextBytes(v);
        return new Pkce(B64.encodeToString(s), B64.encodeToString(v)); // 43 characters of [A-Za-z0-9_-]
    }

    /** {@code BASE64URL(SHA256(ASCII(code_verifier)))}. */
    public String challenge() {
        return challenge(verifier);
    }

    public static String challenge(String verifier) {
        try {
            return B64.encodeToString(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
