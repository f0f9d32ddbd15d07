package io.tagstream.common.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Flux's ImageRepository: an image repository to scan for tags.
 *
 * @param exclusionList tag patterns (Go regexp syntax) never reported; Flux's default {@code ^.*\.sig$} unless the user
 *     gives a list, which replaces it
 * @param maxTags our extension: consider at most this many tags of a huge repository, the last ones in the
 *     registry's listing order
 * @param mutableTags our extension: tags that move (default {@code latest}); their digest is re-checked every scan,
 *     every other tag's digest only when it is new
 */
public record ImageRepository(
        ResourceId id,
        Map<String, String> labels,
        Origin origin,
        String image,
        Duration interval,
        Optional<Duration> timeout,
        Optional<String> secretRef,
        Optional<String> certSecretRef,
        String provider,
        boolean insecure,
        List<String> exclusionList,
        boolean suspend,
        Optional<Integer> maxTags,
        java.util.List<String> mutableTags)
        implements Resource {

    public static final List<String> DEFAULT_EXCLUSIONS = List.of("^.*\\.sig$");
    public static final List<String> DEFAULT_MUTABLE_TAGS = List.of("latest");
}
