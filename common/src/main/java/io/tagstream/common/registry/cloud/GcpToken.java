package io.tagstream.common.registry.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.common.registry.RegistryException;
import io.tagstream.common.registry.RegistrySettings.Credentials;
import java.time.Clock;
import java.util.Map;
import java.util.function.Function;

/**
 * GCR and Artifact Registry: the service account's access token from the metadata server (GCE, and GKE Workload
 * Identity, which serves the bound Google service account there), used as the password of {@code oauth2accesstoken}.
 * The metadata host is {@code GCE_METADATA_HOST} when set (as Google's own libraries read it).
 */
final class GcpToken extends CloudToken {

    static final String USER = "oauth2accesstoken";
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
        String metadata = env.apply("GCE_METADATA_HOST");
        String base = "http://" + (metadata == null || metadata.isBlank() ? "metadata.google.internal" : metadata.strip());
        JsonNode j = http.get("GCP access token for " + host, base + PATH, Map.of("Metadata-Flavor", "Google"));
        String token = j.path("access_token").asText("");
        if (token.isEmpty()) {
            throw new RegistryException("GCP access token for " + host + ": the metadata server answered without access_token");
        }
        long ttl = j.path("expires_in").asLong(300);
        return new Issued(new Credentials(USER, token), clock.instant().plusSeconds(ttl));
    }

    @Override
    public String describe() {
        return "gcp:" + host;
    }
}
