package io.tagstream.common.registry.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.common.events.Json;
import io.tagstream.common.registry.RegistryException;
import io.tagstream.common.registry.RegistrySettings.Credentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * GCR and Artifact Registry: a Google access token, used as the password of {@code oauth2accesstoken}. Where it comes
 * from, as Google's Application Default Credentials decide:
 * <ul>
 *   <li>{@code GOOGLE_APPLICATION_CREDENTIALS} naming an {@code external_account} file (workload identity
 *       federation, e.g. an EKS or on-premises cluster): the subject token from its {@code credential_source} ({@code file}
 *       or {@code url}, text or JSON) exchanged at {@code token_url} (Google STS, RFC 8693), then, if the file says so,
 *       exchanged for the impersonated service account's token at {@code service_account_impersonation_url};</li>
 *   <li>the same variable naming a {@code service_account} key file: an RS256-signed JWT assertion posted to its
 *       {@code token_uri};</li>
 *   <li>otherwise the metadata server (GCE, and GKE Workload Identity, which serves the bound service account there) at
 *       {@code GCE_METADATA_HOST} when set.</li>
 * </ul>
 */
final class GcpToken extends CloudToken {

    static final String USER = "oauth2accesstoken";
    static final String SCOPE = "https://www.googleapis.com/auth/cloud-platform";
    private static final String PATH = "/computeMetadata/v1/instance/service-accounts/default/token";

    private final String host;
    private final Function<String, String> env;
    private final CloudHttp http;
    private final Clock clock;

    GcpToken(String host, Function<String, String> env, CloudHttp http, Clock clock) {
        super(clock);
        this.host = host;
        this.env = env;
        this.http = http;
        this.clock = clock;
    }

    @Override
    protected Issued fetch() {
        String adc = env.apply("GOOGLE_APPLICATION_CREDENTIALS");
        if (adc != null && !adc.isBlank()) {
            JsonNode file = readJson(Path.of(adc.strip()), "GOOGLE_APPLICATION_CREDENTIALS");
            String type = file.path("type").asText("");
            return switch (type) {
                case "external_account" -> federated(file);
                case "service_account" -> serviceAccountKey(file);
                default -> throw new RegistryException("GCP credentials for " + host + ": GOOGLE_APPLICATION_CREDENTIALS "
                        + adc + " has type '" + type + "'; external_account or service_account are read");
            };
        }
        String metadata = env.apply("GCE_METADATA_HOST");
        String base = "http://" + (metadata == null || metadata.isBlank() ? "metadata.google.internal" : metadata.strip());
        return issued(http.get("GCP access token for " + host, base + PATH, Map.of("Metadata-Flavor", "Google")), "the metadata server");
    }

    /** Workload identity federation: subject token → Google STS → (optionally) the impersonated service account. */
    private Issued federated(JsonNode f) {
        String tokenUrl = f.path("token_url").asText("https://sts.googleapis.com/v1/token");
        Map<String, String> form = CloudHttp.params(
                "grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                "audience", required(f, "audience"),
                "scope", SCOPE,
                "requested_token_type", "urn:ietf:params:oauth:token-type:access_token",
                "subject_token_type", required(f, "subject_token_type"),
                "subject_token", subjectToken(f.path("credential_source")));
        Issued sts = issued(http.postForm("GCP workload identity federation for " + host, tokenUrl, form), tokenUrl);
        String impersonate = f.path("service_account_impersonation_url").asText("");
        if (impersonate.isEmpty()) {
            return sts;
        }
        JsonNode r = http.postJson("GCP service account impersonation for " + host, impersonate,
                Map.of("Authorization", "Bearer " + sts.credentials().password()),
                Map.of("scope", List.of(SCOPE), "lifetime", "3600s"));
        String token = r.path("accessToken").asText("");
        if (token.isEmpty() || !r.hasNonNull("expireTime")) {
            throw new RegistryException("GCP service account impersonation for " + host + ": answered without accessToken and expireTime");
        }
        return new Issued(new Credentials(USER, token), Instant.parse(r.get("expireTime").asText()));
    }

    private String subjectToken(JsonNode source) {
        String raw;
        if (source.hasNonNull("file")) {
            try {
                raw = Files.readString(Path.of(source.get("file").asText()));
            } catch (IOException e) {
                throw new RegistryException("GCP workload identity federation for " + host + ": cannot read credential_source.file "
                        + source.get("file").asText() + ": " + e.getMessage(), e);
            }
        } else if (source.hasNonNull("url")) {
            Map<String, String> headers = new LinkedHashMap<>();
            source.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
            raw = http.getText("GCP workload identity federation for " + host + " (subject token)", source.get("url").asText(), headers);
        } else {
            throw new RegistryException("GCP workload identity federation for " + host + ": credential_source must have file or url"
                    + " (aws, environment_id and executable sources are not read)");
        }
        JsonNode format = source.path("format");
        if (format.path("type").asText("text").equals("json")) {
            String field = format.path("subject_token_field_name").asText("");
            try {
                String token = Json.mapper().readTree(raw).path(field).asText("");
                if (!token.isEmpty()) {
                    return token;
                }
            } catch (IOException e) {
                // reported below
            }
            throw new RegistryException("GCP workload identity federation for " + host + ": the subject token source is not JSON"
                    + " with a '" + field + "' field");
        }
        return raw.strip();
    }

    /** A service account key: an RS256 JWT assertion for the token endpoint (RFC 7523). */
    private Issued serviceAccountKey(JsonNode f) {
        String tokenUri = f.path("token_uri").asText("https://oauth2.googleapis.com/token");
        long now = clock.instant().getEpochSecond();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "RS256");
        header.put("typ", "JWT");
        if (f.hasNonNull("private_key_id")) {
            header.put("kid", f.get("private_key_id").asText());
        }
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", required(f, "client_email"));
        claims.put("scope", SCOPE);
        claims.put("aud", tokenUri);
        claims.put("iat", now);
        claims.put("exp", now + 3600);
        try {
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String signingInput = b64.encodeToString(Json.mapper().writeValueAsBytes(header)) + "."
                    + b64.encodeToString(Json.mapper().writeValueAsBytes(claims));
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(privateKey(required(f, "private_key")));
            rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            String jwt = signingInput + "." + b64.encodeToString(rs256.sign());
            return issued(http.postForm("GCP service account key for " + host, tokenUri, CloudHttp.params(
                    "grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion", jwt)), tokenUri);
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new RegistryException("GCP service account key for " + host + ": private_key is not a PKCS#8 RSA key ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        String body = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    }

    private Issued issued(JsonNode j, String from) {
        String token = j.path("access_token").asText("");
        if (token.isEmpty()) {
            throw new RegistryException("GCP access token for " + host + ": " + from + " answered without access_token");
        }
        return new Issued(new Credentials(USER, token), clock.instant().plusSeconds(j.path("expires_in").asLong(300)));
    }

    private String required(JsonNode f, String field) {
        String v = f.path(field).asText("");
        if (v.isEmpty()) {
            throw new RegistryException("GCP credentials for " + host + ": GOOGLE_APPLICATION_CREDENTIALS has no " + field);
        }
        return v;
    }

    private JsonNode readJson(Path p, String what) {
        try {
            return Json.mapper().readTree(Files.readString(p));
        } catch (IOException e) {
            throw new RegistryException("GCP credentials for " + host + ": cannot read " + what + " " + p + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return "gcp:" + host;
    }
}
