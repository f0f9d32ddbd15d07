package io.tagstream.testkit;

import io.tagstream.common.access.ApiTokens;
import io.tagstream.common.access.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

/**
 * An OIDC identity provider as a service sees one: an RSA key generated for the test, its public JWKS written where a
 * service reads it ({@code tagstream.auth.jwt.keys}), and tokens minted with it — valid ones, and the forged, expired
 * and wrong-audience ones an attacker would try. Also writes API-token tables in the mounted-secret layout.
 */
public final class IdentityProvider {

    public static final String ISSUER = "https://idp.tagstream.test";
    public static final String AUDIENCE = "tagstream";

    private final RsaJsonWebKey key;
    private final Path jwks;

    private IdentityProvider(RsaJsonWebKey key, Path jwks) {
        this.key = key;
        this.jwks = jwks;
    }

    /** A new key pair, its public JWKS written to {@code dir/jwks.json}. */
    public static IdentityProvider create(Path dir) {
        try {
            RsaJsonWebKey k = RsaJwkGenerator.generateJwk(2048);
            k.setKeyId("test-" + Long.toHexString(System.nanoTime()));
            Files.createDirectories(dir);
            Path f = dir.resolve("jwks.json");
            Files.writeString(f, new JsonWebKeySet(k).toJson());
            return new IdentityProvider(k, f);
        } catch (JoseException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path jwks() {
        return jwks;
    }

    /** What a service needs to accept this provider's tokens, with groups mapped to roles as named. */
    public Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("tagstream.auth.jwt.keys", jwks.toString());
        p.put("tagstream.auth.jwt.issuer", ISSUER);
        p.put("tagstream.auth.jwt.audience", AUDIENCE);
        p.put("tagstream.auth.roles.viewer", "viewers");
        p.put("tagstream.auth.roles.approver", "approvers,release-managers");
        p.put("tagstream.auth.roles.admin", "platform");
        return p;
    }

    /** A valid token for {@code user} in {@code groups}, for five minutes. */
    public String token(String user, String... groups) {
        return sign(key, claims(user, ISSUER, AUDIENCE, Instant.now().plus(Duration.ofMinutes(5)), groups));
    }

    public String expired(String user, String... groups) {
        return sign(key, claims(user, ISSUER, AUDIENCE, Instant.now().minus(Duration.ofMinutes(10)), groups));
    }

    public String forAudience(String audience, String user, String... groups) {
        return sign(key, claims(user, ISSUER, audience, Instant.now().plus(Duration.ofMinutes(5)), groups));
    }

    /** Same claims, signed by a key the service does not know (same key id, as a forger would copy it). */
    public String forged(String user, String... groups) {
        try {
            RsaJsonWebKey other = RsaJwkGenerator.generateJwk(2048);
            other.setKeyId(key.getKeyId());
            return sign(other, claims(user, ISSUER, AUDIENCE, Instant.now().plus(Duration.ofMinutes(5)), groups));
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token whose header says {@code alg: none}: no signature at all. */
    public String unsigned(String user, String... groups) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(claims(user, ISSUER, AUDIENCE, Instant.now().plus(Duration.ofMinutes(5)), groups).toJson());
            jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.NONE);
            jws.setAlgorithmConstraints(org.jose4j.jwa.AlgorithmConstraints.NO_CONSTRAINTS);
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JwtClaims claims(String user, String issuer, String audience, Instant expires, String... groups) {
        JwtClaims c = new JwtClaims();
        c.setIssuer(issuer);
        c.setAudience(audience);
        c.setSubject("sub-" + user);
        c.setClaim("preferred_username", user);
        c.setStringListClaim("groups", List.of(groups));
        c.setIssuedAt(org.jose4j.jwt.NumericDate.fromSeconds(Math.min(expires.getEpochSecond(), Instant.now().getEpochSecond()) - 60));
        c.setExpirationTime(org.jose4j.jwt.NumericDate.fromSeconds(expires.getEpochSecond()));
        c.setGeneratedJwtId();
        return c;
    }

    private static String sign(RsaJsonWebKey k, JwtClaims claims) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(claims.toJson());
            jws.setKey(k.getPrivateKey());
            jws.setKeyIdHeaderValue(k.getKeyId());
            jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes an API-token table into the mounted-secret layout ({@code <dir>/<ns>/<name>/tokens}) and returns the
     * tokens by name; {@code roles} maps each token's name to its roles.
     */
    public static Map<String, String> apiTokens(Path secretsDir, String namespace, String name, Map<String, Set<Role>> roles) {
        Map<String, String> tokens = new LinkedHashMap<>();
        StringBuilder table = new StringBuilder("# written by the test\n");
        roles.forEach((n, r) -> {
            String t = ApiTokens.generate();
            tokens.put(n, t);
            table.append(ApiTokens.line(n, t, r.isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(r))).append('\n');
        });
        try {
            Path d = Files.createDirectories(secretsDir.resolve(namespace).resolve(name));
            Files.writeString(d.resolve("tokens"), table);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return tokens;
    }
}
