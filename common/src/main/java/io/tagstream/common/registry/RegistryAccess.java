package io.tagstream.common.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.common.config.ImageRepository;
import io.tagstream.common.config.Registry;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.Secret;
import io.tagstream.common.config.Secrets;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.Json;
import io.tagstream.common.registry.RegistrySettings.Credentials;
import io.tagstream.common.registry.cloud.CloudCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * One {@link RegistryClient} per registry host and access settings, built from the Registry resources and the secrets
 * they name: credentials from {@code username}/{@code password} keys or a {@code .dockerconfigjson}, or from the pod's
 * cloud identity ({@code provider: aws|azure|gcp}, or a docker config naming that cloud's credential helper), a CA bundle from
 * {@code ca.crt}, plain HTTP where marked insecure, and the host's request rate and concurrency.
 */
public final class RegistryAccess {

    /** Docker credential helpers that stand for a cloud identity Tagstream speaks to itself. */
    static final Map<String, String> HELPERS = Map.of("ecr-login", "aws", "gcloud", "gcp", "gcr", "gcp", "acr-env", "azure", "acr", "azure");

    private final Secrets secrets;
    private final CloudCredentials cloud;
    private final Map<String, RegistryClient> clients = new ConcurrentHashMap<>();
    private final Map<RegistryClient, PushTimes> pushTimes = new ConcurrentHashMap<>();

    public RegistryAccess(Secrets secrets) {
        this(secrets, CloudCredentials.fromEnvironment());
    }

    public RegistryAccess(Secrets secrets, CloudCredentials cloud) {
        this.secrets = secrets;
        this.cloud = cloud;
    }

    public RegistryClient client(ImageRepository repo, RepositoryName name, TagstreamConfig config) {
        return client(name, config, repo.insecure(), repo.secretRef().map(s -> new ResourceId(repo.id().namespace(), s)),
                repo.certSecretRef().map(s -> new ResourceId(repo.id().namespace(), s)), repo.provider());
    }

    /** A client for a repository no ImageRepository describes (a promotion's target): the Registry resource decides. */
    public RegistryClient client(RepositoryName name, TagstreamConfig config) {
        return client(name, config, false, Optional.empty(), Optional.empty(), "generic");
    }

    /**
     * Credentials, first that applies: the ImageRepository's secret (Flux: a secretRef wins over the provider); its
     * cloud provider; the Registry resource's provider, secret or docker config file; none.
     */
    private RegistryClient client(RepositoryName name, TagstreamConfig config, boolean insecure, Optional<ResourceId> secretRef,
            Optional<ResourceId> caRef, String provider) {
        Optional<Registry> reg = config.registryFor(name.registry());
        boolean plain = insecure || reg.map(Registry::insecure).orElse(false);
        Optional<CredentialSource> fromSecret = secretRef.flatMap(id -> credentials(id, name.registry(), plain));
        CredentialSource creds = fromSecret
                .or(() -> CloudCredentials.isCloud(provider) ? Optional.of(cloud.forProvider(provider, name.apiHost(), plain)) : Optional.empty())
                .or(() -> reg.filter(r -> CloudCredentials.isCloud(r.provider()))
                        .map(r -> cloud.forProvider(r.provider(), name.apiHost(), plain)))
                .or(() -> reg.flatMap(r -> r.secretRef().map(s -> new ResourceId(r.id().namespace(), s)))
                        .flatMap(id -> credentials(id, name.registry(), plain)))
                .or(() -> reg.flatMap(Registry::dockerConfigPath).flatMap(p -> dockerConfigFile(Path.of(p), name.registry(), plain)))
                .orElse(CredentialSource.fixed(Optional.empty()));
        Optional<String> ca = caRef
                .or(() -> reg.flatMap(r -> r.caSecretRef().map(s -> new ResourceId(r.id().namespace(), s))))
                .flatMap(id -> secrets.get(id, "ca.crt")).map(Secret::reveal);
        double rps = reg.map(Registry::requestsPerSecond).orElse(Registry.DEFAULT_REQUESTS_PER_SECOND);
        int conc = reg.map(Registry::maxConcurrency).orElse(Registry.DEFAULT_MAX_CONCURRENCY);
        String key = name.apiHost() + "|" + plain + "|" + creds.describe()
                + "|" + ca.map(String::hashCode).orElse(0) + "|" + rps + "|" + conc;
        return clients.computeIfAbsent(key, k -> {
            RegistrySettings s = RegistrySettings.of(name.apiHost(), plain, creds).withLimits(rps, conc);
            return new RegistryClient(ca.map(pem -> s.withTls(tls(pem))).orElse(s));
        });
    }

    /**
     * The API that tells when a repository's tags were pushed, when the host's Registry resource names one
     * ({@code pushTimes}); one per client, sharing its credentials.
     */
    public Optional<PushTimes> pushTimes(RegistryClient client, RepositoryName name, TagstreamConfig config) {
        return config.registryFor(name.registry()).flatMap(Registry::pushTimes).filter("gitea"::equals)
                .map(api -> pushTimes.computeIfAbsent(client, c -> PushTimes.gitea(c.settings())));
    }

    public Map<String, RegistryClient> clients() {
        return Map.copyOf(clients);
    }

    private Optional<CredentialSource> credentials(ResourceId secret, String host, boolean plain) {
        Optional<Secret> user = secrets.get(secret, "username");
        Optional<Secret> pass = secrets.get(secret, "password");
        if (user.isPresent() && pass.isPresent()) {
            return Optional.of(CredentialSource.fixed(Optional.of(new Credentials(user.get().reveal(), pass.get().reveal()))));
        }
        return secrets.get(secret, ".dockerconfigjson").flatMap(j -> fromDockerConfig(j.reveal(), host, plain));
    }

    private Optional<CredentialSource> dockerConfigFile(Path p, String host, boolean plain) {
        try {
            return fromDockerConfig(Files.readString(p), host, plain);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private Optional<CredentialSource> fromDockerConfig(String json, String host, boolean plain) {
        Optional<CredentialSource> fixed = dockerConfig(json, host).map(c -> CredentialSource.fixed(Optional.of(c)));
        return fixed.or(() -> helper(json, host).map(p -> cloud.forProvider(p, host.equals(RepositoryName.DOCKER_HUB)
                ? "registry-1.docker.io" : host, plain)));
    }

    /**
     * A docker config's {@code auths[host]}: {@code auth} (base64 user:password), username/password, or an
     * {@code identitytoken} (an OAuth refresh token such as {@code az acr login --expose-token} gives, offered as the
     * password, which ACR's token endpoint accepts).
     */
    static Optional<Credentials> dockerConfig(String json, String host) {
        try {
            JsonNode auths = Json.mapper().readTree(json).path("auths");
            for (String key : new String[] {host, "https://" + host, "http://" + host,
                    host.equals("docker.io") ? "https://index.docker.io/v1/" : host}) {
                JsonNode a = auths.path(key);
                if (a.hasNonNull("identitytoken") && !a.get("identitytoken").asText().isEmpty()) {
                    String fromAuth = a.hasNonNull("auth") ? new String(Base64.getDecoder().decode(a.get("auth").asText()),
                            StandardCharsets.UTF_8).replaceFirst(":.*$", "") : "";
                    String user = a.hasNonNull("username") ? a.get("username").asText()
                            : fromAuth.isEmpty() ? "00000000-0000-0000-0000-000000000000" : fromAuth;
                    return Optional.of(new Credentials(user, a.get("identitytoken").asText()));
                }
                if (a.hasNonNull("auth")) {
                    String decoded = new String(Base64.getDecoder().decode(a.get("auth").asText()), StandardCharsets.UTF_8);
                    int i = decoded.indexOf(':');
                    if (i > 0) {
                        return Optional.of(new Credentials(decoded.substring(0, i), decoded.substring(i + 1)));
                    }
                }
                if (a.hasNonNull("username") && a.hasNonNull("password")) {
                    return Optional.of(new Credentials(a.get("username").asText(), a.get("password").asText()));
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * The cloud a docker config's {@code credHelpers[host]} or {@code credsStore} names ({@code ecr-login} → aws,
     * {@code gcloud}/{@code gcr} → gcp, {@code acr-env}/{@code acr} → azure); other helpers are programs Tagstream
     * does not run.
     */
    static Optional<String> helper(String json, String host) {
        try {
            JsonNode root = Json.mapper().readTree(json);
            String named = root.path("credHelpers").path(host).asText(null);
            if (named == null) {
                named = root.path("credsStore").asText(null);
            }
            return Optional.ofNullable(named).map(n -> n.replaceFirst("^docker-credential-", "")).map(HELPERS::get);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A TLS context trusting exactly the certificates of a PEM bundle (a {@code ca.crt}), as Flux's CA secrets do. */
    public static SSLContext tls(String pem) {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalArgumentException("CA bundle (ca.crt) is not valid PEM: " + e.getMessage(), e);
        }
    }
}
