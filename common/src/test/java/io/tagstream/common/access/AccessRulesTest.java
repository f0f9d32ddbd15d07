package io.tagstream.common.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.testkit.IdentityProvider;
import io.tagstream.testkit.WorkDirs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Who may do what: every refusal a table row with the status and the rule that refused it. */
class AccessRulesTest {

    static Path dir;
    static IdentityProvider idp;
    static Map<String, String> tokens;
    static AccessSettings settings;
    static Authenticator auth;

    @BeforeAll
    static void setUp() {
        dir = WorkDirs.create("access");
        idp = IdentityProvider.create(dir);
        tokens = IdentityProvider.apiTokens(dir.resolve("secrets"), "tagstream-system", "api-tokens", Map.of(
                "qe-bot", Set.of(Role.SIGNALER), "release-bot", Set.of(Role.APPROVER), "ops", Set.of(Role.ADMIN),
                "dashboard", Set.of(Role.VIEWER)));
        settings = settings(false, true);
        auth = authenticator(settings);
    }

    @AfterAll
    static void tearDown() {
        WorkDirs.delete(dir);
    }

    static AccessSettings settings(boolean localDevelopment, boolean readsAuthenticated) {
        Map<String, String> p = idp.properties();
        return new AccessSettings(localDevelopment, Optional.of(new AccessSettings.Jwt(p.get("tagstream.auth.jwt.keys"),
                IdentityProvider.ISSUER, IdentityProvider.AUDIENCE, Optional.empty(), "groups")),
                Optional.of("tagstream-system/api-tokens"),
                Map.of(Role.VIEWER, Set.of("viewers"), Role.APPROVER, Set.of("approvers"), Role.ADMIN, Set.of("platform")),
                readsAuthenticated, Set.of("https://console.example"));
    }

    static Authenticator authenticator(AccessSettings s) {
        var secrets = new io.tagstream.common.config.Secrets(Optional.of(dir.resolve("secrets")), Map.of());
        return new Authenticator(s, () -> ApiTokens.parse(secrets.get("tagstream-system", "api-tokens", "tokens").orElseThrow().reveal()));
    }

    record Row(String name, String method, String path, String contentType, boolean hasBody, String origin,
            String authorization, int status, String ruleOrIdentity) {
        /** a row with a content type has a body */
        Row(String name, String method, String path, String contentType, String origin, String authorization, int status,
                String ruleOrIdentity) {
            this(name, method, path, contentType, contentType != null, origin, authorization, status, ruleOrIdentity);
        }
    }

    static final String APPROVE = "/api/v1/promotions/p1/approve";
    static final String JSON = "application/json";

    static String bearer(String t) {
        return "Bearer " + t;
    }

    @Test
    void everyRequestIsLetInOrRefusedByANamedRule() {
        List<Row> rows = List.of(
                new Row("an approver's JWT approves", "POST", APPROVE, JSON, null, bearer(idp.token("alice", "approvers")), 200, "user:alice"),
                new Row("an admin's JWT approves too", "POST", APPROVE, JSON, null, bearer(idp.token("root", "platform")), 200, "user:root"),
                new Row("no token", "POST", APPROVE, JSON, null, null, 401, "authentication"),
                new Row("a viewer cannot approve", "POST", APPROVE, JSON, null, bearer(idp.token("vic", "viewers")), 403, "approver role"),
                new Row("a user in no mapped group has no role", "POST", APPROVE, JSON, null, bearer(idp.token("eve", "devs")), 403, "approver role"),
                new Row("a forged signature", "POST", APPROVE, JSON, null, bearer(idp.forged("alice", "approvers")), 401, "authentication"),
                new Row("alg none", "POST", APPROVE, JSON, null, bearer(idp.unsigned("alice", "approvers")), 401, "authentication"),
                new Row("expired", "POST", APPROVE, JSON, null, bearer(idp.expired("alice", "approvers")), 401, "authentication"),
                new Row("minted for another service", "POST", APPROVE, JSON, null, bearer(idp.forAudience("grafana", "alice", "approvers")), 401, "authentication"),
                new Row("basic auth is not a bearer token", "POST", APPROVE, JSON, null, "Basic YWxpY2U6c2VjcmV0", 401, "authentication"),
                new Row("an approver token approves", "POST", APPROVE, JSON, null, bearer(tokens.get("release-bot")), 200, "token:release-bot"),
                new Row("an unknown API token", "POST", APPROVE, JSON, null, bearer("tst_" + "A".repeat(43)), 401, "authentication"),
                new Row("a signal token cannot approve", "POST", APPROVE, JSON, null, bearer(tokens.get("qe-bot")), 403, "approver role"),
                new Row("a signal token signals", "POST", "/api/v1/signals", JSON, null, bearer(tokens.get("qe-bot")), 200, "token:qe-bot"),
                new Row("an approver cannot signal", "POST", "/api/v1/signals", JSON, null, bearer(tokens.get("release-bot")), 403, "signaler role"),
                new Row("a signal token cannot read", "GET", "/api/v1/promotions", null, null, bearer(tokens.get("qe-bot")), 403, "viewer role"),
                new Row("a viewer reads", "GET", "/api/v1/promotions", null, null, bearer(tokens.get("dashboard")), 200, "token:dashboard"),
                new Row("reads need a token by default", "GET", "/api/v1/promotions", null, null, null, 401, "authentication"),
                new Row("a scan needs admin", "POST", "/api/v1/repositories/ns/app/scan", null, null, bearer(tokens.get("release-bot")), 403, "admin role"),
                new Row("an admin scans without a body", "POST", "/api/v1/repositories/ns/app/scan", null, null, bearer(tokens.get("ops")), 200, "token:ops"),
                new Row("an empty body's content type is not judged", "POST", "/api/v1/repositories/ns/app/scan", "text/plain", false,
                        null, bearer(tokens.get("ops")), 200, "token:ops"),
                new Row("a viewer dry-runs", "POST", "/api/v1/policies/evaluate", JSON, null, bearer(tokens.get("dashboard")), 200, "token:dashboard"),
                new Row("a write no row names needs admin", "DELETE", "/api/v1/promotions/p1", null, null, bearer(tokens.get("release-bot")), 403, "admin role"),
                new Row("a form post from another origin", "POST", APPROVE, "application/x-www-form-urlencoded", "https://evil.example",
                        bearer(tokens.get("release-bot")), 403, "cross-origin writes"),
                new Row("text/plain (a simple cross-site request) from no origin", "POST", APPROVE, "text/plain", null,
                        bearer(tokens.get("release-bot")), 415, "JSON only"),
                new Row("the console's origin may write", "POST", APPROVE, JSON, "https://console.example", bearer(tokens.get("release-bot")), 200, "token:release-bot"),
                new Row("JSON with a charset", "POST", APPROVE, "application/json; charset=utf-8", null, bearer(tokens.get("release-bot")), 200, "token:release-bot"),
                new Row("webhooks authenticate themselves", "POST", "/api/v1/webhooks/harbor/ns/r", "text/plain", "https://evil.example", null, 0, "exempt"),
                new Row("Flux's receiver path too", "POST", "/hook/abc", null, null, null, 0, "exempt"),
                new Row("dot segments do not reach a webhook's exemption", "POST", "/hook/x/../../api/v1/signals", "text/plain", null, null, 415, "JSON only"),
                new Row("nor a health path's", "POST", "/q/../api/v1/promotions/p1/approve", JSON, null, null, 401, "authentication"),
                new Row("a doubled slash is the same path", "POST", "//api/v1//promotions/p1/approve", JSON, null, bearer(tokens.get("qe-bot")), 403, "approver role"));
        for (Row r : rows) {
            AccessRules.Call call = new AccessRules.Call(r.method(), r.path(), Optional.ofNullable(r.contentType()),
                    r.hasBody(), Optional.ofNullable(r.origin()));
            AccessRules.Decision d = AccessRules.decide(call, settings, auth.authenticate(Optional.ofNullable(r.authorization())));
            if (r.status() == 200) {
                assertTrue(d instanceof AccessRules.Allowed, r.name() + ": " + d);
                assertEquals(r.ruleOrIdentity(), ((AccessRules.Allowed) d).identity().id(), r.name());
            } else if (r.status() == 0) {
                assertTrue(d instanceof AccessRules.Exempt, r.name() + ": " + d);
            } else {
                assertTrue(d instanceof AccessRules.Denied, r.name() + ": " + d);
                AccessRules.Denied denied = (AccessRules.Denied) d;
                assertEquals(r.status(), denied.status(), r.name() + ": " + denied);
                assertEquals(r.ruleOrIdentity(), denied.rule(), r.name() + ": " + denied);
            }
        }
    }

    @Test
    void whyATokenFailedIsSaidWithoutEchoingIt() {
        String expired = idp.expired("alice", "approvers");
        var out = (Authenticator.Refused) auth.authenticate(Optional.of(bearer(expired)));
        assertEquals("the JWT was not accepted: expired", out.reason());
        var forged = (Authenticator.Refused) auth.authenticate(Optional.of(bearer(idp.forged("alice"))));
        assertTrue(!forged.reason().contains(idp.forged("alice").substring(0, 20)), forged.reason());
        var aud = (Authenticator.Refused) auth.authenticate(Optional.of(bearer(idp.forAudience("grafana", "alice"))));
        assertEquals("the JWT was not accepted: wrong audience", aud.reason());
    }

    @Test
    void theLocalDevelopmentSwitchLetsEveryoneInAndTakesTheirWord() {
        AccessSettings dev = settings(true, true);
        var d = AccessRules.decide(new AccessRules.Call("POST", APPROVE, Optional.of(JSON), true, Optional.empty()), dev,
                new Authenticator.Anonymous());
        Identity id = ((AccessRules.Allowed) d).identity();
        assertEquals(Identity.Kind.LOCAL_DEVELOPMENT, id.kind());
        assertEquals("user:qe", id.claiming("qe").id());
        // even under the switch a page on another origin cannot write
        var cross = AccessRules.decide(new AccessRules.Call("POST", APPROVE, Optional.of("text/plain"), true,
                Optional.of("https://evil.example")), dev, new Authenticator.Anonymous());
        assertEquals(403, ((AccessRules.Denied) cross).status());
        // an authenticated identity is itself, whatever a body claims
        Identity alice = new Identity("user:alice", Set.of(), Set.of(Role.APPROVER), Identity.Kind.USER);
        assertEquals("user:alice", alice.claiming("bob").id());
        assertEquals("anonymous", Identity.ANONYMOUS.claiming("bob").id());
    }

    @Test
    void withNoMethodConfiguredEveryWriteIsRefusedAndReadsCanBeOpened() {
        AccessSettings none = new AccessSettings(false, Optional.empty(), Optional.empty(), Map.of(), false, Set.of());
        Authenticator a = new Authenticator(none, () -> ApiTokens.parse(""));
        var w = AccessRules.decide(new AccessRules.Call("POST", APPROVE, Optional.of(JSON), true, Optional.empty()), none,
                a.authenticate(Optional.empty()));
        assertEquals(401, ((AccessRules.Denied) w).status());
        assertEquals("authentication configured", ((AccessRules.Denied) w).rule());
        var r = AccessRules.decide(new AccessRules.Call("GET", "/api/v1/promotions", Optional.empty(), false, Optional.empty()), none,
                a.authenticate(Optional.empty()));
        assertEquals(Identity.ANONYMOUS, ((AccessRules.Allowed) r).identity());
        AccessSettings noAudience = new AccessSettings(false, Optional.of(new AccessSettings.Jwt("/k.json", "https://i", "", Optional.empty(), "groups")),
                Optional.empty(), Map.of(), true, Set.of());
        assertEquals(List.of("tagstream.auth.jwt.audience is required with tagstream.auth.jwt.keys (a token minted for another service must not work here)"),
                noAudience.problems());
    }

    @Test
    void theTokenTableNamesEveryLineItCannotRead() {
        String ok = ApiTokens.line("ci", "tst_x", Set.of(Role.SIGNALER));
        ApiTokens.Table t = ApiTokens.parse(String.join("\n", "# bots", ok, "ci sha256:" + "a".repeat(64) + " admin",
                "bad name! sha256:" + "a".repeat(64) + " admin", "plain tst_secret admin", "x sha256:" + "b".repeat(64) + " root", "lonely"));
        assertEquals(1, t.entries().size());
        assertEquals(List.of("line 3: token name 'ci' is listed twice",
                "line 4: expected '<name> sha256:<hex> <role>[,<role>]', found 4 fields",
                "line 5: the hash of 'plain' is not sha256:<64 lower-case hex digits> (the token itself is never stored)",
                "line 6: 'root' is not a role (viewer, approver, signaler, admin)",
                "line 7: expected '<name> sha256:<hex> <role>[,<role>]', found 1 fields"), t.problems());
        assertEquals("ci", t.find("tst_x").orElseThrow().name());
        assertTrue(t.find("tst_y").isEmpty());
        assertTrue(ApiTokens.generate().matches("tst_[A-Za-z0-9_-]{43}"));
    }
}
