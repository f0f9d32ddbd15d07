package io.tagstream.promoter.core;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.common.events.Json;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Key-based cosign verification of an image digest, as {@code cosign verify --key} does it offline: the signature tag
 * ({@code sha256-<hex>.sig}) holds one layer per signature, each a simple-signing payload
 * ({@code application/vnd.dev.cosign.simplesigning.v1+json}) with its signature in the layer's
 * {@code dev.cosignproject.cosign/signature} annotation (base64). A digest is verified when some layer's signature checks
 * with the public key over the payload's exact bytes and that payload names the digest
 * ({@code critical.image.docker-manifest-digest}). Keys: ECDSA (cosign's default, P-256), RSA and Ed25519, as PEM.
 */
public final class CosignSignatures {

    public static final String PAYLOAD = "application/vnd.dev.cosign.simplesigning.v1+json";
    public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";

    private CosignSignatures() {}

    /** One signature layer: its payload's bytes and the base64 signature from its annotation. */
    public record Layer(String mediaType, byte[] payload, Optional<String> signature) {}

    /** A layer of the signature manifest as listed: what to fetch for {@link Layer#payload()}. */
    public record Listed(String mediaType, String digest, Optional<String> signature) {}

    /** The layers a signature manifest lists. */
    public static List<Listed> layers(byte[] manifest) {
        List<Listed> out = new ArrayList<>();
        try {
            for (JsonNode l : Json.mapper().readTree(manifest).path("layers")) {
                JsonNode sig = l.path("annotations").path(SIGNATURE_ANNOTATION);
                out.add(new Listed(l.path("mediaType").asText(""), l.path("digest").asText(""),
                        sig.isTextual() ? Optional.of(sig.asText()) : Optional.empty()));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("the signature manifest is not JSON: " + e.getMessage(), e);
        }
        return out;
    }

    /** Empty when {@code digest} is verified; otherwise why not, for a person. */
    public static Optional<String> verify(String digest, List<Layer> layers, PublicKey key) {
        List<String> why = new ArrayList<>();
        for (Layer l : layers) {
            if (!l.mediaType().equals(PAYLOAD)) {
                continue;
            }
            if (l.signature().isEmpty()) {
                why.add("a payload without a signature annotation");
                continue;
            }
            if (!signed(l.payload(), l.signature().get(), key)) {
                why.add("a signature the key does not verify");
                continue;
            }
            String named;
            try {
                named = Json.mapper().readTree(l.payload()).path("critical").path("image").path("docker-manifest-digest").asText("");
            } catch (IOException e) {
                why.add("a signed payload that is not JSON");
                continue;
            }
            if (named.equals(digest)) {
                return Optional.empty();
            }
            why.add("a valid signature of another digest (" + named + ")");
        }
        return Optional.of(why.isEmpty() ? "no cosign signature payload" : "no valid signature for " + digest + ": found "
                + String.join("; ", why));
    }

    private static boolean signed(byte[] payload, String signature, PublicKey key) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> "Ed25519";
        };
        try {
            Signature s = Signature.getInstance(algorithm);
            s.initVerify(key);
            s.update(payload);
            return s.verify(Base64.getDecoder().decode(signature.trim()));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** A PEM public key ({@code -----BEGIN PUBLIC KEY-----}, as {@code cosign.pub}); ECDSA, RSA or Ed25519. */
    public static PublicKey publicKey(String pem) {
        String body = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the public key is not PEM (base64 between BEGIN/END PUBLIC KEY lines)");
        }
        for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // the next algorithm
            }
        }
        throw new IllegalArgumentException("the public key is not an ECDSA, RSA or Ed25519 key in SubjectPublicKeyInfo PEM");
    }
}
