package io.tagstream.poller.core;

import io.tagstream.common.registry.RegistryClient;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a scan asks of a registry: the tags of a repository, and what one tag points at now. {@link #of} is the real
 * registry; tests give a scan a map.
 */
public interface TagSource {

    /** Every tag of {@code path}, as the registry lists them. */
    List<String> tags(String path);

    /** The digest and media type {@code tag} points at now; empty when the registry does not have it. */
    Optional<RegistryClient.Resolved> resolve(String path, String tag);

    /** A registry through its client (tags listed 1,000 per page). */
    static TagSource of(RegistryClient client) {
        return new TagSource() {
            @Override
            public List<String> tags(String path) {
                return client.listTags(path, 1000, OptionalInt.empty()).tags();
            }

            @Override
            public Optional<RegistryClient.Resolved> resolve(String path, String tag) {
                return client.resolve(path, tag);
            }
        };
    }
}
