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
 * Decides what a policy's new selection needs before it may reach git. The policy's own selection is always approved
 * at once by {@code auto}: setter markers naming the policy follow it exactly as in Flux (a staging environment that
 * tracks its policy). Each ImagePromotion that takes the policy as its source opens a gate; only markers naming that
 * promotion wait for its approval and get its target ref.
 */
public final class Gate {

    private Gate() {}

    /**
     * What to do with one selection.
     *
     * @param own the policy's own approval, for markers naming the policy
     * @param promotions the promotions gated on this selection (none: Flux's behaviour, nothing else happens)
     */
    public record Decision(PromotionApproved own, List<ImagePromotion> promotions) {}

    public static Decision decide(PolicyMatched match, TagstreamConfig config, Instant now) {
        ResourceId policy = ResourceId.parse(match.policy());
        List<ImagePromotion> gates = config.promotions().stream()
                .filter(p -> p.sourcePolicyRef().equals(policy))
                .toList();
        ImageRef ref = ImageRef.of(match.image(), match.tag(), match.digest());
        return new Decision(new PromotionApproved(match.policy(), match.policy(), ref, ref, "auto", now, false), gates);
    }
}
