package io.tagstream.common.config;

import java.util.Optional;

/**
 * Our Registry kind: settings for one registry host, used by every ImageRepository and promotion that reaches it.
 *
 * @param host {@code host[:port]} as it appears in image references
 * @param dockerConfigPath a docker {@code config.json} to read credentials from, instead of a secret
 * @param insecure plain HTTP instead of HTTPS
 * @param provider {@code generic}, or {@code aws}/{@code azure}/{@code gcp}: credentials from the pod's cloud identity
 * @param pushTimes the registry's own API that tells when a tag was pushed ({@code gitea}: Gitea/Forgejo's packages
 *     API), read for tags a {@code newest: {by: pushed}} policy has not seen before; empty: the time the poller first
 *     saw them
 */
public record Registry(
        ResourceId id,
        java.util.Map<String, String> labels,
        Origin origin,
        String host,
        Optional<String> secretRef,
        Optional<String> caSecretRef,
        Optional<String> dockerConfigPath,
        boolean insecure,
        double requestsPerSecond,
        int maxConcurrency,
        String provider,
        Optional<String> pushTimes)
        implements Resource {

    public static final java.util.Set<String> PUSH_TIME_APIS = java.util.Set.of("gitea");

    public static final double DEFAULT_REQUESTS_PER_SECOND = 20;
    public static final int DEFAULT_MAX_CONCURRENCY = 8;
}
