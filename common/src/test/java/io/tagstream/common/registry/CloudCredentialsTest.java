package io.tagstream.common.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.common.config.ConfigLoader;
import io.tagstream.common.config.Secrets;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.registry.RegistrySettings.Credentials;
import io.tagstream.common.registry.cloud.CloudCredentials;
import io.tagstream.common.registry.cloud.CloudToken;
import io.tagstream.testkit.CloudIdentityServers;
import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.RegistryProxy;
import io.tagstream.testkit.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.GetAuthorizationTokenRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code provider: aws | azure | gcp} end to end at the registry client: each cloud's identity endpoints as local
 * servers speaking their wire protocol (reached by the endpoint overrides the clouds' SDKs document), and Debian's
 * docker-registry behind them accepting only the credentials that cloud's flow ends in — so a wrong step anywhere is a
 * refused scan, not a passing test.
 */
class CloudCredentialsTest {

    static final String GCP_TOKEN = "ya29.c.metadata-token";
    static final String ACR_REFRESH = "acr-refresh-token-from-exchange";
    static final String ECR_PASSWORD = "ecr-password-from-get-authorization-token";

    static LocalRegistry gcr;
    static LocalRegistry acr;
    static LocalRegistry ecr;
    static TestImages.Pushed gcrImage;
    static TestImages.Pushed acrImage;
    static TestImages.Pushed ecrImage;

    @BeforeAll
    static void start() {
        gcr = LocalRegistry.builder().htpasswd("oauth2accesstoken", GCP_TOKEN).start();
        acr = LocalRegistry.builder().htpasswd("00000000-0000-0000-0000-000000000000", ACR_REFRESH).start();
        ecr = LocalRegistry.builder().htpasswd("AWS", ECR_PASSWORD).start();
        gcrImage = TestImages.push(gcr, "project/app", "1.0.0");
        acrImage = TestImages.push(acr, "team/app", "2.0.0");
        ecrImage = TestImages.push(ecr, "team/app", "3.0.0");
    }

    @AfterAll
    static void stop() {
        gcr.close();
        acr.close();
        ecr.close();
    }

    static TagstreamConfig repo(String host, String path, String provider, String extra) {
        return new ConfigLoader().parse(Map.of("c.yaml", """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: app, namespace: ns}
                spec:
                  image: %s/%s
                  interval: 1m
                  insecure: true
                  provider: %s
                %s""".formatted(host, path, provider, extra))).config();
    }

    static RegistryClient client(RegistryAccess access, TagstreamConfig config) {
        var repo = config.imageRepositories().get(0);
        return access.client(repo, RepositoryName.parse(repo.image()), config);
    }

    static Secrets noSecrets() {
        return new Secrets(Optional.empty(), Map.of());
    }

    @Test
    void gcpMetadataTokenIsTheOauth2accesstokenPasswordBehindATokenChallenge() {
        try (var metadata = new CloudIdentityServers.GceMetadata(() -> GCP_TOKEN);
                RegistryProxy proxy = new RegistryProxy(gcr).requireBearer()) {
            CloudCredentials cloud = new CloudCredentials(Map.of("GCE_METADATA_HOST", metadata.host())::get, Clock.systemUTC());
            RegistryClient c = client(new RegistryAccess(noSecrets(), cloud), repo(proxy.host(), "project/app", "gcp", ""));
            assertEquals(gcrImage.digest(), c.resolve("project/app", "1.0.0").orElseThrow().digest());
            assertEquals(List.of("1.0.0"), c.listTags("project/app", 100, OptionalInt.empty()).tags());
            assertEquals(1, metadata.requests(), "one metadata call: the token is cached until shortly before it expires");
            assertEquals(List.of(), metadata.problems());
        }
    }

    @Test
    void aTokenTheRegistryRefusesIsFetchedAgainOnce() {
        var issued = new ArrayDeque<>(List.of("ya29.revoked", GCP_TOKEN));
        try (var metadata = new CloudIdentityServers.GceMetadata(() -> issued.size() > 1 ? issued.poll() : issued.peek());
                RegistryProxy proxy = new RegistryProxy(gcr).requireBearer()) {
            CloudCredentials cloud = new CloudCredentials(Map.of("GCE_METADATA_HOST", metadata.host())::get, Clock.systemUTC());
            RegistryClient c = client(new RegistryAccess(noSecrets(), cloud), repo(proxy.host(), "project/app", "gcp", ""));
            assertEquals(gcrImage.digest(), c.resolve("project/app", "1.0.0").orElseThrow().digest());
            assertEquals(2, metadata.requests(), "refused once, fetched once more, accepted");
        }
    }

    @Test
    void aMetadataServerThatRefusesIsAClearErrorWithoutARegistryStatus() {
        try (var metadata = new CloudIdentityServers.GceMetadata(() -> GCP_TOKEN);
                RegistryProxy proxy = new RegistryProxy(gcr).requireBearer()) {
            // a path the server does not serve stands for a node without the metadata server's token endpoint
            CloudCredentials cloud = new CloudCredentials(Map.of("GCE_METADATA_HOST", metadata.host() + "/nowhere")::get,
                    Clock.systemUTC());
            RegistryClient c = client(new RegistryAccess(noSecrets(), cloud), repo(proxy.host(), "project/app", "gcp", ""));
            RegistryException e = assertThrows(RegistryException.class, () -> c.resolve("project/app", "1.0.0"));
            assertTrue(e.getMessage().startsWith("GCP access token for " + proxy.host() + ": http://" + metadata.host()
                    + "/nowhere/computeMetadata/v1/instance/service-accounts/default/token answered 404"), e.getMessage());
            assertFalse(e.notFound(), "a token endpoint's 404 is not a missing repository");
            assertFalse(e.getMessage().contains(GCP_TOKEN));
        }
    }

    static final String POOL = "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/eks/providers/oidc";
    static final String GSA = "tagstream@acme-prod.iam.gserviceaccount.com";

    @Test
    void gcpWorkloadIdentityFederationFromAFileThenImpersonation(@TempDir Path dir) throws Exception {
        Path subject = Files.writeString(dir.resolve("token"), "eyJ.eks-oidc-token.sig\n");
        try (var google = new CloudIdentityServers.GoogleSts(POOL, "eyJ.eks-oidc-token.sig", GSA, null, GCP_TOKEN);
                RegistryProxy proxy = new RegistryProxy(gcr).requireBearer()) {
            Path adc = Files.writeString(dir.resolve("adc.json"), """
                    {"type": "external_account", "audience": "%s",
                     "subject_token_type": "urn:ietf:params:oauth:token-type:jwt", "token_url": "%s/v1/token",
                     "service_account_impersonation_url": "%s/v1/projects/-/serviceAccounts/%s:generateAccessToken",
                     "credential_source": {"file": "%s", "format": {"type": "text"}}}
                    """.formatted(POOL, google.url(), google.url(), GSA, subject));
            CloudCredentials cloud = new CloudCredentials(Map.of("GOOGLE_APPLICATION_CREDENTIALS", adc.toString())::get, Clock.systemUTC());
            RegistryClient c = client(new RegistryAccess(noSecrets(), cloud), repo(proxy.host(), "project/app", "gcp", ""));
            assertEquals(gcrImage.digest(), c.resolve("project/app", "1.0.0").orElseThrow().digest());
            assertEquals(2, google.requests(), "one token exchange, one impersonation");
            assertEquals(List.of(), google.problems());
        }
    }

    @Test
    void gcpWorkloadIdentityFederationFromAUrlWithoutImpersonation(@TempDir Path dir) throws Exception {
        try (var google = new CloudIdentityServers.GoogleSts(POOL, "eyJ.url-served.sig", GSA, null, GCP_TOKEN).direct();
                RegistryProxy proxy = new RegistryProxy(gcr).requireBearer()) {
            Path adc = Files.writeString(dir.resolve("adc.json"), """
                    {"type": "external_account", "audience": "%s",
                     "subject_token_type": "urn:ietf:params:oauth:token-type:jwt", "token_url": "%s/v1/token",
                     "credential_source": {"url": "%s/subject-token", "headers": {"Authorization": "Bearer cluster-credential"},
                                           "format": {"type": "json", "subject_token_field_name": "id_token"}}}
                    """.formatted(POOL, google.url(), google.url()));
            CloudCredentials cloud = new CloudCredentials(Map.of("GOOGLE_APPLICATION_CREDENTIALS", adc.toString())::get, Clock.systemUTC());
            RegistryClient c = client(new RegistryAccess(noSecrets(), cloud), repo(proxy.host(), "project/app", "gcp", ""));
            assertEquals(gcrImage.digest(), c.resolve("project/app", "1.0.0").orElseThrow().digest());
            assertEquals(List.of(), google.problems());
        }
    }

    @Test
    void gcpServiceAccountKeySignsItsOwnAssertion(@TempDir Path dir) throws Exception {
        var rsa = java.security.KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        var pair = rsa.generateKeyPair();
        String pem = "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
        try (var google = new CloudIdentityServers.GoogleSts(POOL, "unused", GSA, pair.getPublic(), GCP_TOKEN);
                RegistryProxy proxy = new RegistryProxy(gcr).requireBearer()) {
            Path key = dir.resolve("key.json");
            Files.writeString(key, io.tagstream.common.events.Json.mapper().writeValueAsString(Map.of("type", "service_account",
                    "client_email", GSA, "private_key_id", "k1", "private_key", pem, "token_uri", google.url() + "/v1/token")));
            CloudCredentials cloud = new CloudCredentials(Map.of("GOOGLE_APPLICATION_CREDENTIALS", key.toString())::get, Clock.systemUTC());
            RegistryClient c = client(new RegistryAccess(noSecrets(), cloud), repo(proxy.host(), "project/app", "gcp", ""));
            assertEquals(gcrImage.digest(), c.resolve("project/app", "1.0.0").orElseThrow().digest());
            assertEquals(List.of(), google.problems());

            // another key's signature is refused by the token endpoint, and the error says so
            var other = rsa.generateKeyPair();
            Files.writeString(key, io.tagstream.common.events.Json.mapper().writeValueAsString(Map.of("type", "service_account",
                    "client_email", GSA, "private_key", "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getEncoder()
                            .encodeToString(other.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----", "token_uri", google.url() + "/v1/token")));
            RegistryException e = assertThrows(RegistryException.class, () -> new CloudCredentials(
                    Map.of("GOOGLE_APPLICATION_CREDENTIALS", key.toString())::get, Clock.systemUTC()).forProvider("gcp", "gcr.io", false).current());
            assertEquals("GCP service account key for gcr.io: " + google.url() + "/v1/token answered 400 invalid_grant: Invalid JWT Signature.",
                    e.getMessage());
        }
    }

    @Test
    void azureWorkloadIdentityIsExchangedForAnAcrRefreshToken(@TempDir Path dir) throws Exception {
        Path federated = Files.writeString(dir.resolve("azure-identity-token"), "eyJ.projected-service-account-token.sig\n");
        try (var aad = new CloudIdentityServers.AzureAd("tenant-1", "client-1", federated);
                RegistryProxy proxy = new RegistryProxy(acr).requireBearer()) {
            proxy.route("/oauth2/exchange", aad.acrExchange(proxy.host(), ACR_REFRESH));
            Map<String, String> env = Map.of("AZURE_CLIENT_ID", "client-1", "AZURE_TENANT_ID", "tenant-1",
                    "AZURE_FEDERATED_TOKEN_FILE", federated.toString(), "AZURE_AUTHORITY_HOST", aad.url() + "/");
            RegistryClient c = client(new RegistryAccess(noSecrets(), new CloudCredentials(env::get, Clock.systemUTC())),
                    repo(proxy.host(), "team/app", "azure", ""));
            assertEquals(acrImage.digest(), c.resolve("team/app", "2.0.0").orElseThrow().digest());
            assertEquals(2, aad.requests(), "one AAD token, one exchange");
            assertEquals(List.of(), aad.problems());
        }
    }

    @Test
    void azureManagedIdentityThroughImdsForAPromotionTargetRegistry(@TempDir Path dir) throws Exception {
        try (var aad = new CloudIdentityServers.AzureAd("tenant-2", "mi-client", dir.resolve("unused"));
                RegistryProxy proxy = new RegistryProxy(acr).requireBearer()) {
            proxy.route("/oauth2/exchange", aad.acrExchange(proxy.host(), ACR_REFRESH));
            Map<String, String> env = Map.of("AZURE_CLIENT_ID", "mi-client", "AZURE_POD_IDENTITY_AUTHORITY_HOST", aad.url());
            TagstreamConfig config = new ConfigLoader().parse(Map.of("r.yaml", """
                    apiVersion: tagstream.io/v1alpha1
                    kind: Registry
                    metadata: {name: prod, namespace: ns}
                    spec:
                      host: %s
                      insecure: true
                      provider: azure
                    """.formatted(proxy.host()))).config();
            RegistryAccess access = new RegistryAccess(noSecrets(), new CloudCredentials(env::get, Clock.systemUTC()));
            RegistryClient c = access.client(RepositoryName.parse(proxy.host() + "/team/app"), config);
            assertEquals(acrImage.digest(), c.resolve("team/app", "2.0.0").orElseThrow().digest());
            assertEquals(List.of(), aad.problems());
        }
    }

    @Test
    void awsWebIdentityThroughStsThenEcrWithACheckedSigV4Signature(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "eyJ.eks-projected-token.sig");
        String role = "arn:aws:iam::123456789012:role/tagstream-poller";
        try (var aws = new CloudIdentityServers.Aws(role, "eyJ.eks-projected-token.sig", "AWS", () -> ECR_PASSWORD)) {
            Map<String, String> props = Map.of("aws.webIdentityTokenFile", token.toString(), "aws.roleArn", role,
                    "aws.region", "eu-central-1", "aws.endpointUrlSts", aws.url(), "aws.endpointUrlEcr", aws.url());
            props.forEach(System::setProperty);
            try {
                CloudCredentials cloud = new CloudCredentials(k -> null, Clock.systemUTC());
                // the ECR-style Basic challenge of docker-registry's htpasswd: the token's AWS:password must be offered
                RegistryClient c = client(new RegistryAccess(noSecrets(), cloud), repo(ecr.host(), "team/app", "aws", ""));
                assertEquals(ecrImage.digest(), c.resolve("team/app", "3.0.0").orElseThrow().digest());
                c.listTags("team/app", 100, OptionalInt.empty());
                assertEquals(List.of(), aws.problems());
                assertEquals(1, aws.stsCalls());
                assertEquals(1, aws.ecrCalls().size(), "one GetAuthorizationToken for both requests");
                assertEquals("eu-central-1", aws.ecrCalls().get(0).region(), "a host that names no region: the default one");
                assertEquals(List.of(), aws.ecrCalls().get(0).registryIds());

                // cross-account: an ECR host names its account and region, and the token is asked for that registry
                CloudToken other = cloud.forProvider("aws", "210987654321.dkr.ecr.eu-west-1.amazonaws.com", false);
                assertEquals(new Credentials("AWS", ECR_PASSWORD), other.current().orElseThrow());
                assertEquals(new CloudIdentityServers.Aws.EcrCall(aws.ecrCalls().get(1).accessKeyId(), "eu-west-1",
                        List.of("210987654321")), aws.ecrCalls().get(1));
                assertTrue(Duration.between(Instant.now(), other.renewAt()).compareTo(Duration.ofHours(11)) > 0,
                        "the 12 h token is renewed 15 min before it expires: " + other.renewAt());
                assertEquals(List.of(), aws.problems());

                // the server really checks the signature: the issued key with a wrong secret is refused
                var issued = aws.issuedKeys().entrySet().iterator().next();
                try (EcrClient forged = EcrClient.builder().region(Region.EU_CENTRAL_1)
                        .httpClient(UrlConnectionHttpClient.create())
                        .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(issued.getKey(),
                                issued.getValue().get(0) + "x", issued.getValue().get(1)))).build()) {
                    assertThrows(software.amazon.awssdk.core.exception.SdkException.class, () -> forged.getAuthorizationToken(
                            GetAuthorizationTokenRequest.builder().build()));
                }
                assertEquals(1, aws.problems().size());
                assertTrue(aws.problems().get(0).contains("SignatureDoesNotMatch"), aws.problems().toString());

                // a projected token STS does not accept: the scan's error says which call failed and why
                Files.writeString(token, "eyJ.some-other-token.sig");
                RegistryException e = assertThrows(RegistryException.class, () -> new CloudCredentials(k -> null, Clock.systemUTC())
                        .forProvider("aws", "123456789012.dkr.ecr.eu-central-1.amazonaws.com", false).current());
                assertTrue(e.getMessage().startsWith("ECR GetAuthorizationToken for 123456789012.dkr.ecr.eu-central-1.amazonaws.com failed: "),
                        e.getMessage());
                assertTrue(e.getMessage().contains("WebIdentityTokenFileCredentialsProvider(): not the projected service account token (Service: Sts, Status Code: 400"), e.getMessage());
            } finally {
                props.keySet().forEach(System::clearProperty);
            }
        }
    }

    @Test
    void dockerConfigCredentialHelpersNameTheCloud() {
        assertEquals(Optional.of("aws"), RegistryAccess.helper("""
                {"credHelpers": {"123456789012.dkr.ecr.eu-west-1.amazonaws.com": "ecr-login"}}""",
                "123456789012.dkr.ecr.eu-west-1.amazonaws.com"));
        assertEquals(Optional.of("gcp"), RegistryAccess.helper("{\"credsStore\": \"gcloud\"}", "europe-docker.pkg.dev"));
        assertEquals(Optional.of("azure"), RegistryAccess.helper("{\"credHelpers\": {\"x.azurecr.io\": \"acr-env\"}}", "x.azurecr.io"));
        assertEquals(Optional.empty(), RegistryAccess.helper("{\"credsStore\": \"desktop\"}", "ghcr.io"),
                "a helper that is a program on someone's laptop is not run");
        assertEquals(Optional.of(new Credentials("00000000-0000-0000-0000-000000000000", "refresh")), RegistryAccess.dockerConfig("""
                {"auths": {"x.azurecr.io": {"auth": "MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwOg==", "identitytoken": "refresh"}}}""",
                "x.azurecr.io"));
    }

    @Test
    void tokensAreRenewedAheadOfExpiryAndAfterARefusal() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-06T00:00:00Z"));
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        record Row(Duration lifetime, Duration renewedBefore) {}
        for (Row row : List.of(new Row(Duration.ofHours(12), Duration.ofMinutes(15)), new Row(Duration.ofHours(1), Duration.ofMinutes(6)),
                new Row(Duration.ofMinutes(5), Duration.ofMinutes(1)), new Row(Duration.ofSeconds(30), Duration.ofSeconds(30)))) {
            CloudToken t = new CloudToken(clock) {
                int n;

                @Override
                protected Issued fetch() {
                    return new Issued(new Credentials("u", "p" + ++n), now.get().plus(row.lifetime()));
                }

                @Override
                public String describe() {
                    return "test";
                }
            };
            Instant start = now.get();
            assertEquals("p1", t.current().orElseThrow().password());
            assertEquals(start.plus(row.lifetime()).minus(row.renewedBefore()), t.renewAt(), row.toString());
            now.set(t.renewAt().minusSeconds(1));
            t.current();
            long before = t.fetches();
            now.set(t.renewAt());
            t.current();
            assertEquals(before + 1, t.fetches(), "renewed at " + row);
            t.invalidate();
            t.current();
            assertEquals(before + 2, t.fetches(), "a refusal forgets the token");
            assertFalse(t.toString().contains("p"), "the secret never shows: " + t);
        }
    }
}
