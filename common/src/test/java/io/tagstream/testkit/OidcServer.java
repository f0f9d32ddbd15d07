package io.tagstream.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An OpenID Connect provider on 127.0.0.1 that speaks the authorization code flow as RFC 6749 §4.1 and PKCE
 * (RFC 7636, S256 only) describe it, and checks every request: its discovery document, an authorization endpoint
 * that signs in {@link #signInAs} without a page (a real provider would show one) and redirects with a single-use
 * code bound to the client, redirect URI and code challenge, and a token endpoint that refuses a wrong client, a
 * reused or foreign code, a different redirect URI or a verifier that does not match, with the RFC's error codes.
 * Tokens are {@link IdentityProvider}'s, so the services accept them. What went wrong is in {@link #problems()}.
 */
public final class OidcServer implements AutoCloseable {

    private record Grant(String clientId, String redirectUri, String challenge, String user, String[] groups) {}

    private final HttpServer server;
    private final IdentityProvider idp;
    private final String clientId;
    private final String clientSecret;
    private final Map<String, Grant> codes = new ConcurrentHashMap<>();
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private volatile String user = "alice";
    private volatile String[] groups = {"approvers"};

    private OidcServer(IdentityProvider idp, String clientId, String clientSecret) {
        this.idp = idp;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/.well-known/openid-configuration", this::discovery);
        server.createContext("/authorize", this::authorize);
        server.createContext("/token", this::token);
        server.start();
    }

    /** A provider for one confidential client. */
    public static OidcServer start(IdentityProvider idp, String clientId, String clientSecret) {
        return new OidcServer(idp, clientId, clientSecret);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public String discoveryUrl() {
        return url() + "/.well-known/openid-configuration";
    }

    /** Who the next sign-in is, and their groups. */
    public void signInAs(String user, String... groups) {
        this.user = user;
        this.groups = groups;
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    private void discovery(HttpExchange x) throws IOException {
        send(x, 200, "application/json", """
                {"issuer": "%1$s", "authorization_endpoint": "%1$s/authorize", "token_endpoint": "%1$s/token",
                 "response_types_supported": ["code"], "grant_types_supported": ["authorization_code"],
                 "code_challenge_methods_supported": ["S256"], "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                 "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"]}""".formatted(url()));
    }

    private void authorize(HttpExchange x) throws IOException {
        Map<String, String> q = form(x.getRequestURI().getRawQuery());
        String redirect = q.getOrDefault("redirect_uri", "");
        List<String> wrong = new ArrayList<>();
        if (!"GET".equals(x.getRequestMethod())) {
            wrong.add("method " + x.getRequestMethod());
        }
        if (!"code".equals(q.get("response_type"))) {
            wrong.add("response_type " + q.get("response_type"));
        }
        if (!clientId.equals(q.get("client_id"))) {
            wrong.add("client_id " + q.get("client_id"));
        }
        if (!redirect.startsWith("http://") && !redirect.startsWith("https://")) {
            wrong.add("redirect_uri " + redirect);
        }
        if (q.getOrDefault("scope", "").isEmpty() || !List.of(q.get("scope").split(" ")).contains("openid")) {
            wrong.add("scope without openid: " + q.get("scope"));
        }
        if (q.getOrDefault("state", "").length() < 16) {
            wrong.add("state too weak or missing");
        }
        if (!"S256".equals(q.get("code_challenge_method")) || !q.getOrDefault("code_challenge", "").matches("[A-Za-z0-9_-]{43}")) {
            wrong.add("PKCE challenge " + q.get("code_challenge_method") + " " + q.get("code_challenge"));
        }
        if (!wrong.isEmpty()) {
            problems.add("authorize: " + wrong);
            send(x, 400, "text/plain", "invalid_request: " + wrong);
            return;
        }
        String code = UUID.randomUUID().toString();
        codes.put(code, new Grant(clientId, redirect, q.get("code_challenge"), user, groups));
        x.getResponseHeaders().add("Location", redirect + (redirect.contains("?") ? "&" : "?") + "code=" + code + "&state="
                + URLEncoder.encode(q.get("state"), StandardCharsets.UTF_8));
        x.sendResponseHeaders(302, -1);
        x.close();
    }

    private void token(HttpExchange x) throws IOException {
        String type = x.getRequestHeaders().getFirst("Content-Type");
        Map<String, String> f = form(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        if (!"POST".equals(x.getRequestMethod()) || type == null || !type.startsWith("application/x-www-form-urlencoded")) {
            error(x, 400, "invalid_request", "POST application/x-www-form-urlencoded");
            return;
        }
        String basic = "Basic " + Base64.getEncoder().encodeToString((URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        if (!basic.equals(x.getRequestHeaders().getFirst("Authorization"))) {
            error(x, 401, "invalid_client", "client authentication failed");
            return;
        }
        if (!"authorization_code".equals(f.get("grant_type"))) {
            error(x, 400, "unsupported_grant_type", String.valueOf(f.get("grant_type")));
            return;
        }
        Grant g = codes.remove(f.getOrDefault("code", "")); // single use
        if (g == null || !g.clientId().equals(f.get("client_id")) || !g.redirectUri().equals(f.get("redirect_uri"))) {
            error(x, 400, "invalid_grant", "unknown or used code, or another client or redirect_uri");
            return;
        }
        if (!g.challenge().equals(s256(f.getOrDefault("code_verifier", "")))) {
            error(x, 400, "invalid_grant", "code_verifier does not match the code_challenge");
            return;
        }
        String token = idp.token(g.user(), g.groups());
        x.getResponseHeaders().add("Cache-Control", "no-store");
        send(x, 200, "application/json", "{\"access_token\": \"" + token + "\", \"token_type\": \"Bearer\", \"expires_in\": 300,"
                + " \"id_token\": \"" + token + "\"}");
    }

    private void error(HttpExchange x, int status, String code, String description) throws IOException {
        problems.add("token: " + code + ": " + description);
        send(x, status, "application/json", "{\"error\": \"" + code + "\", \"error_description\": \"" + description + "\"}");
    }

    private static String s256(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> form(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void send(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", type);
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
        x.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
