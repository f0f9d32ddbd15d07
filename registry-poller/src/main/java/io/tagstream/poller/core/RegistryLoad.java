package io.tagstream.poller.core;

import io.tagstream.common.registry.RegistryClient;
import io.tagstream.common.registry.RepositoryName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the poller asked of each registry host since it started: requests by outcome, retries, and how often it held a
 * request back to stay under the host's rate or obeyed the host's own slow-down — summed over the host's clients (one
 * per set of credentials and limits).
 *
 * @param failed answers of 4xx and 5xx
 */
public record RegistryLoad(String host, long requests, long failed, long retries, long rateLimitWaits) {

    /** One entry per registry, by name ({@code registry-1.docker.io}'s load is {@code docker.io}'s). */
    public static List<RegistryLoad> of(List<Map.Entry<String, RegistryClient.Stats>> byClient) {
        Map<String, long[]> sums = new TreeMap<>();
        for (Map.Entry<String, RegistryClient.Stats> e : byClient) {
            long[] s = sums.computeIfAbsent(RepositoryName.registryOf(e.getKey()), h -> new long[4]);
            e.getValue().responses().forEach((status, n) -> {
                s[0] += n;
                s[1] += status >= 400 ? n : 0;
            });
            s[2] += e.getValue().retries();
            s[3] += e.getValue().rateLimitWaits();
        }
        List<RegistryLoad> out = new ArrayList<>();
        sums.forEach((host, s) -> out.add(new RegistryLoad(host, s[0], s[1], s[2], s[3])));
        return out;
    }
}
