package io.tagstream.common.events;

import java.time.Instant;
import java.util.Objects;

/**
 * An image approved for an environment and available at its target. Keyed by promotion.
 *
 * @param promotion the ImagePromotion, {@code namespace/name}; for a policy without a promotion, the policy itself
 * @param policy the ImagePolicy whose selection was promoted, {@code namespace/name}
 * @param source {@code repository:tag@digest} as selected
 * @param target {@code repository:tag@digest} where the image now is; equal to source when nothing was copied
 * @param approvedBy {@code auto}, {@code user:<id>} or {@code signal:<name>}
 * @param copied whether the promoter copied the image to a different repository
 */
public record PromotionApproved(
        String promotion,
        String policy,
        ImageRef source,
        ImageRef target,
        String approvedBy,
        Instant approvedAt,
        boolean copied)
        implements Event {

    public PromotionApproved {
        Objects.requireNonNull(promotion, "promotion");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(approvedBy, "approvedBy");
        Names.ref(source);
        Names.ref(target);
    }

    @Override
    public String key() {
        return promotion;
    }

    @Override
    public String subject() {
        return target.toString();
    }
}
