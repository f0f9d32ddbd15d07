package io.tagstream.promoter.core;

import io.tagstream.common.config.ImagePromotion;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.ImageRef;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.common.events.PromotionApproved;
import java.time.Instant;
import java.util.List;

/**
 * Decides what a policy's new selection needs before it may reach git. A policy that no ImagePromotion names keeps
 * Flux's behaviour: its selection is approved at once, as is, by {@code auto}.
 */
public final class Gate {

    private Gate() {}

    /** What to do with one selection. */
    public sealed interface Decision permits AutoApproved, Gated {}

    /** No promotion stands in the way: the selection goes to git unchanged. */
    public record AutoApproved(PromotionApproved approval) implements Decision {}

    /** One or more ImagePromotions take this policy as their source. */
    public record Gated(List<ImagePromotion> promotions) implements Decision {}

    public static Decision decide(PolicyMatched match, TagstreamConfig config, Instant now) {
        ResourceId policy = ResourceId.parse(match.policy());
        List<ImagePromotion> gates = config.promotions().stream()
                .filter(p -> p.sourcePolicyRef().equals(policy))
                .toList();
        if (!gates.isEmpty()) {
            return new Gated(gates);
        }
        String ref = ImageRef.of(match.image(), match.tag(), match.digest()).toString();
        return new AutoApproved(new PromotionApproved(match.policy(), match.policy(), ref, ref, "auto", now, false));
    }
}
