package io.tagstream.common.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Our ImagePromotion kind: an approval gate between a policy's selection and git, optionally copying the image to a
 * target repository with the same digest.
 *
 * @param target absent: promotion inside git only (the exact digest is carried forward, nothing is copied)
 */
public record ImagePromotion(
        ResourceId id,
        Map<String, String> labels,
        Origin origin,
        ResourceId sourcePolicyRef,
        Optional<Target> target,
        Approval approval,
        boolean copySignatures)
        implements Resource {

    /** @param tags templates over {@code {{tag}} {{digest}} {{digest.short}} {{policy}}} */
    public record Target(String image, List<String> tags) {}

    /** @param signals every signal listed must arrive for the digest before it is approved */
    public record Approval(Mode mode, List<String> signals, Optional<Duration> deadline) {}

    public enum Mode {
        AUTO,
        MANUAL
    }

    public static final List<String> TAG_TEMPLATE_VARIABLES = List.of("tag", "digest", "digest.short", "policy");
}
