package io.tagstream.gitwriter.core;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Provider;
import java.util.Date;
import java.util.Iterator;
import java.util.Optional;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.jcajce.JcaKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcePBESecretKeyDecryptorBuilder;
import org.eclipse.jgit.lib.GpgConfig;
import org.eclipse.jgit.lib.GpgSignature;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.Signer;
import org.eclipse.jgit.transport.CredentialsProvider;

/**
 * Signs commits with an OpenPGP key given as an armored secret key (Flux's signingKey secret, key {@code git.asc},
 * optional {@code passphrase}), without a gpg installation or keyring on the pod. The signature is what
 * {@code git verify-commit} checks.
 */
public final class OpenPgpSigner implements Signer {

    private static final Provider BC = new BouncyCastleProvider();

    private final PGPPrivateKey privateKey;
    private final PGPSecretKey secretKey;

    public OpenPgpSigner(String armoredSecretKey, Optional<String> passphrase) {
        try {
            PGPSecretKeyRingCollection rings = new PGPSecretKeyRingCollection(
                    PGPUtil.getDecoderStream(new ByteArrayInputStream(armoredSecretKey.getBytes(StandardCharsets.US_ASCII))),
                    new JcaKeyFingerprintCalculator());
            PGPSecretKey found = null;
            for (Iterator<PGPSecretKeyRing> r = rings.getKeyRings(); r.hasNext() && found == null; ) {
                for (Iterator<PGPSecretKey> k = r.next().getSecretKeys(); k.hasNext(); ) {
                    PGPSecretKey key = k.next();
                    if (key.isSigningKey() && !key.isPrivateKeyEmpty()) {
                        found = key;
                        break;
                    }
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("the signing key secret holds no OpenPGP secret key able to sign");
            }
            this.secretKey = found;
            this.privateKey = found.extractPrivateKey(new JcePBESecretKeyDecryptorBuilder().setProvider(BC)
                    .build(passphrase.orElse("").toCharArray()));
        } catch (IOException | PGPException e) {
            throw new IllegalArgumentException("the signing key secret is not a usable armored OpenPGP secret key"
                    + " (wrong passphrase?): " + e.getMessage(), e);
        }
    }

    /** The key's fingerprint, upper-case hex, for logs and status. */
    public String fingerprint() {
        return org.bouncycastle.util.encoders.Hex.toHexString(secretKey.getPublicKey().getFingerprint()).toUpperCase();
    }

    @Override
    public GpgSignature sign(Repository repository, GpgConfig config, byte[] data, PersonIdent committer, String signingKey,
            CredentialsProvider credentials) throws IOException {
        try {
            PGPSignatureGenerator gen = new PGPSignatureGenerator(
                    new JcaPGPContentSignerBuilder(secretKey.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256).setProvider(BC),
                    secretKey.getPublicKey());
            gen.init(PGPSignature.BINARY_DOCUMENT, privateKey);
            PGPSignatureSubpacketGenerator sub = new PGPSignatureSubpacketGenerator();
            sub.setIssuerFingerprint(false, secretKey.getPublicKey());
            sub.setSignatureCreationTime(false, new Date(committer.getWhenAsInstant().toEpochMilli()));
            gen.setHashedSubpackets(sub.generate());
            gen.update(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ArmoredOutputStream armored = new ArmoredOutputStream(out)) {
                gen.generate().encode(armored);
            }
            return new GpgSignature(out.toByteArray());
        } catch (PGPException e) {
            throw new IOException("signing the commit failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean canLocateSigningKey(Repository repository, GpgConfig config, PersonIdent committer, String signingKey,
            CredentialsProvider credentials) {
        return true;
    }
}
