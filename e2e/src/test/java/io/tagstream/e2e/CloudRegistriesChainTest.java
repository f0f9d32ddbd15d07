package io.tagstream.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.launcher.Chain;
import io.tagstream.testkit.CloudIdentityServers;
import io.tagstream.testkit.GitServer;
import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.Ports;
import io.tagstream.testkit.RegistryProxy;
import io.tagstream.testkit.TestImages;
import io.tagstream.testkit.WorkDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cloud registries with workload identity, through the whole chain as processes and with no registry secret anywhere:
 * an "Artifact Registry" (docker-registry behind a token challenge that accepts only the GCE metadata server's token as
 * {@code oauth2accesstoken}) is scanned by the poller with {@code provider: gcp}; each new release is promoted
 * automatically into an "ACR" (docker-registry behind a token challenge that accepts only the refresh token of ACR's
 * {@code /oauth2/exchange} for an Entra ID token obtained with the pod's federated token), which the promoter writes and
 * the poller reads through a {@code Registry} with {@code provider: azure}; the prod policy on the ACR copy is
 * committed to the fleet repo. The identity endpoints are the test kit's protocol-checking stand-ins, reached through
 * the standard environment variables (GCE_METADATA_HOST, AZURE_*) that the processes inherit.
 */
class CloudRegistriesChainTest {

    static final String GCP_TOKEN = "ya29.e2e-metadata-token";
    static final String ACR_REFRESH = "acr-e2e-refresh-token";

    static LocalRegistry gar;
    static LocalRegistry acr;
    static RegistryProxy garAuth;
    static RegistryProxy acrAuth;
    static CloudIdentityServers.GceMetadata metadata;
    static CloudIdentityServers.AzureAd entra;
    static GitServer git;
    static Chain chain;

    @BeforeAll
    static void start() throws Exception {
        gar = LocalRegistry.builder().htpasswd("oauth2accesstoken", GCP_TOKEN).start();
        acr = LocalRegistry.builder().htpasswd("00000000-0000-0000-0000-000000000000", ACR_REFRESH).start();
        garAuth = new RegistryProxy(gar).requireBearer();
        acrAuth = new RegistryProxy(acr).requireBearer();
        metadata = new CloudIdentityServers.GceMetadata(() -> GCP_TOKEN);
        Path root = WorkDirs.create("cloud-registries-chain");
        Path federated = Files.writeString(root.resolve("azure-identity-token"), "eyJ.aks-projected-token.sig");
        entra = new CloudIdentityServers.AzureAd("tenant-e2e", "client-e2e", federated);
        acrAuth.route("/oauth2/exchange", entra.acrExchange(acrAuth.host(), ACR_REFRESH));

        git = GitServer.start();
        git.createBare("fleet", "main");
        git.commit("fleet", "main", Map.of("apps/billing.yaml",
                E2e.deployment("billing", acrAuth.host() + "/apps/billing:0.9.0", "flux-system:billing-prod")), "seed", "platform");

        Path config = Files.createDirectories(root.resolve("config"));
        Files.writeString(config.resolve("cloud.yaml"), """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: billing-gar, namespace: flux-system}
                spec: {image: '%1$s/apps/billing', interval: 1h, insecure: true, provider: gcp}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: billing, namespace: flux-system}
                spec:
                  imageRepositoryRef: {name: billing-gar}
                  policy: {semver: {range: '>=1.0.0'}}
                ---
                apiVersion: tagstream.io/v1alpha1
                kind: Registry
                metadata: {name: prod-acr, namespace: flux-system}
                spec: {host: '%2$s', insecure: true, provider: azure}
                ---
                apiVersion: tagstream.io/v1alpha1
                kind: ImagePromotion
                metadata: {name: billing-to-prod, namespace: flux-system}
                spec:
                  sourcePolicyRef: {name: billing}
                  target: {image: '%2$s/apps/billing', tags: ['{{tag}}']}
                  approval: {mode: auto}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: billing-acr, namespace: flux-system}
                spec: {image: '%2$s/apps/billing', interval: 1h}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: billing-prod, namespace: flux-system}
                spec:
                  imageRepositoryRef: {name: billing-acr}
                  policy: {semver: {range: '>=1.0.0'}}
                ---
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: fleet, namespace: flux-system}
                spec: {url: '%3$s', ref: {branch: main}}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageUpdateAutomation
                metadata: {name: fleet, namespace: flux-system}
                spec:
                  sourceRef: {kind: GitRepository, name: fleet}
                  git:
                    checkout: {ref: {branch: main}}
                    commit: {author: {name: tagstream, email: bot@example.com}}
                    push: {branch: main}
                  update: {path: ./apps, strategy: Setters}
                """.formatted(garAuth.host(), acrAuth.host(), git.url("fleet")));
        chain = E2e.start(root, config, E2e.ports(Ports.free()), Map.of(
                "GCE_METADATA_HOST", metadata.host(),
                "AZURE_CLIENT_ID", "client-e2e", "AZURE_TENANT_ID", "tenant-e2e",
                "AZURE_FEDERATED_TOKEN_FILE", federated.toString(), "AZURE_AUTHORITY_HOST", entra.url() + "/"));
    }

    @AfterAll
    static void stop() {
        E2e.closeAll(chain, garAuth, acrAuth, gar, acr, metadata, entra, git);
    }

    static String deployed() {
        return git.inBare("fleet", "show", "main:apps/billing.yaml").lines().filter(l -> l.contains("image:"))
                .findFirst().orElseThrow().trim();
    }

    static void release(String tag) {
        TestImages.push(gar, "apps/billing", tag);
        var r = E2e.post(chain.url("registry-poller") + "/api/v1/repositories/flux-system/billing-gar/scan", "", Map.of());
        assertTrue(r.statusCode() / 100 == 2, r.statusCode() + " " + r.body());
        E2e.await("billing " + tag + " in the fleet repo", Duration.ofSeconds(90),
                () -> deployed().contains(acrAuth.host() + "/apps/billing:" + tag + " "));
    }

    @Test
    void releasesInAGcpRegistryArePromotedIntoAnAzureRegistryAndCommittedWithWorkloadIdentityOnly() {
        release("1.0.0");
        release("1.1.0");
        assertEquals(List.of(), metadata.problems(), "every metadata request followed the protocol");
        assertEquals(List.of(), entra.problems(), "every Entra ID and ACR exchange request followed the protocol");
        assertTrue(metadata.requests() <= 2, "one GCP token per process that reads the GCP registry (poller, promoter), "
                + "kept across scans and copies: " + metadata.requests());
        assertTrue(entra.requests() <= 4, "one Entra ID token and one exchange per process that reads or writes the ACR: "
                + entra.requests());
        List<String> log = git.inBare("fleet", "log", "--format=%an", "main").lines().toList();
        assertEquals(List.of("tagstream", "tagstream", "platform"), log, "one commit per release");
    }
}
