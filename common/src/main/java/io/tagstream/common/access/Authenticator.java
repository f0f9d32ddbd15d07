package io.tagstream.common.access;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Turns a request's {@code Authorization} header into an {@link Identity}. A bearer token in JWT form is verified with
 * SmallRye JWT (signature against the configured keys, issuer, audience, expiry); any other bearer token is looked up
 * in the API-token table. Never says why a token failed beyond what helps its legitimate owner (expired, wrong
 * audience), and never echoes the token.
 */
public final class Authenticator {

    /** The outcome: who it is, or why not (a 401). */
    public sealed interface Outcome permits Authenticated, Anonymous, Refused {}

    public record Authenticated(Identity identity) implements Outcome {}

    /** No credentials were presented. */
    public record Anonymous() implements Outcome {}

    public record Refused(String reason) implements Outcome {}

    private final AccessSettings settings;
    private final Optional<DefaultJWTParser> jwt;
    private final Supplier<ApiTokens.Table> tokens;

    public Authenticator(AccessSettings settings, Supplier<ApiTokens.Table> tokens) {
        this.settings = settings;
        this.tokens = tokens;
        this.jwt = settings.jwt().map(Authenticator::parser);
    }

    private static DefaultJWTParser parser(AccessSettings.Jwt j) {
        JWTAuthContextInfo info = new JWTAuthContextInfo();
        String keys = j.keys();
        info.setPublicKeyLocation(keys.contains(":") && !keys.matches("^[A-Za-z]:\\\\.*") ? keys : "file:" + keys);
        info.setIssuedBy(j.issuer());
        info.setExpectedAudience(Set.of(j.audience()));
        info.setGroupsPath(j.groupsClaim());
        j.userClaim().ifPresent(info::setSubjectPath);
        info.setRequireNamedPrincipal(true);
        info.setSignatureAlgorithm(EnumSet.of(SignatureAlgorithm.RS256, SignatureAlgorithm.RS384, SignatureAlgorithm.RS512,
                SignatureAlgorithm.ES256, SignatureAlgorithm.ES384, SignatureAlgorithm.PS256));
        info.setExpGracePeriodSecs(30);
        info.setJwksRefreshInterval(10);
        return new DefaultJWTParser(info);
    }

    public Outcome authenticate(Optional<String> authorization) {
        if (authorization.isEmpty() || authorization.get().isBlank()) {
            return new Anonymous();
        }
        String h = authorization.get().strip();
        if (!h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return new Refused("only 'Authorization: Bearer <token>' is accepted");
        }
        String token = h.substring(7).strip();
        if (token.isEmpty() || token.length() > 16_384) {
            return new Refused("the bearer token is empty or longer than 16384 characters");
        }
        return looksLikeJwt(token) ? jwt(token) : apiToken(token);
    }

    private Outcome jwt(String token) {
        if (jwt.isEmpty()) {
            return new Refused("a JWT was presented but this service accepts no JWTs (tagstream.auth.jwt.keys is not set)");
        }
        JsonWebToken t;
        try {
            t = jwt.get().parse(token);
        } catch (ParseException e) {
            return new Refused("the JWT was not accepted: " + reason(e));
        } catch (RuntimeException e) {
            return new Refused("the JWT could not be verified (keys unavailable or malformed token)");
        }
        Set<String> groups = t.getGroups() == null ? Set.of() : Set.copyOf(t.getGroups());
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (Map.Entry<Role, Set<String>> e : settings.groupRoles().entrySet()) {
            if (e.getValue().stream().anyMatch(groups::contains)) {
                roles.add(e.getKey());
            }
        }
        return new Authenticated(new Identity("user:" + t.getName(), groups, roles, Identity.Kind.USER));
    }

    private Outcome apiToken(String token) {
        if (settings.tokensSecret().isEmpty()) {
            return new Refused("an API token was presented but this service has no token table (tagstream.auth.tokens-secret is not set)");
        }
        return tokens.get().find(token)
                .<Outcome>map(e -> new Authenticated(new Identity("token:" + e.name(), Set.of(), e.roles(), Identity.Kind.TOKEN)))
                .orElseGet(() -> new Refused("unknown API token"));
    }

    static boolean looksLikeJwt(String token) {
        return token.startsWith("eyJ") && token.chars().filter(c -> c == '.').count() == 2;
    }

    /** What SmallRye's exception says, reduced to what the token's owner can act on. */
    private static String reason(ParseException e) {
        Set<String> seen = new HashSet<>();
        for (Throwable c = e; c != null && seen.add(String.valueOf(c)); c = c.getCause()) {
            String m = String.valueOf(c.getMessage());
            // the signature first, and the claims by their names: a message may quote the token, whose base64 text can
            // hold "aud" or "iss" by chance (a forged token was once reported as "wrong audience")
            if (m.contains("signature") || m.contains("Signature")) {
                return "bad signature";
            }
            if (m.contains("expired") || m.contains("Expiration")) {
                return "expired";
            }
            if (m.contains("Audience") || m.contains("(aud)")) {
                return "wrong audience";
            }
            if (m.contains("Issuer") || m.contains("(iss)")) {
                return "wrong issuer";
            }
        }
        return "invalid token";
    }
}
