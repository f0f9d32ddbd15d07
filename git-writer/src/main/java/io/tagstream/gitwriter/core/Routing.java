package io.tagstream.gitwriter.core;

import io.tagstream.common.config.GitRepository;
import io.tagstream.common.config.ImagePolicy;
import io.tagstream.common.config.ImagePromotion;
import io.tagstream.common.config.ImageUpdateAutomation;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.ImageRef;
import io.tagstream.common.events.PromotionApproved;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where an approval goes: which automations write it (same namespace, not suspended, selecting its policy), on which
 * branch, and which marker values it sets. Pure functions of the approval and the configuration.
 */
public final class Routing {

    private Routing() {}

    /** One automation an approval concerns, with the repository it writes. */
    public record Target(ImageUpdateAutomation automation, GitRepository repository) {

        /** The branch the automation's commit starts from: its checkout ref, else the repository's, else main. */
        public String checkoutBranch() {
            return automation.checkoutRef().flatMap(r -> r.branch()).or(() -> repository.ref().branch()).orElse("main");
        }

        /** The branch the commit is pushed to: {@code push.branch} when set (Flux's meaning), else the checkout branch. */
        public String pushBranch() {
            return automation.pushBranch().orElse(checkoutBranch());
        }

        /** {@code <repository URL without credentials>#<push branch>}: one writer per key, the branch topic's key. */
        public String branchKey() {
            return Workspace.safeUrl(repository.url()) + "#" + pushBranch();
        }

        /** What the ledger's memory of this automation is derived from; a change of any part starts it afresh. */
        public String scope() {
            return Ledger.scope(automation.id().toString(), Workspace.safeUrl(repository.url()), pushBranch(),
                    automation.updatePath());
        }
    }

    /** The automations writing an approval of {@code policy}, in configuration order. */
    public static List<Target> targets(ResourceId policy, TagstreamConfig cfg) {
        Optional<ImagePolicy> p = cfg.find(ImagePolicy.class, policy);
        return cfg.automations().stream()
                .filter(a -> !a.suspend() && a.selects(policy, p.map(ImagePolicy::labels).orElse(Map.of())))
                .flatMap(a -> cfg.find(GitRepository.class, a.sourceRef()).map(r -> new Target(a, r)).stream())
                .toList();
    }

    /** The automations writing an approval of {@code policy} to the branch {@code branchKey}. */
    public static List<Target> targets(ResourceId policy, String branchKey, TagstreamConfig cfg) {
        return targets(policy, cfg).stream().filter(t -> t.branchKey().equals(branchKey)).toList();
    }

    /** The distinct branches an approval of {@code policy} is written to. */
    public static List<String> branches(ResourceId policy, TagstreamConfig cfg) {
        return targets(policy, cfg).stream().map(Target::branchKey).distinct().toList();
    }

    /** Every configured automation with its repository, by automation id (one whose GitRepository is missing has none). */
    public static Map<String, Target> automations(TagstreamConfig cfg) {
        Map<String, Target> out = new java.util.LinkedHashMap<>();
        for (ImageUpdateAutomation a : cfg.automations()) {
            cfg.find(GitRepository.class, a.sourceRef()).ifPresent(r -> out.put(a.id().toString(), new Target(a, r)));
        }
        return out;
    }

    /** Every configured automation's scope, by automation id. */
    public static Map<String, String> scopes(TagstreamConfig cfg) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        automations(cfg).forEach((id, t) -> out.put(id, t.scope()));
        return out;
    }

    /**
     * The marker values an approval sets. The policy's own approval sets markers naming the policy (Flux's meaning); a
     * promotion's approval sets only markers naming the promotion, with its target ref, since the policy's markers were
     * set when the policy selected the image. Digests are pinned when the policy reflects digests.
     */
    public static Map<String, ImageValues> values(PromotionApproved a, TagstreamConfig cfg) {
        boolean pin = cfg.find(ImagePolicy.class, ResourceId.parse(a.policy()))
                .map(p -> p.digestReflectionPolicy() != ImagePolicy.DigestReflection.NEVER).orElse(false);
        if (a.promotion().equals(a.policy())) {
            return Map.of(marker(a.policy()), values(a.source(), pin));
        }
        boolean promotionPins = pin && cfg.find(ImagePromotion.class, ResourceId.parse(a.promotion())).isPresent();
        return Map.of(marker(a.promotion()), values(a.target(), promotionPins));
    }

    /**
     * The approval that writes a carried ref ({@link Ledger.Carry}) into its automation's new target: of the policy
     * the marker names, or of the promotion (with its source policy); empty when the marker names neither any more.
     */
    public static Optional<PromotionApproved> carried(Ledger.Carry c, TagstreamConfig cfg, java.time.Instant now) {
        try {
            return carriedApproval(c, cfg, now);
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // a ledger entry that is not a valid reference is never written again
        }
    }

    private static Optional<PromotionApproved> carriedApproval(Ledger.Carry c, TagstreamConfig cfg, java.time.Instant now) {
        ResourceId named = ResourceId.parse(c.marker().replaceFirst(":", "/"));
        ImageRef ref = ImageRef.parse(c.ref());
        if (cfg.find(ImagePolicy.class, named).isPresent()) {
            return Optional.of(new PromotionApproved(named.toString(), named.toString(), ref, ref, CARRIED, now, false));
        }
        return cfg.find(ImagePromotion.class, named).map(p -> new PromotionApproved(named.toString(),
                p.sourcePolicyRef().toString(), ref, ref, CARRIED, now, false));
    }

    /** Who approved a carried ref: no person and no gate, the ledger (the ref was approved and written before). */
    public static final String CARRIED = "ledger";

    /** A setter marker's name for a resource: {@code namespace:name}. */
    public static String marker(String resource) {
        return resource.replace('/', ':');
    }

    private static ImageValues values(ImageRef ref, boolean pin) {
        return new ImageValues(ref.repository(), ref.tag().orElse(""), ref.digest().orElse(""), pin);
    }
}
