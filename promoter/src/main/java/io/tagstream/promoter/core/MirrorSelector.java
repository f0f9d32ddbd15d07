package io.tagstream.promoter.core;

import com.github.zafarkhaja.semver.Version;
import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import io.tagstream.common.config.GoRegex;
import io.tagstream.common.config.ImageMirror;
import io.tagstream.common.policy.InvalidPolicyException;
import io.tagstream.common.policy.SemverRange;
import io.tagstream.common.policy.SemverTag;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * flux-mirror's tag selection, in its order: the {@code regex.pattern} prefilter (Go regexp, found anywhere in the tag)
 * with {@code extract} making the key, the {@code semver} range on the key (a key that is not a version is dropped),
 * the sort on the key ({@code semver}: unparsable keys dropped; {@code alphabetical}; {@code numerical}: keys that are
 * not numbers dropped), highest first, then the first {@code limit} ({@code 0}: all). Cosign's and the referrers tag
 * schema's tags ({@code sha256-<hex>[.sig|.att|.sbom]}) are referrers, never selected.
 */
public final class MirrorSelector {

    private static final java.util.regex.Pattern REFERRER_TAG = java.util.regex.Pattern.compile("sha256-[0-9a-f]{64}(\\.sig|\\.att|\\.sbom)?");

    private final ImageMirror.Selector selector;
    private final Optional<Pattern> pattern;
    private final Optional<SemverRange> range;

    public MirrorSelector(ImageMirror.Selector selector) {
        this.selector = selector;
        this.pattern = selector.pattern().map(GoRegex::compile);
        try {
            this.range = selector.semver().isPresent() ? Optional.of(SemverRange.parse(selector.semver().get())) : Optional.empty();
        } catch (InvalidPolicyException e) {
            throw new IllegalArgumentException(e.getMessage(), e); // the loader refused it already
        }
    }

    /** Whether a tag is a referrer (cosign's or the referrers tag schema's), not an image a selector picks. */
    public static boolean referrerTag(String tag) {
        return REFERRER_TAG.matcher(tag).matches();
    }

    /** The selected tags, highest first, at most {@code limit}. */
    public List<String> select(Collection<String> tags) {
        List<String> ranked = ranked(tags);
        int limit = selector.limit();
        return limit > 0 && ranked.size() > limit ? ranked.subList(0, limit) : ranked;
    }

    /** Every tag the selector accepts, highest first (no limit): the order prune keeps copies in. */
    public List<String> ranked(Collection<String> tags) {
        List<Keyed> keyed = new ArrayList<>();
        for (String tag : tags) {
            if (referrerTag(tag)) {
                continue;
            }
            Optional<String> key = key(tag);
            if (key.isEmpty()) {
                continue;
            }
            Optional<Version> version = SemverTag.parse(key.get(), true);
            if (range.isPresent() && (version.isEmpty() || !range.get().test(version.get()))) {
                continue;
            }
            switch (selector.sortBy()) {
                case SEMVER -> version.ifPresent(v -> keyed.add(new Keyed(tag, key.get(), v, null)));
                case NUMERICAL -> number(key.get()).ifPresent(n -> keyed.add(new Keyed(tag, key.get(), null, n)));
                case ALPHABETICAL -> keyed.add(new Keyed(tag, key.get(), null, null));
            }
        }
        Comparator<Keyed> order = switch (selector.sortBy()) {
            case SEMVER -> (a, b) -> SemverTag.compare(a.version, b.version);
            case NUMERICAL -> Comparator.comparing(k -> k.number);
            case ALPHABETICAL -> Comparator.comparing(k -> k.key);
        };
        // highest first; equal keys (1.0.0 and v1.0.0) by tag, so the order never depends on the listing's
        keyed.sort(order.thenComparing(k -> k.tag).reversed());
        return keyed.stream().map(k -> k.tag).toList();
    }

    private Optional<String> key(String tag) {
        if (pattern.isEmpty()) {
            return Optional.of(tag);
        }
        Matcher m = pattern.get().matcher(tag);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(selector.extract().map(x -> GoRegex.expand(m, x)).orElse(tag));
    }

    private static Optional<BigDecimal> number(String key) {
        try {
            return Optional.of(new BigDecimal(key));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private record Keyed(String tag, String key, Version version, BigDecimal number) {}
}
