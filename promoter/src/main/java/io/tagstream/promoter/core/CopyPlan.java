package io.tagstream.promoter.core;

import io.tagstream.common.config.ImagePromotion;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.events.ImageRef;
import io.tagstream.common.registry.RepositoryName;
import java.util.List;
import java.util.Optional;

/**
 * How an approved promotion reaches its target: the image (by digest) under every tag the target's templates give,
 * then, when the gate copies signatures, cosign's artifacts stored next to it. The first tag is the one announced.
 *
 * @param from the source repository, as the policy selected it
 * @param to the target repository
 * @param tags the target tags, templates expanded
 * @param signatureTags cosign's {@code sha256-<hex>.sig|.att|.sbom} tags to copy when the source has them
 */
public record CopyPlan(RepositoryName from, RepositoryName to, String digest, List<String> tags, List<String> signatureTags) {

    /** The plan for {@code p} through {@code gate}; empty when the gate has no target (the image stays where it is). */
    public static Optional<CopyPlan> of(ImagePromotion gate, Promotion p) {
        return gate.target().map(t -> new CopyPlan(RepositoryName.parse(p.image()), RepositoryName.parse(t.image()), p.digest(),
                targetTags(t, p), gate.copySignatures() ? signatureTags(p.digest()) : List.of()));
    }

    /** The reference announced once the copy is done: the target's first tag, pinned to the digest. */
    public String targetRef() {
        return ImageRef.of(to.canonical(), tags.get(0), digest).toString();
    }

    /** Target tags from the templates: {@code {{tag}} {{digest}} {{digest.short}} {{policy}}}. */
    static List<String> targetTags(ImagePromotion.Target target, Promotion p) {
        String hex = p.digest().substring(p.digest().indexOf(':') + 1);
        String policyName = ResourceId.parse(p.policy()).name();
        return target.tags().stream().map(tpl -> tpl.replaceAll("\\{\\{\\s*tag\\s*}}", p.tag())
                .replaceAll("\\{\\{\\s*digest\\.short\\s*}}", hex.substring(0, 12))
                .replaceAll("\\{\\{\\s*digest\\s*}}", hex)
                .replaceAll("\\{\\{\\s*policy\\s*}}", policyName)).toList();
    }

    /** cosign's tag convention for the signature, attestation and SBOM of a digest. */
    static List<String> signatureTags(String digest) {
        String base = digest.replace(':', '-');
        return List.of(base + ".sig", base + ".att", base + ".sbom");
    }
}
