package io.tagstream.common.registry.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.common.registry.RegistryException;
import io.tagstream.common.registry.RegistrySettings.Credentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;

/**
 * ACR: an Azure AD access token — from AKS workload identity (the federated token file in
 * {@code AZURE_FEDERATED_TOKEN_FILE}, exchanged at {@code AZURE_AUTHORITY_HOST}/{@code AZURE_TENANT_ID} for
 * {@code AZURE_CLIENT_ID}), else from managed identity through IMDS — exchanged at the registry's
 * {@code /oauth2/exchange} for an ACR refresh token, which is then the password of the null-GUID user that the
 * registry's own token endpoint accepts (what {@code az acr login} does). The federated token file is read at each
 * fetch, as the kubelet rotates it. {@code AZURE_POD_IDENTITY_AUTHORITY_HOST} replaces the IMDS address.
 */
final class AzureToken extends CloudToken {

    static final String USER = "00000000-0000-0000-0000-000000000000";
    static final String ARM = "https://management.azure.com/";

    private final String host;
    private final boolean plainHttp;
    private final Function<String, String> env;
    private final CloudHttp http;
    private final Clock clock;

    AzureToken(String host, boolean plainHttp, Function<String, String> env, CloudHttp http, Clock clock) {
        super(clock);
        this.host = host;
        this.plainHttp = plainHttp;
        this.env = env;
        this.http = http;
        this.clock = clock;
    }

    @Override
    protected Issued fetch() {
        Instant now = clock.instant();
        JsonNode aad = aadToken();
        String access = aad.path("access_token").asText("");
        if (access.isEmpty()) {
            throw new RegistryException("Azure AD token for " + host + ": answered without access_token");
        }
        Instant aadExpires = now.plusSeconds(aad.path("expires_in").asLong(3600)); // IMDS sends it as a string; asLong reads both
        String tenant = value("AZURE_TENANT_ID");
        if (tenant == null) {
            tenant = CloudHttp.jwtClaims(access).map(c -> c.path("tid").asText(null)).orElse(null);
        }
        JsonNode ex = http.postForm("ACR token exchange for " + host, (plainHttp ? "http://" : "https://") + host + "/oauth2/exchange",
                CloudHttp.params("grant_type", "access_token", "service", host, "tenant", tenant, "access_token", access));
        String refresh = ex.path("refresh_token").asText("");
        if (refresh.isEmpty()) {
            throw new RegistryException("ACR token exchange for " + host + ": answered without refresh_token");
        }
        Instant expires = CloudHttp.jwtClaims(refresh).filter(c -> c.hasNonNull("exp"))
                .map(c -> Instant.ofEpochSecond(c.get("exp").asLong())).filter(e -> e.isBefore(aadExpires)).orElse(aadExpires);
        return new Issued(new Credentials(USER, refresh), expires);
    }

    private JsonNode aadToken() {
        String file = value("AZURE_FEDERATED_TOKEN_FILE");
        String client = value("AZURE_CLIENT_ID");
        String tenant = value("AZURE_TENANT_ID");
        if (file != null && client != null && tenant != null) {
            String assertion;
            try {
                assertion = Files.readString(Path.of(file)).strip();
            } catch (IOException e) {
                throw new RegistryException("Azure workload identity for " + host + ": cannot read AZURE_FEDERATED_TOKEN_FILE "
                        + file + ": " + e.getMessage(), e);
            }
            String authority = value("AZURE_AUTHORITY_HOST");
            authority = authority == null ? "https://login.microsoftonline.com/" : authority.endsWith("/") ? authority : authority + "/";
            return http.postForm("Azure AD token (workload identity) for " + host, authority + tenant + "/oauth2/v2.0/token",
                    CloudHttp.params("client_id", client, "grant_type", "client_credentials",
                            "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                            "client_assertion", assertion, "scope", ARM + ".default"));
        }
        String imds = value("AZURE_POD_IDENTITY_AUTHORITY_HOST");
        imds = imds == null ? "http://169.254.169.254" : imds.replaceAll("/+$", "");
        String url = imds + "/metadata/identity/oauth2/token?api-version=2018-02-01&resource="
                + java.net.URLEncoder.encode(ARM, java.nio.charset.StandardCharsets.UTF_8)
                + (client == null ? "" : "&client_id=" + java.net.URLEncoder.encode(client, java.nio.charset.StandardCharsets.UTF_8));
        return http.get("Azure AD token (managed identity) for " + host, url, Map.of("Metadata", "true"));
    }

    private String value(String name) {
        String v = env.apply(name);
        return v == null || v.isBlank() ? null : v.strip();
    }

    @Override
    public String describe() {
        return "azure:" + host;
    }
}
