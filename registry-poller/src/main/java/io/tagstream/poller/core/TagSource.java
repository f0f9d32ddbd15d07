package io.tagstream.poller.core;

import io.tagstream.common.registry.BuildTimes;
import io.tagstream.common.registry.PushTimes;
import io.tagstream.common.registry.RegistryClient;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a scan asks of a registry: the tags of a repository, what one tag points at now and, for policies that order
 * by build time, when an image was built. {@link #of} is the real registry; tests give a scan a map.
 */
public interface TagSource {

    /** A tag resolved together with its image's build time (empty: the image does not say). */
    record Built(RegistryClient.Resolved resolved, Optional<Instant> built) {}

    /** Every tag of {@code path}, as the registry lists them. */
    List<String> tags(String path);

    /** The digest and media type {@code tag} points at now; empty when the registry does not have it. */
    Optional<RegistryClient.Resolved> resolve(String path, String tag);

    /** When the image at {@code digest} was built; empty when its config does not say. */
    Optional<Instant> built(String path, String digest);

    /**
     * As {@link #resolve}, with the build time: the real registry GETs the manifest instead of HEADing it, so a new
     * tag costs one request more than without (its config), not two.
     */
    default Optional<Built> resolveBuilt(String path, String tag) {
        return resolve(path, tag).map(r -> new Built(r, built(path, r.digest())));
    }

    /**
     * When the registry says {@code tag} was pushed, where its own API tells (see {@link PushTimes}); empty otherwise,
     * and then the poller's first sighting is the push time. Asked once, for a tag the poller has not seen before.
     */
    default Optional<Instant> pushed(String path, String tag) {
        return Optional.empty();
    }

    /** A registry through its client (tags listed 1,000 per page). */
    static TagSource of(RegistryClient client) {
        return of(client, Optional.empty());
    }

    /** As {@link #of(RegistryClient)}, with the registry's push times where its API gives them. */
    static TagSource of(RegistryClient client, Optional<PushTimes> pushTimes) {
        return new TagSource() {
            @Override
            public Optional<Instant> pushed(String path, String tag) {
                return pushTimes.flatMap(p -> p.pushed(path, tag));
            }

            @Override
            public List<String> tags(String path) {
                return client.listTags(path, 1000, OptionalInt.empty()).tags();
            }

            @Override
            public Optional<RegistryClient.Resolved> resolve(String path, String tag) {
                return client.resolve(path, tag);
            }

            @Override
            public Optional<Instant> built(String path, String digest) {
                return client.manifest(path, digest).flatMap(m -> BuildTimes.of(client, path, m));
            }

            @Override
            public Optional<Built> resolveBuilt(String path, String tag) {
                return client.manifest(path, tag).map(m -> new Built(
                        new RegistryClient.Resolved(m.digest(), m.mediaType(), m.bytes().length),
                        BuildTimes.of(client, path, m)));
            }
        };
    }
}
