package io.tagstream.console.core;

import io.tagstream.common.registry.RepositoryName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The registry matrix MECIPOL keeps by hand: each registry host with the repositories Tagstream watches there, when
 * each was last listed, how many tags it has, its newest tags and its error; per host, how many repositories fail.
 */
public final class RegistryMatrix {

    /** One watched repository as the poller reports it. */
    public record Repository(String id, String image, String host, Optional<Instant> lastScan, int tagCount, List<String> latestTags,
            Optional<String> lastError, Optional<Instant> nextScan, boolean suspended, Optional<String> capped) {}

    /**
     * @param trust the host's label from the console's settings ({@code tagstream.console.registry-labels}), such as
     *     {@code QE} or {@code prod}; empty when none is set
     * @param lastScan the most recent listing of any of its repositories
     */
    public record Host(String host, Optional<String> trust, List<Repository> repositories, int failing, Optional<Instant> lastScan,
            Optional<Load> load) {}

    /** What the poller asked of the host since its pod started (empty when the poller did not say). */
    public record Load(long requests, long failed, long retries, long rateLimitWaits) {}

    private RegistryMatrix() {}

    /** Hosts by name; within a host, failing repositories first, then by id. */
    public static List<Host> of(List<Repository> repositories, Map<String, String> labels, Map<String, Load> loads) {
        Map<String, List<Repository>> byHost = new TreeMap<>();
        repositories.forEach(r -> byHost.computeIfAbsent(r.host(), h -> new ArrayList<>()).add(r));
        List<Host> out = new ArrayList<>();
        byHost.forEach((host, repos) -> {
            repos.sort(Comparator.comparing((Repository r) -> r.lastError().isEmpty()).thenComparing(Repository::id));
            int failing = (int) repos.stream().filter(r -> r.lastError().isPresent()).count();
            Optional<Instant> last = repos.stream().flatMap(r -> r.lastScan().stream()).max(Comparator.naturalOrder());
            out.add(new Host(host, Optional.ofNullable(labels.get(host)), List.copyOf(repos), failing, last,
                    Optional.ofNullable(loads.get(host))));
        });
        return out;
    }

    /** The registry host of an image reference, as the registry client names it ({@code docker.io} for Docker Hub). */
    public static String host(String image) {
        try {
            return RepositoryName.parse(image).registry();
        } catch (IllegalArgumentException e) {
            return RepositoryName.registryOf(image.contains("/") ? image.substring(0, image.indexOf('/')) : RepositoryName.DOCKER_HUB);
        }
    }

    /** Parses {@code host=label,host=label}; a pair without a host or a label is refused with its position. */
    public static Map<String, String> labels(String csv) {
        Map<String, String> out = new TreeMap<>();
        String[] pairs = csv.split(",");
        for (int i = 0; i < pairs.length; i++) {
            if (pairs[i].isBlank()) {
                continue;
            }
            int eq = pairs[i].indexOf('=');
            if (eq <= 0 || pairs[i].substring(eq + 1).isBlank() || pairs[i].substring(0, eq).isBlank()) {
                throw new IllegalArgumentException("registry label " + (i + 1) + " '" + pairs[i].strip()
                        + "' is not host=label (e.g. qe.azurecr.io=QE,prod.azurecr.io=prod)");
            }
            out.put(pairs[i].substring(0, eq).strip(), pairs[i].substring(eq + 1).strip());
        }
        return out;
    }
}
