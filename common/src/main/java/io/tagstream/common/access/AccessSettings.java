package io.tagstream.common.access;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How a service authenticates and authorises callers, from its {@code tagstream.auth.*} properties (see
 * {@code docs/security.md}).
 *
 * @param localDevelopment every caller is let in with every role, unauthenticated: for {@code ./tagstream up/demo}
 *     on one machine only, and announced wherever it is on
 * @param jwt OIDC/JWT bearer tokens, when configured
 * @param tokensSecret {@code <namespace>/<name>} of the secret whose key {@code tokens} holds the API-token table
 * @param groupRoles which JWT groups hold which role
 * @param readsAuthenticated whether reads ({@code GET}) need the viewer role too
 * @param allowedOrigins browser origins allowed to write ({@code Origin} header); none by default
 */
public record AccessSettings(boolean localDevelopment, Optional<Jwt> jwt, Optional<String> tokensSecret,
        Map<Role, Set<String>> groupRoles, boolean readsAuthenticated, Set<String> allowedOrigins) {

    /**
     * @param keys where the verification keys are: a JWKS URL ({@code https://…/keys}) or a mounted file (JWKS or PEM)
     * @param userClaim the claim naming the user (default: {@code upn}, then {@code preferred_username}, then {@code sub})
     */
    public record Jwt(String keys, String issuer, String audience, Optional<String> userClaim, String groupsClaim) {}

    public AccessSettings {
        groupRoles = Map.copyOf(groupRoles);
        allowedOrigins = Set.copyOf(allowedOrigins);
    }

    /** What is wrong with these settings, each naming its property; a service with problems refuses every write. */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        jwt.ifPresent(j -> {
            if (j.issuer().isBlank()) {
                out.add("tagstream.auth.jwt.issuer is required with tagstream.auth.jwt.keys");
            }
            if (j.audience().isBlank()) {
                out.add("tagstream.auth.jwt.audience is required with tagstream.auth.jwt.keys (a token minted for another service must not work here)");
            }
        });
        tokensSecret.ifPresent(s -> {
            if (s.split("/").length != 2 || s.startsWith("/") || s.endsWith("/")) {
                out.add("tagstream.auth.tokens-secret '" + s + "' is not <namespace>/<name>");
            }
        });
        return out;
    }

    /** Whether any way to authenticate is configured. */
    public boolean anyMethod() {
        return jwt.isPresent() || tokensSecret.isPresent();
    }

    /** One line for the log and readiness: how callers are let in. */
    public String describe() {
        if (localDevelopment) {
            return "OFF (local development: every caller has every role, unauthenticated)";
        }
        List<String> m = new ArrayList<>();
        jwt.ifPresent(j -> m.add("OIDC/JWT (issuer " + j.issuer() + ", audience " + j.audience() + ")"));
        tokensSecret.ifPresent(s -> m.add("API tokens (secret " + s + ")"));
        return m.isEmpty() ? "no method configured: every write is refused" : String.join(" and ", m)
                + (readsAuthenticated ? "; reads need the viewer role" : "; reads are open");
    }
}
