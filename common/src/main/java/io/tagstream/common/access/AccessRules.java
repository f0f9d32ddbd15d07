package io.tagstream.common.access;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Whether one request may go on: which role its method and path need, whether its origin and content type are
 * acceptable, and whether the identity presented holds the role. Every refusal names the rule that refused it.
 * Webhook paths are left to the receivers' own authentication (a registry cannot hold a user's token), chat
 * callbacks and signed links to their signatures.
 */
public final class AccessRules {

    /** A request, as far as access is concerned. */
    public record Call(String method, String path, Optional<String> contentType, boolean hasBody, Optional<String> origin) {}

    public sealed interface Decision permits Allowed, Exempt, Denied {}

    /** Go on, as this identity. */
    public record Allowed(Identity identity) implements Decision {}

    /** Not ours to decide (webhooks: the receiver authenticates the delivery; health and metrics). */
    public record Exempt() implements Decision {}

    /** @param status 401, 403 or 415; {@code rule} names what refused it, {@code reason} says it to a person */
    public record Denied(int status, String rule, String reason) implements Decision {}

    /** Which role a path needs for a write; the first match wins, and a write no row names needs admin. */
    private record Row(Pattern path, Role role, String rule) {}

    private static final List<Row> WRITES = List.of(
            new Row(Pattern.compile("/api/v1/promotions/[^/]+/(approve|reject)"), Role.APPROVER, "approving or rejecting needs the approver role"),
            new Row(Pattern.compile("/api/v1/promotions/[^/]+/links"), Role.APPROVER, "making an approval link needs the approver role"),
            new Row(Pattern.compile("/api/v1/signals"), Role.SIGNALER, "sending a signal needs the signaler role (a token scoped to signals)"),
            new Row(Pattern.compile("/api/v1/policies(/[^/]+/[^/]+)?/evaluate"), Role.VIEWER, "a dry run needs the viewer role"),
            new Row(Pattern.compile("/api/v1/automations/preview"), Role.VIEWER, "a dry run needs the viewer role"),
            new Row(Pattern.compile("/api/v1/repositories/[^/]+/[^/]+/scan"), Role.ADMIN, "asking for a scan needs the admin role"));

    /**
     * Paths that authenticate each request themselves: webhooks (the receiver's token or signature), Slack's
     * interactivity (Slack's signature), signed approval links (their HMAC); the console's sign-in, which is how a
     * caller gets a token (the identity provider authenticates); and health and metrics.
     */
    private static final Pattern EXEMPT = Pattern.compile(
            "/(hook/[^/]+|api/v1/webhooks/.*|api/v1/chat/slack/interactions|api/v1/links/[^/]+|login/(oidc|oidc/config|callback)|q/.*)");

    private AccessRules() {}

    /** The role a call needs; empty for a call the rules leave alone. */
    public static Optional<Row> needs(Call c, AccessSettings s) {
        String path = routed(c.path());
        if (EXEMPT.matcher(path).matches()) {
            return Optional.empty();
        }
        if (!write(c.method())) {
            return s.readsAuthenticated() ? Optional.of(new Row(null, Role.VIEWER, "reading needs the viewer role")) : Optional.empty();
        }
        return Optional.of(WRITES.stream().filter(r -> r.path().matcher(path).matches()).findFirst()
                .orElse(new Row(null, Role.ADMIN, "this write needs the admin role")));
    }

    public static Decision decide(Call c, AccessSettings s, Authenticator.Outcome who) {
        String path = routed(c.path());
        if (EXEMPT.matcher(path).matches()) {
            return new Exempt();
        }
        boolean write = write(c.method());
        if (write && c.origin().isPresent() && !s.allowedOrigins().contains(c.origin().get())) {
            return new Denied(403, "cross-origin writes",
                    "a write from origin " + c.origin().get() + " is refused: browsers may write only from tagstream.auth.allowed-origins");
        }
        // only a body is judged: a bodiless POST (curl -X POST, or a client adding text/plain to nothing) carries no
        // data to misread, and a browser's cross-site attempt is refused by its Origin above
        if (write && c.hasBody() && !json(c.contentType())) {
            return new Denied(415, "JSON only", "a write must be Content-Type: application/json"
                    + c.contentType().map(t -> ", not " + t).orElse(" (none was given)"));
        }
        Optional<Row> need = needs(c, s);
        if (s.localDevelopment()) {
            return new Allowed(Identity.localDevelopment(null));
        }
        if (need.isEmpty()) {
            return new Allowed(Identity.ANONYMOUS);
        }
        if (!s.problems().isEmpty() || !s.anyMethod()) {
            return new Denied(401, "authentication configured", "this service cannot authenticate callers: "
                    + (s.anyMethod() ? String.join("; ", s.problems()) : "set tagstream.auth.jwt.* or tagstream.auth.tokens-secret"));
        }
        if (who instanceof Authenticator.Anonymous) {
            return new Denied(401, "authentication", need.get().rule() + ": present 'Authorization: Bearer <token>'");
        }
        if (who instanceof Authenticator.Refused r) {
            return new Denied(401, "authentication", r.reason());
        }
        Identity id = ((Authenticator.Authenticated) who).identity();
        if (!id.has(need.get().role())) {
            return new Denied(403, need.get().role().label() + " role", need.get().rule() + "; " + id.id() + " has "
                    + (id.roles().isEmpty() ? "no role" : "only " + String.join(", ", id.roles().stream().sorted().map(Role::label).toList())));
        }
        return new Allowed(id);
    }

    private static boolean write(String method) {
        return !List.of("GET", "HEAD", "OPTIONS").contains(method.toUpperCase(Locale.ROOT));
    }

    private static boolean json(Optional<String> contentType) {
        if (contentType.isEmpty()) {
            return false;
        }
        String t = contentType.get().split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return t.equals("application/json") || (t.startsWith("application/") && t.endsWith("+json"));
    }

    /**
     * The decoded path a request is judged by, dot segments resolved: {@code /hook/x/../../api/v1/signals} is the
     * signals path, not a webhook; an encoded slash becomes a separator, which only makes a path match a stricter row.
     */
    public static String routed(String decodedPath) {
        java.util.Deque<String> out = new java.util.ArrayDeque<>();
        for (String seg : decodedPath.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                out.pollLast();
            } else {
                out.addLast(seg);
            }
        }
        return "/" + String.join("/", out);
    }
}
