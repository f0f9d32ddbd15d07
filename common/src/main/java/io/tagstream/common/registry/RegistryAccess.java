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
 * they name: credentials from {@code username}/{@code password} keys or a {@code .dockerconfigjson}, a CA bundle from
 * {@code ca.crt}, plain HTTP where marked insecure, and the host's request rate and concurrency.
 */
public final class RegistryAccess {

    private final Secrets secrets;
    private final Map<String, RegistryClient> clients = new ConcurrentHashMap<>();

    public RegistryAccess(Secrets secrets) {
        this.secrets = secrets;
    }

    public RegistryClient client(ImageRepository repo, RepositoryName name, TagstreamConfig config) {
        return client(name, config, repo.insecure(), repo.secretRef().map(s -> new ResourceId(repo.id().namespace(), s)),
                repo.certSecretRef().map(s -> new ResourceId(repo.id().namespace(), s)));
    }

    /** A client for a repository no ImageRepository describes (a promotion's target): the Registry resource decides. */
    public RegistryClient client(RepositoryName name, TagstreamConfig config) {
        return client(name, config, false, Optional.empty(), Optional.empty());
    }

    private RegistryClient client(RepositoryName name, TagstreamConfig config, boolean insecure, Optional<ResourceId> secretRef,
            Optional<ResourceId> caRef) {
        Optional<Registry> reg = config.registryFor(name.registry());
        boolean plain = insecure || reg.map(Registry::insecure).orElse(false);
        Optional<Credentials> creds = secretRef
                .or(() -> reg.flatMap(r -> r.secretRef().map(s -> new ResourceId(r.id().namespace(), s))))
                .flatMap(id -> credentials(id, name.registry()))
                .or(() -> reg.flatMap(Registry::dockerConfigPath).flatMap(p -> dockerConfigFile(Path.of(p), name.registry())));
        Optional<String> ca = caRef
                .or(() -> reg.flatMap(r -> r.caSecretRef().map(s -> new ResourceId(r.id().namespace(), s))))
                .flatMap(id -> secrets.get(id, "ca.crt")).map(Secret::reveal);
        double rps = reg.map(Registry::requestsPerSecond).orElse(Registry.DEFAULT_REQUESTS_PER_SECOND);
        int conc = reg.map(Registry::maxConcurrency).orElse(Registry.DEFAULT_MAX_CONCURRENCY);
        String key = name.apiHost() + "|" + plain + "|" + creds.map(c -> c.username() + ":" + c.password().hashCode()).orElse("")
                + "|" + ca.map(String::hashCode).orElse(0) + "|" + rps + "|" + conc;
        return clients.computeIfAbsent(key, k -> {
            RegistrySettings s = RegistrySettings.of(name.apiHost(), plain, creds).withLimits(rps, conc);
            return new RegistryClient(ca.map(pem -> s.withTls(tls(pem))).orElse(s));
        });
    }

    public Map<String, RegistryClient> clients() {
        return Map.copyOf(clients);
    }

    private Optional<Credentials> credentials(ResourceId secret, String host) {
        Optional<Secret> user = secrets.get(secret, "username");
        Optional<Secret> pass = secrets.get(secret, "password");
        if (user.isPresent() && pass.isPresent()) {
            return Optional.of(new Credentials(user.get().reveal(), pass.get().reveal()));
        }
        return secrets.get(secret, ".dockerconfigjson").flatMap(j -> dockerConfig(j.reveal(), host));
    }

    private static Optional<Credentials> dockerConfigFile(Path p, String host) {
        try {
            return dockerConfig(Files.readString(p), host);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A docker config's {@code auths[host]}: {@code auth} (base64 user:password) or username/password. */
    static Optional<Credentials> dockerConfig(String json, String host) {
        try {
            JsonNode auths = Json.mapper().readTree(json).path("auths");
            for (String key : new String[] {host, "https://" + host, "http://" + host,
                    host.equals("docker.io") ? "https://index.docker.io/v1/" : host}) {
                JsonNode a = auths.path(key);
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
