package io.tagstream.promoter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Key-based cosign verification: what verifies, and why each other case does not. */
class CosignSignaturesTest {

    static final String DIGEST = "sha256:" + "ab".repeat(32);

    static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static byte[] payload(String digest) {
        return ("{\"critical\":{\"identity\":{\"docker-reference\":\"registry.cleanstart.com/cleanstart/base\"},\"image\":"
                + "{\"docker-manifest-digest\":\"" + digest + "\"},\"type\":\"cosign container image signature\"},\"optional\":null}")
                .getBytes(StandardCharsets.UTF_8);
    }

    static String sign(byte[] payload, PrivateKey key, String algorithm) throws Exception {
        Signature s = Signature.getInstance(algorithm);
        s.initSign(key);
        s.update(payload);
        return Base64.getEncoder().encodeToString(s.sign());
    }

    static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.UTF_8))
                .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    static CosignSignatures.Layer layer(byte[] payload, String signature) {
        return new CosignSignatures.Layer(CosignSignatures.PAYLOAD, payload, Optional.ofNullable(signature));
    }

    @Test
    void aSignatureOfTheDigestByTheKeyVerifiesAndEveryOtherCaseSaysWhy() throws Exception {
        KeyPair key = ec();
        KeyPair other = ec();
        PublicKey pub = CosignSignatures.publicKey(pem(key.getPublic()));
        byte[] good = payload(DIGEST);
        assertEquals(Optional.empty(), CosignSignatures.verify(DIGEST, List.of(layer(good, sign(good, key.getPrivate(),
                "SHA256withECDSA"))), pub));
        assertEquals(Optional.empty(), CosignSignatures.verify(DIGEST, List.of(layer(good, sign(good, other.getPrivate(),
                "SHA256withECDSA")), layer(good, sign(good, key.getPrivate(), "SHA256withECDSA"))), pub), "any layer may verify");

        assertEquals(Optional.of("no valid signature for " + DIGEST + ": found a signature the key does not verify"),
                CosignSignatures.verify(DIGEST, List.of(layer(good, sign(good, other.getPrivate(), "SHA256withECDSA"))), pub));
        byte[] elsewhere = payload("sha256:" + "cd".repeat(32));
        assertEquals(Optional.of("no valid signature for " + DIGEST + ": found a valid signature of another digest (sha256:"
                + "cd".repeat(32) + ")"), CosignSignatures.verify(DIGEST, List.of(layer(elsewhere, sign(elsewhere, key.getPrivate(),
                "SHA256withECDSA"))), pub));
        byte[] tampered = payload(DIGEST);
        String signature = sign(tampered, key.getPrivate(), "SHA256withECDSA");
        tampered[tampered.length - 2] = ' ';
        assertTrue(CosignSignatures.verify(DIGEST, List.of(layer(tampered, signature)), pub).orElseThrow().contains("does not verify"));
        assertEquals(Optional.of("no valid signature for " + DIGEST + ": found a payload without a signature annotation"),
                CosignSignatures.verify(DIGEST, List.of(layer(good, null)), pub));
        assertEquals(Optional.of("no cosign signature payload"), CosignSignatures.verify(DIGEST, List.of(), pub));
    }

    @Test
    void rsaKeysVerifyToo() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair key = g.generateKeyPair();
        byte[] good = payload(DIGEST);
        assertEquals(Optional.empty(), CosignSignatures.verify(DIGEST, List.of(layer(good, sign(good, key.getPrivate(),
                "SHA256withRSA"))), CosignSignatures.publicKey(pem(key.getPublic()))));
    }

    @Test
    void aKeyThatIsNotAPublicKeySaysSo() {
        assertThrows(IllegalArgumentException.class, () -> CosignSignatures.publicKey("-----BEGIN PUBLIC KEY-----\nnot base64!\n"
                + "-----END PUBLIC KEY-----"));
        assertThrows(IllegalArgumentException.class, () -> CosignSignatures.publicKey("-----BEGIN PUBLIC KEY-----\nAAAA\n"
                + "-----END PUBLIC KEY-----"));
    }

    @Test
    void theSignatureManifestsLayersAreReadWithTheirAnnotations() {
        byte[] manifest = ("{\"schemaVersion\":2,\"layers\":[{\"mediaType\":\"" + CosignSignatures.PAYLOAD + "\",\"digest\":\"sha256:01\","
                + "\"annotations\":{\"dev.cosignproject.cosign/signature\":\"MEUC\"}},{\"mediaType\":\"x\",\"digest\":\"sha256:02\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of(new CosignSignatures.Listed(CosignSignatures.PAYLOAD, "sha256:01", Optional.of("MEUC")),
                new CosignSignatures.Listed("x", "sha256:02", Optional.empty())), CosignSignatures.layers(manifest));
    }
}
