package io.tagstream.common.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A continuous mirror of one repository's matching tags into another registry: an entry of flux-mirror's
 * {@code Config} ({@code artifacts[]}, read unchanged), or our kind {@code ImageMirror} ({@code tagstream.io/v1alpha1}),
 * which may take a Config entry by its destination and add what the Config lacks.
 *
 * @param source repository to read from, without scheme ({@code ghcr.io/fluxcd/flux-cli})
 * @param destination repository to write to; a selected tag keeps its name there unless {@code tagTemplate} says
 * @param interval how often the source is listed (webhooks through Receivers come sooner)
 * @param tagTemplate the destination tag, Go template over {@code .Tag} (Tagstream's extension); empty: the same tag
 * @param minAge a tag is mirrored only once it is this old (as the poller first saw it)
 * @param concurrency copies under way at once for this mirror
 * @param config where a Config entry came from ({@code file artifacts[i]}); empty for a standalone ImageMirror
 * @param blocked why it cannot run as configured (a keyless verification with nothing to verify against offline)
 */
public record ImageMirror(
        ResourceId id,
        Map<String, String> labels,
        Origin origin,
        String source,
        String destination,
        Selector selector,
        boolean includeReferrers,
        boolean overwrite,
        Optional<Verify> verify,
        Duration interval,
        Optional<String> tagTemplate,
        Optional<Duration> minAge,
        Optional<Prune> prune,
        int concurrency,
        boolean suspend,
        Optional<String> config,
        Optional<String> blocked)
        implements Resource {

    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(10);
    public static final int DEFAULT_CONCURRENCY = 4;

    /**
     * flux-mirror's tag selection, in its order: the {@code pattern} prefilter (Go regexp) with {@code extract} making
     * the key, the {@code semver} range on the key, the sort, and the first {@code limit} (0: all; default 1).
     */
    public record Selector(Optional<String> pattern, Optional<String> extract, Optional<String> semver, SortBy sortBy,
            int limit) {}

    public enum SortBy { SEMVER, ALPHABETICAL, NUMERICAL }

    /**
     * cosign verification before a tag is copied: with a public key (key-based), or keyless against
     * {@code matchOIDCIdentity}, which needs a trusted root to verify offline.
     */
    public record Verify(String provider, List<OidcIdentity> matchOIDCIdentity, Optional<Duration> minAge,
            Optional<String> publicKeySecretRef, Optional<String> trustedRootSecretRef) {

        public boolean keyless() {
            return publicKeySecretRef.isEmpty();
        }
    }

    /** A keyless signer: the certificate's issuer, and a Go regexp its subject (SAN) must match. */
    public record OidcIdentity(String issuer, String subject) {}

    /**
     * Retention at the destination, over the tags this mirror copied only: keep the newest {@code keepLast}, delete the
     * others once older than {@code olderThan}; {@code untagged} also removes the manifests those tags left behind.
     */
    public record Prune(int keepLast, Optional<Duration> olderThan, boolean untagged) {}

    /**
     * Why a mirror is not run by this version although its verify is well formed (never copied unverified): empty
     * when this version verifies as asked (key-based, without minAge).
     */
    public Optional<String> verifyNotYet() {
        if (verify.isEmpty()) {
            return Optional.empty();
        }
        if (verify.get().keyless()) {
            return Optional.of("verify: keyless cosign verification (matchOIDCIdentity, against a trusted root) is not done by"
                    + " this version of Tagstream; the mirror is not run rather than copying unverified images (verify with"
                    + " publicKeySecretRef, or keep flux-mirror for this entry)");
        }
        if (verify.get().minAge().isPresent()) {
            return Optional.of("verify.minAge counts from the signature's Rekor integrated time, which this version of"
                    + " Tagstream does not verify; the mirror is not run rather than copying too early (remove verify.minAge,"
                    + " or use the mirror's own minAge, counted from when the tag was first seen)");
        }
        return Optional.empty();
    }

    /**
     * The source as the poller scans it: an ImageRepository named like the mirror, listed every {@code interval},
     * with no exclusions (cosign's {@code .sig/.att/.sbom} tags are referrers a mirror may copy; the selection never
     * picks them).
     */
    public ImageRepository scanTarget() {
        return new ImageRepository(id, labels, origin, source, interval, Optional.empty(), Optional.empty(), Optional.empty(),
                "generic", false, List.of(), suspend, Optional.empty(), ImageRepository.DEFAULT_MUTABLE_TAGS);
    }
}
