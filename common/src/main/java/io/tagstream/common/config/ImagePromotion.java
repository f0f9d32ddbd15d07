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

    /**
     * @param signals every signal listed must arrive for the digest before it is approved
     * @param approvers who may approve or reject (our extension); anyone with the approver role when empty
     * @param requiredApprovals how many distinct identities must approve (manual mode; our extension), default 1
     * @param forbidSelfApproval whoever pushed the image may not approve it (manual mode; our extension). Who pushed is
     *     what the registry's notification named; where it named no one, the approval is taken and its history says
     *     that it could not be checked
     */
    public record Approval(Mode mode, List<String> signals, Optional<Duration> deadline, Approvers approvers,
            int requiredApprovals, boolean forbidSelfApproval) {

        public Approval(Mode mode, List<String> signals, Optional<Duration> deadline) {
            this(mode, signals, deadline, Approvers.ANYONE, 1, false);
        }

        public Approval(Mode mode, List<String> signals, Optional<Duration> deadline, Approvers approvers, int requiredApprovals) {
            this(mode, signals, deadline, approvers, requiredApprovals, false);
        }
    }

    /**
     * @param users JWT user names ({@code alice}) and API tokens ({@code token:release-bot})
     * @param groups JWT groups ({@code release-managers})
     */
    public record Approvers(List<String> users, List<String> groups) {
        public static final Approvers ANYONE = new Approvers(List.of(), List.of());

        public boolean anyone() {
            return users.isEmpty() && groups.isEmpty();
        }
    }

    /** At most this many approvals can be required (a promotion keeps at most 50 approvals in its record). */
    public static final int MAX_REQUIRED_APPROVALS = 10;

    public enum Mode {
        AUTO,
        MANUAL
    }

    public static final List<String> TAG_TEMPLATE_VARIABLES = List.of("tag", "digest", "digest.short", "policy");
}
