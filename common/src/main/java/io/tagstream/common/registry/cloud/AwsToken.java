package io.tagstream.common.registry.cloud;

import io.tagstream.common.registry.RegistryException;
import io.tagstream.common.registry.RegistrySettings.Credentials;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.AuthorizationData;
import software.amazon.awssdk.services.ecr.model.GetAuthorizationTokenRequest;

/**
 * ECR: {@code GetAuthorizationToken} through the AWS SDK's default credential chain (IRSA web-identity token file,
 * EKS Pod Identity, environment, profile, instance role), for the registry's own account — so a registry in another
 * account works where its repository policy lets this role pull. The 12-hour token is renewed ahead of its expiry.
 */
final class AwsToken extends CloudToken {

    private final String host;
    private final Optional<CloudHosts.Ecr> ecr;
    private final Supplier<EcrClient> client;

    AwsToken(String host, Supplier<EcrClient> client, Clock clock) {
        super(clock);
        this.host = host;
        this.ecr = CloudHosts.ecr(host);
        this.client = client;
    }

    @Override
    protected Issued fetch() {
        try {
            GetAuthorizationTokenRequest.Builder req = GetAuthorizationTokenRequest.builder();
            ecr.ifPresent(e -> req.registryIds(e.account()));
            var data = client.get().getAuthorizationToken(req.build()).authorizationData();
            if (data.isEmpty()) {
                throw new RegistryException("ECR GetAuthorizationToken for " + host + " answered without authorizationData");
            }
            AuthorizationData d = data.get(0);
            String decoded = new String(Base64.getDecoder().decode(d.authorizationToken()), StandardCharsets.UTF_8);
            int i = decoded.indexOf(':');
            if (i <= 0 || d.expiresAt() == null) {
                throw new RegistryException("ECR GetAuthorizationToken for " + host + " answered a token that is not user:password with an expiry");
            }
            return new Issued(new Credentials(decoded.substring(0, i), decoded.substring(i + 1)), d.expiresAt());
        } catch (SdkException e) {
            throw new RegistryException("ECR GetAuthorizationToken for " + host + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return "aws:" + host;
    }
}
