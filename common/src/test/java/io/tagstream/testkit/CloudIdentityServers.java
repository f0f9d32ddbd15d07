package io.tagstream.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateful stand-ins for the clouds' identity endpoints, speaking each one's documented wire protocol on 127.0.0.1 and
 * refusing (400/401/403, recorded in {@link Base#problems()}) any request that does not follow it:
 * <ul>
 *   <li>{@link GceMetadata}: the GCE metadata server's service-account token ({@code Metadata-Flavor: Google} both ways,
 *       no {@code X-Forwarded-For});</li>
 *   <li>{@link AzureAd}: the Microsoft identity platform v2.0 token endpoint (client credentials with a federated
 *       client assertion), the IMDS managed-identity endpoint, and ACR's {@code /oauth2/exchange} (mounted on the
 *       registry's proxy);</li>
 *   <li>{@link Aws}: STS {@code AssumeRoleWithWebIdentity} (query protocol, unsigned) and ECR
 *       {@code GetAuthorizationToken} (JSON 1.1), whose Signature Version 4 is recomputed with the secret key the STS
 *       issued and compared.</li>
 * </ul>
 */
public final class CloudIdentityServers {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CloudIdentityServers() {}

    /** An HTTP server on 127.0.0.1 that counts requests and keeps every protocol violation it refused. */
    public abstract static class Base implements AutoCloseable {
        final HttpServer server;
        final List<String> problems = new CopyOnWriteArrayList<>();
        final AtomicInteger requests = new AtomicInteger();

        Base() {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/", ex -> {
                try (ex) {
                    requests.incrementAndGet();
                    handle(ex);
                } catch (RuntimeException e) {
                    refuse(ex, 500, "test server failed: " + e);
                }
            });
            server.start();
        }

        abstract void handle(HttpExchange ex) throws IOException;

        public String host() {
            return "127.0.0.1:" + server.getAddress().getPort();
        }

        public String url() {
            return "http://" + host();
        }

        public int requests() {
            return requests.get();
        }

        /** The requests refused because they broke the protocol; a correct client leaves this empty. */
        public List<String> problems() {
            return List.copyOf(problems);
        }

        void refuse(HttpExchange ex, int status, String why) throws IOException {
            problems.add(ex.getRequestMethod() + " " + ex.getRequestURI() + ": " + why);
            // an OAuth error: "invalid_grant: …" names its code, anything else is an invalid_request
            Matcher m = Pattern.compile("^([a-z_]+): (.*)$", Pattern.DOTALL).matcher(why);
            boolean coded = m.matches();
            send(ex, status, "application/json", JSON.writeValueAsString(Map.of("error", coded ? m.group(1) : "invalid_request",
                    "error_description", coded ? m.group(2) : why)));
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            ex.getResponseBody().write(b);
        }
    }

    static Map<String, String> form(String body) {
        Map<String, String> m = new LinkedHashMap<>();
        if (body != null && !body.isEmpty()) {
            for (String p : body.split("&")) {
                int i = p.indexOf('=');
                String k = URLDecoder.decode(i < 0 ? p : p.substring(0, i), StandardCharsets.UTF_8);
                m.put(k, i < 0 ? "" : URLDecoder.decode(p.substring(i + 1), StandardCharsets.UTF_8));
            }
        }
        return m;
    }

    static boolean isForm(HttpExchange ex) {
        return String.valueOf(ex.getRequestHeaders().getFirst("Content-Type")).startsWith("application/x-www-form-urlencoded");
    }

    /** An unsigned JWT-shaped token carrying the claims a client may read ({@code tid}, {@code exp}). */
    static String jwt(Map<String, Object> claims) {
        Base64.Encoder b = Base64.getUrlEncoder().withoutPadding();
        try {
            return b.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                    + b.encodeToString(JSON.writeValueAsBytes(claims)) + "." + b.encodeToString(UUID.randomUUID().toString().getBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- Google -------------------------------------------------------------------------------------------------

    /** The GCE metadata server's {@code /computeMetadata/v1/instance/service-accounts/default/token}. */
    public static final class GceMetadata extends Base {
        private final Supplier<String> tokens;

        /** Answers each token request with the next value of {@code tokens}. */
        public GceMetadata(Supplier<String> tokens) {
            this.tokens = tokens;
        }

        @Override
        void handle(HttpExchange ex) throws IOException {
            if (!ex.getRequestMethod().equals("GET")) {
                refuse(ex, 405, "the metadata server answers GET only");
            } else if (!ex.getRequestURI().getPath().equals("/computeMetadata/v1/instance/service-accounts/default/token")) {
                refuse(ex, 404, "no such metadata path");
            } else if (!"Google".equals(ex.getRequestHeaders().getFirst("Metadata-Flavor"))) {
                refuse(ex, 403, "Missing Metadata-Flavor:Google header");
            } else if (ex.getRequestHeaders().containsKey("X-Forwarded-For")) {
                refuse(ex, 403, "requests with X-Forwarded-For are refused");
            } else {
                ex.getResponseHeaders().set("Metadata-Flavor", "Google");
                send(ex, 200, "application/json", JSON.writeValueAsString(Map.of(
                        "access_token", tokens.get(), "expires_in", 3599, "token_type", "Bearer")));
            }
        }
    }

    /**
     * Google's STS ({@code POST /v1/token}: RFC 8693 token exchange for workload identity federation, and the RFC 7523
     * JWT-bearer grant of a service account key, whose RS256 signature is verified), IAM Credentials'
     * {@code generateAccessToken}, and a local endpoint serving a subject token as JSON (a {@code url} credential source).
     */
    public static final class GoogleSts extends Base {
        private final String audience;
        private final String subjectToken;
        private final String serviceAccount;
        private final java.security.PublicKey keyOfServiceAccount;
        private final String finalToken;
        private final Set<String> stsTokens = ConcurrentHashMap.newKeySet();

        /**
         * Trusts {@code subjectToken} for the pool provider {@code audience}, lets its STS tokens impersonate
         * {@code serviceAccount}, and accepts assertions signed by {@code keyOfServiceAccount}; the registry-usable
         * token is {@code finalToken} (from impersonation, a key assertion, or STS when {@code direct}).
         */
        public GoogleSts(String audience, String subjectToken, String serviceAccount, java.security.PublicKey keyOfServiceAccount,
                String finalToken) {
            this.audience = audience;
            this.subjectToken = subjectToken;
            this.serviceAccount = serviceAccount;
            this.keyOfServiceAccount = keyOfServiceAccount;
            this.finalToken = finalToken;
        }

        private volatile boolean direct;

        /** STS answers with the final token itself (federated access without impersonation). */
        public GoogleSts direct() {
            this.direct = true;
            return this;
        }

        @Override
        void handle(HttpExchange ex) throws IOException {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/v1/token")) {
                token(ex);
            } else if (path.equals("/v1/projects/-/serviceAccounts/" + serviceAccount + ":generateAccessToken")) {
                impersonate(ex);
            } else if (path.equals("/subject-token")) {
                if (!"Bearer cluster-credential".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                    refuse(ex, 401, "the subject token endpoint wants its configured header");
                } else {
                    send(ex, 200, "application/json", JSON.writeValueAsString(Map.of("id_token", subjectToken)));
                }
            } else {
                refuse(ex, 404, "unknown endpoint");
            }
        }

        private void token(HttpExchange ex) throws IOException {
            if (!ex.getRequestMethod().equals("POST") || !isForm(ex)) {
                refuse(ex, 400, "the token endpoint takes a form POST");
                return;
            }
            Map<String, String> f = form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String grant = String.valueOf(f.get("grant_type"));
            if (grant.equals("urn:ietf:params:oauth:grant-type:token-exchange")) {
                if (!audience.equals(f.get("audience"))) {
                    refuse(ex, 400, "invalid_target: audience " + f.get("audience"));
                } else if (!"urn:ietf:params:oauth:token-type:jwt".equals(f.get("subject_token_type"))
                        || !"urn:ietf:params:oauth:token-type:access_token".equals(f.get("requested_token_type"))) {
                    refuse(ex, 400, "invalid_request: token types " + f.get("subject_token_type") + " → " + f.get("requested_token_type"));
                } else if (!subjectToken.equals(f.get("subject_token"))) {
                    refuse(ex, 400, "invalid_grant: the subject token is not trusted by this pool");
                } else if (!"https://www.googleapis.com/auth/cloud-platform".equals(f.get("scope"))) {
                    refuse(ex, 400, "invalid_scope: " + f.get("scope"));
                } else {
                    String t = direct ? finalToken : "sts-" + UUID.randomUUID();
                    stsTokens.add(t);
                    send(ex, 200, "application/json", JSON.writeValueAsString(Map.of("access_token", t,
                            "issued_token_type", "urn:ietf:params:oauth:token-type:access_token", "token_type", "Bearer", "expires_in", 3599)));
                }
            } else if (grant.equals("urn:ietf:params:oauth:grant-type:jwt-bearer")) {
                String why = assertionProblem(String.valueOf(f.get("assertion")), url() + "/v1/token");
                if (why != null) {
                    refuse(ex, 400, "invalid_grant: " + why);
                } else {
                    send(ex, 200, "application/json", JSON.writeValueAsString(Map.of("access_token", finalToken,
                            "token_type", "Bearer", "expires_in", 3599)));
                }
            } else {
                refuse(ex, 400, "unsupported_grant_type: " + grant);
            }
        }

        private String assertionProblem(String jwt, String tokenUri) {
            String[] parts = jwt.split("\\.");
            if (parts.length != 3) {
                return "the assertion is not a JWS";
            }
            try {
                JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
                JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
                java.security.Signature v = java.security.Signature.getInstance("SHA256withRSA");
                v.initVerify(keyOfServiceAccount);
                v.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
                if (!"RS256".equals(header.path("alg").asText()) || !v.verify(Base64.getUrlDecoder().decode(parts[2]))) {
                    return "Invalid JWT Signature.";
                }
                long now = Instant.now().getEpochSecond();
                if (!serviceAccount.equals(claims.path("iss").asText()) || !tokenUri.equals(claims.path("aud").asText())
                        || !"https://www.googleapis.com/auth/cloud-platform".equals(claims.path("scope").asText())) {
                    return "Invalid JWT: iss, aud or scope";
                }
                if (Math.abs(claims.path("iat").asLong() - now) > 300 || claims.path("exp").asLong() - claims.path("iat").asLong() > 3600) {
                    return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.";
                }
                return null;
            } catch (IOException | java.security.GeneralSecurityException | IllegalArgumentException e) {
                return "the assertion does not decode: " + e;
            }
        }

        private void impersonate(HttpExchange ex) throws IOException {
            String auth = String.valueOf(ex.getRequestHeaders().getFirst("Authorization"));
            if (!ex.getRequestMethod().equals("POST")
                    || !String.valueOf(ex.getRequestHeaders().getFirst("Content-Type")).startsWith("application/json")) {
                refuse(ex, 400, "generateAccessToken takes a JSON POST");
                return;
            }
            JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
            if (!auth.startsWith("Bearer ") || !stsTokens.contains(auth.substring(7))) {
                problems.add("POST generateAccessToken: not an STS token of this pool");
                send(ex, 401, "application/json", "{\"error\":{\"code\":401,\"message\":\"Request had invalid authentication credentials.\",\"status\":\"UNAUTHENTICATED\"}}");
            } else if (!body.path("scope").isArray() || !body.path("scope").toString().contains("https://www.googleapis.com/auth/cloud-platform")) {
                refuse(ex, 400, "scope must list cloud-platform");
            } else {
                String expires = DateTimeFormatter.ISO_INSTANT.format(Instant.now().plusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
                send(ex, 200, "application/json", JSON.writeValueAsString(Map.of("accessToken", finalToken, "expireTime", expires)));
            }
        }
    }

    // --- Azure --------------------------------------------------------------------------------------------------

    /** Microsoft Entra ID's v2.0 token endpoint and IMDS, and ACR's token exchange for a registry. */
    public static final class AzureAd extends Base {
        public static final String ARM_SCOPE = "https://management.azure.com/.default";
        private final String tenant;
        private final String clientId;
        private final Path federatedTokenFile;
        private final Set<String> issued = ConcurrentHashMap.newKeySet();

        public AzureAd(String tenant, String clientId, Path federatedTokenFile) {
            this.tenant = tenant;
            this.clientId = clientId;
            this.federatedTokenFile = federatedTokenFile;
        }

        @Override
        void handle(HttpExchange ex) throws IOException {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/" + tenant + "/oauth2/v2.0/token")) {
                federated(ex);
            } else if (path.equals("/metadata/identity/oauth2/token")) {
                imds(ex);
            } else {
                refuse(ex, 404, "unknown endpoint (tenant " + tenant + ")");
            }
        }

        private void federated(HttpExchange ex) throws IOException {
            if (!ex.getRequestMethod().equals("POST") || !isForm(ex)) {
                refuse(ex, 400, "AADSTS900144: the token endpoint takes a form POST");
                return;
            }
            Map<String, String> f = form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String assertion = Files.readString(federatedTokenFile).strip();
            if (!"client_credentials".equals(f.get("grant_type"))) {
                refuse(ex, 400, "AADSTS70003: unsupported grant_type " + f.get("grant_type"));
            } else if (!clientId.equals(f.get("client_id"))) {
                refuse(ex, 400, "AADSTS700016: unknown client_id " + f.get("client_id"));
            } else if (!"urn:ietf:params:oauth:client-assertion-type:jwt-bearer".equals(f.get("client_assertion_type"))) {
                refuse(ex, 400, "AADSTS50027: client_assertion_type must be jwt-bearer");
            } else if (!assertion.equals(f.get("client_assertion"))) {
                refuse(ex, 401, "AADSTS700213: the client assertion is not the federated token");
            } else if (!ARM_SCOPE.equals(f.get("scope"))) {
                refuse(ex, 400, "AADSTS70011: unexpected scope " + f.get("scope"));
            } else {
                send(ex, 200, "application/json", JSON.writeValueAsString(Map.of("token_type", "Bearer",
                        "expires_in", 3599, "ext_expires_in", 3599, "access_token", issue())));
            }
        }

        private void imds(HttpExchange ex) throws IOException {
            Map<String, String> q = form(ex.getRequestURI().getRawQuery());
            if (!ex.getRequestMethod().equals("GET")) {
                refuse(ex, 405, "IMDS answers GET");
            } else if (!"true".equals(ex.getRequestHeaders().getFirst("Metadata"))) {
                refuse(ex, 400, "Required metadata header not specified");
            } else if (q.get("api-version") == null) {
                refuse(ex, 400, "Required query variable 'api-version' is missing");
            } else if (!"https://management.azure.com/".equals(q.get("resource"))) {
                refuse(ex, 400, "unexpected resource " + q.get("resource"));
            } else if (q.containsKey("client_id") && !clientId.equals(q.get("client_id"))) {
                refuse(ex, 400, "Identity not found");
            } else {
                long exp = Instant.now().getEpochSecond() + 3599;
                // IMDS sends its numbers as strings
                send(ex, 200, "application/json", JSON.writeValueAsString(Map.of("access_token", issue(),
                        "expires_in", "3599", "expires_on", String.valueOf(exp), "resource", "https://management.azure.com/",
                        "token_type", "Bearer")));
            }
        }

        private String issue() {
            String t = jwt(Map.of("tid", tenant, "aud", "https://management.azure.com/", "exp", Instant.now().getEpochSecond() + 3599));
            issued.add(t);
            return t;
        }

        /** ACR's {@code POST /oauth2/exchange} for {@code service}: an AAD token of this tenant → {@code refreshToken}. */
        public HttpHandler acrExchange(String service, String refreshToken) {
            return ex -> {
                requests.incrementAndGet();
                if (!ex.getRequestMethod().equals("POST") || !isForm(ex)) {
                    refuse(ex, 400, "exchange takes a form POST");
                    return;
                }
                Map<String, String> f = form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                if (!"access_token".equals(f.get("grant_type"))) {
                    refuse(ex, 400, "grant_type must be access_token");
                } else if (!service.equals(f.get("service"))) {
                    refuse(ex, 400, "service must be the registry " + service + ", not " + f.get("service"));
                } else if (f.containsKey("tenant") && !tenant.equals(f.get("tenant"))) {
                    refuse(ex, 401, "token is from another tenant");
                } else if (!issued.contains(f.get("access_token"))) {
                    refuse(ex, 401, "access_token was not issued by this tenant");
                } else {
                    send(ex, 200, "application/json", JSON.writeValueAsString(Map.of("refresh_token", refreshToken)));
                }
            };
        }
    }

    // --- AWS ----------------------------------------------------------------------------------------------------

    /** STS AssumeRoleWithWebIdentity and ECR GetAuthorizationToken, SigV4 checked with the keys STS issued. */
    public static final class Aws extends Base {
        /** One ECR call as the server saw it. */
        public record EcrCall(String accessKeyId, String region, List<String> registryIds) {}

        private static final Pattern AUTH = Pattern.compile(
                "^AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$");
        private final String roleArn;
        private final String webIdentityToken;
        private final String ecrUser;
        private final Supplier<String> ecrPasswords;
        private final Map<String, String[]> keys = new ConcurrentHashMap<>(); // access key → {secret, session token}
        private final List<EcrCall> ecrCalls = new CopyOnWriteArrayList<>();
        private final AtomicInteger stsCalls = new AtomicInteger();

        /** Trusts {@code webIdentityToken} (the projected service account token) for {@code roleArn}. */
        public Aws(String roleArn, String webIdentityToken, String ecrUser, Supplier<String> ecrPasswords) {
            this.roleArn = roleArn;
            this.webIdentityToken = webIdentityToken;
            this.ecrUser = ecrUser;
            this.ecrPasswords = ecrPasswords;
        }

        public List<EcrCall> ecrCalls() {
            return List.copyOf(ecrCalls);
        }

        public int stsCalls() {
            return stsCalls.get();
        }

        /** The session keys STS issued: access key id → {secret access key, session token}. */
        public Map<String, List<String>> issuedKeys() {
            Map<String, List<String>> out = new TreeMap<>();
            keys.forEach((k, v) -> out.put(k, List.of(v)));
            return out;
        }

        /** Errors as each protocol sends them: STS's XML ErrorResponse, ECR's JSON {@code __type}/{@code message}. */
        @Override
        void refuse(HttpExchange ex, int status, String why) throws IOException {
            problems.add(ex.getRequestMethod() + " " + ex.getRequestURI() + ": " + why);
            int colon = why.indexOf(':');
            String code = colon > 0 ? why.substring(0, colon) : "ValidationError";
            String message = colon > 0 ? why.substring(colon + 1).strip() : why;
            if (ex.getRequestHeaders().containsKey("X-Amz-Target")) {
                ex.getResponseHeaders().set("x-amzn-ErrorType", code);
                send(ex, status, "application/x-amz-json-1.1", JSON.writeValueAsString(Map.of("__type", code, "message", message)));
            } else {
                send(ex, status, "text/xml", """
                        <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                          <Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>
                          <RequestId>%s</RequestId>
                        </ErrorResponse>
                        """.formatted(code, message.replace("&", "&amp;").replace("<", "&lt;"), UUID.randomUUID()));
            }
        }

        @Override
        void handle(HttpExchange ex) throws IOException {
            byte[] body = ex.getRequestBody().readAllBytes();
            if (ex.getRequestHeaders().containsKey("X-Amz-Target")) {
                ecr(ex, body);
            } else {
                sts(ex, body);
            }
        }

        private void sts(HttpExchange ex, byte[] body) throws IOException {
            Map<String, String> f = form(new String(body, StandardCharsets.UTF_8));
            if (!ex.getRequestMethod().equals("POST") || !isForm(ex)) {
                refuse(ex, 400, "STS query protocol takes a form POST");
            } else if (!"AssumeRoleWithWebIdentity".equals(f.get("Action")) || !"2011-06-15".equals(f.get("Version"))) {
                refuse(ex, 400, "InvalidAction: " + f.get("Action") + " version " + f.get("Version"));
            } else if (ex.getRequestHeaders().containsKey("Authorization")) {
                refuse(ex, 400, "AssumeRoleWithWebIdentity is not signed");
            } else if (!roleArn.equals(f.get("RoleArn"))) {
                refuse(ex, 403, "AccessDenied: not authorized to assume " + f.get("RoleArn"));
            } else if (f.get("RoleSessionName") == null || !f.get("RoleSessionName").matches("[\\w+=,.@-]{2,64}")) {
                refuse(ex, 400, "ValidationError: RoleSessionName " + f.get("RoleSessionName"));
            } else if (!webIdentityToken.equals(f.get("WebIdentityToken"))) {
                refuse(ex, 400, "InvalidIdentityToken: not the projected service account token");
            } else {
                stsCalls.incrementAndGet();
                String akid = "ASIA" + HexFormat.of().formatHex(UUID.randomUUID().toString().getBytes()).substring(0, 16).toUpperCase();
                String secret = UUID.randomUUID().toString().replace("-", "") + "Ab/Cd+Ef";
                String session = Base64.getEncoder().encodeToString(UUID.randomUUID().toString().getBytes());
                keys.put(akid, new String[] {secret, session});
                String exp = DateTimeFormatter.ISO_INSTANT.format(Instant.now().plusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
                send(ex, 200, "text/xml", """
                        <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                          <AssumeRoleWithWebIdentityResult>
                            <SubjectFromWebIdentityToken>system:serviceaccount:tagstream:registry-poller</SubjectFromWebIdentityToken>
                            <AssumedRoleUser>
                              <Arn>%s/%s</Arn>
                              <AssumedRoleId>AROA0000000000EXAMPLE:%s</AssumedRoleId>
                            </AssumedRoleUser>
                            <Credentials>
                              <SessionToken>%s</SessionToken>
                              <SecretAccessKey>%s</SecretAccessKey>
                              <Expiration>%s</Expiration>
                              <AccessKeyId>%s</AccessKeyId>
                            </Credentials>
                            <Audience>sts.amazonaws.com</Audience>
                          </AssumeRoleWithWebIdentityResult>
                          <ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata>
                        </AssumeRoleWithWebIdentityResponse>
                        """.formatted(roleArn.replace(":role/", ":assumed-role/"), f.get("RoleSessionName"),
                        f.get("RoleSessionName"), session, secret, exp, akid, UUID.randomUUID()));
            }
        }

        private void ecr(HttpExchange ex, byte[] body) throws IOException {
            if (!"AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken".equals(ex.getRequestHeaders().getFirst("X-Amz-Target"))) {
                refuse(ex, 400, "UnknownOperationException: " + ex.getRequestHeaders().getFirst("X-Amz-Target"));
                return;
            }
            if (!"application/x-amz-json-1.1".equals(ex.getRequestHeaders().getFirst("Content-Type"))) {
                refuse(ex, 400, "SerializationException: Content-Type must be application/x-amz-json-1.1");
                return;
            }
            String problem = sigV4Problem(ex, body, "ecr");
            if (problem != null) {
                refuse(ex, 403, problem);
                return;
            }
            Matcher a = AUTH.matcher(ex.getRequestHeaders().getFirst("Authorization"));
            a.matches();
            JsonNode req = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
            List<String> ids = new ArrayList<>();
            req.path("registryIds").forEach(n -> ids.add(n.asText()));
            ecrCalls.add(new EcrCall(a.group(1), a.group(3), ids));
            String token = Base64.getEncoder().encodeToString((ecrUser + ":" + ecrPasswords.get()).getBytes(StandardCharsets.UTF_8));
            long expires = Instant.now().plusSeconds(12 * 3600).getEpochSecond();
            send(ex, 200, "application/x-amz-json-1.1", JSON.writeValueAsString(Map.of("authorizationData", List.of(Map.of(
                    "authorizationToken", token, "expiresAt", expires,
                    "proxyEndpoint", "https://" + (ids.isEmpty() ? "000000000000" : ids.get(0)) + ".dkr.ecr." + a.group(3) + ".amazonaws.com")))));
        }

        /** Recomputes the request's Signature Version 4 with the issued secret; null when it matches. */
        private String sigV4Problem(HttpExchange ex, byte[] body, String service) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            Matcher a = auth == null ? null : AUTH.matcher(auth);
            if (a == null || !a.matches()) {
                return "MissingAuthenticationTokenException: no SigV4 Authorization header";
            }
            String[] key = keys.get(a.group(1));
            if (key == null) {
                return "UnrecognizedClientException: access key " + a.group(1) + " was not issued by STS";
            }
            if (!a.group(4).equals(service)) {
                return "InvalidSignatureException: credential scope names service " + a.group(4);
            }
            if (!key[1].equals(ex.getRequestHeaders().getFirst("X-Amz-Security-Token"))) {
                return "UnrecognizedClientException: X-Amz-Security-Token is not the session's";
            }
            String amzDate = ex.getRequestHeaders().getFirst("X-Amz-Date");
            if (amzDate == null || !amzDate.startsWith(a.group(2))) {
                return "IncompleteSignatureException: X-Amz-Date missing or not the credential date";
            }
            Instant signedAt = java.time.LocalDateTime.parse(amzDate, DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"))
                    .toInstant(ZoneOffset.UTC);
            if (Math.abs(java.time.Duration.between(signedAt, Instant.now()).toMinutes()) > 5) {
                return "InvalidSignatureException: Signature expired (more than 5 minutes off)";
            }
            List<String> signed = List.of(a.group(5).split(";"));
            if (!signed.contains("host") || !signed.contains("x-amz-date")) {
                return "InvalidSignatureException: host and x-amz-date must be signed";
            }
            StringBuilder canonicalHeaders = new StringBuilder();
            for (String h : signed) {
                List<String> vs = ex.getRequestHeaders().get(h);
                if (vs == null) {
                    return "InvalidSignatureException: signed header " + h + " not sent";
                }
                canonicalHeaders.append(h).append(':')
                        .append(String.join(",", vs.stream().map(v -> v.strip().replaceAll("\\s+", " ")).toList())).append('\n');
            }
            String payloadHash = hex(sha256(body));
            String canonical = String.join("\n", ex.getRequestMethod(), canonicalPath(ex.getRequestURI().getRawPath()),
                    canonicalQuery(ex.getRequestURI().getRawQuery()), canonicalHeaders.toString(), a.group(5), payloadHash);
            String scope = a.group(2) + "/" + a.group(3) + "/" + service + "/aws4_request";
            String toSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex(sha256(canonical.getBytes(StandardCharsets.UTF_8)));
            byte[] k = hmac(("AWS4" + key[0]).getBytes(StandardCharsets.UTF_8), a.group(2));
            k = hmac(k, a.group(3));
            k = hmac(k, service);
            k = hmac(k, "aws4_request");
            String expected = hex(hmac(k, toSign));
            return expected.equals(a.group(6)) ? null
                    : "SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided";
        }

        private static String canonicalPath(String raw) {
            return raw == null || raw.isEmpty() ? "/" : raw;
        }

        private static String canonicalQuery(String raw) {
            if (raw == null || raw.isEmpty()) {
                return "";
            }
            TreeMap<String, String> sorted = new TreeMap<>();
            for (String p : raw.split("&")) {
                int i = p.indexOf('=');
                sorted.put(i < 0 ? p : p.substring(0, i), i < 0 ? "" : p.substring(i + 1));
            }
            return String.join("&", sorted.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        }

        private static byte[] sha256(byte[] b) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(b);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        private static byte[] hmac(byte[] key, String data) {
            try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(new SecretKeySpec(key, "HmacSHA256"));
                return m.doFinal(data.getBytes(StandardCharsets.UTF_8));
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        private static String hex(byte[] b) {
            return HexFormat.of().formatHex(b);
        }
    }
}
