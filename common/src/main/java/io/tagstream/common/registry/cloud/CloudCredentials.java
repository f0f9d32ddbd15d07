package io.tagstream.common.registry.cloud;

import io.tagstream.common.registry.CredentialSource;
import io.tagstream.common.registry.RegistryException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * Registry credentials from the pod's cloud identity ({@code spec.provider: aws | azure | gcp} on an ImageRepository
 * or Registry): one {@link CloudToken} per provider and registry host, shared by every client of that host, so a token
 * is fetched once per pod and expiry rather than once per repository. Settings come from the standard environment of
 * each cloud's SDKs (AWS_REGION, AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ENDPOINT_URL_ECR…; AZURE_CLIENT_ID,
 * AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE, AZURE_AUTHORITY_HOST; GCE_METADATA_HOST), never from Tagstream's config.
 */
public final class CloudCredentials {

    private final Function<String, String> env;
    private final Clock clock;
    private final CloudHttp http = new CloudHttp();
    private final Map<String, CloudToken> sources = new ConcurrentHashMap<>();
    private final Map<String, EcrClient> ecr = new ConcurrentHashMap<>();
    /** The SDK's default chain, one per instance rather than the SDK-wide singleton (it builds its links when first asked). */
    private final AwsCredentialsProvider awsChain = DefaultCredentialsProvider.builder().build();

    public CloudCredentials(Function<String, String> env, Clock clock) {
        this.env = env;
        this.clock = clock;
    }

    public static CloudCredentials fromEnvironment() {
        return new CloudCredentials(System::getenv, Clock.systemUTC());
    }

    /** The credentials of {@code provider} (aws, azure or gcp) for a registry host. */
    public CloudToken forProvider(String provider, String host, boolean plainHttp) {
        return sources.computeIfAbsent(provider + "|" + host + "|" + plainHttp, k -> switch (provider) {
            case "aws" -> new AwsToken(host, () -> ecrClient(host), clock);
            case "azure" -> new AzureToken(host, plainHttp, env, http, clock);
            case "gcp" -> new GcpToken(host, env, http, clock);
            default -> throw new IllegalArgumentException("no cloud credentials for provider '" + provider + "'");
        });
    }

    /** One ECR client per region: the region of an ECR host, else the SDK's default region (AWS_REGION, profile, IMDS). */
    private EcrClient ecrClient(String host) {
        String region = CloudHosts.ecr(host).map(CloudHosts.Ecr::region).orElseGet(() -> {
            try {
                return new DefaultAwsRegionProviderChain().getRegion().id();
            } catch (SdkException e) {
                throw new RegistryException("ECR credentials for " + host + ": the host names no region (it is not "
                        + "<account>.dkr.ecr.<region>.amazonaws.com) and no default region is set (AWS_REGION): " + e.getMessage());
            }
        });
        return ecr.computeIfAbsent(region, r -> EcrClient.builder().region(Region.of(r))
                .credentialsProvider(awsChain).httpClient(UrlConnectionHttpClient.create()).build());
    }

    /** Whether a provider name is one this class serves. */
    public static boolean isCloud(String provider) {
        return provider.equals("aws") || provider.equals("azure") || provider.equals("gcp");
    }
}
