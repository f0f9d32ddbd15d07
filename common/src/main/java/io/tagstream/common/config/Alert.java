package io.tagstream.common.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Flux's notification Alert ({@code notification.toolkit.fluxcd.io/v1beta3}): which events go to which Provider.
 *
 * @param errorsOnly {@code eventSeverity: error}; with {@code info} (the default) every event goes
 * @param inclusionList Go (RE2) patterns; when not empty, a message must match one
 * @param exclusionList Go (RE2) patterns; a message matching one is not sent
 * @param eventMetadata merged into each event's metadata (an event's own key wins, as in Flux)
 * @param summary Flux's deprecated {@code spec.summary}, sent as the metadata key {@code summary}
 */
public record Alert(
        ResourceId id,
        Map<String, String> labels,
        Origin origin,
        ResourceId providerRef,
        boolean errorsOnly,
        List<Source> eventSources,
        List<String> inclusionList,
        List<String> exclusionList,
        Map<String, String> eventMetadata,
        Optional<String> summary,
        boolean suspend)
        implements Resource {

    /** The kinds Tagstream sends events about: Flux's three image kinds and its own ImagePromotion. */
    public static final List<String> KINDS = List.of("ImageRepository", "ImagePolicy", "ImageUpdateAutomation",
            "ImagePromotion");

    /**
     * One {@code eventSources} entry.
     *
     * @param name a name, or {@code *} for every object of the kind (then {@code matchLabels} may narrow it)
     * @param namespace absent: the Alert's own namespace
     */
    public record Source(String kind, String name, Optional<String> namespace, Map<String, String> matchLabels) {}
}
