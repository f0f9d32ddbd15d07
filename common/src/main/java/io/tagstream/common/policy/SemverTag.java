package io.tagstream.common.policy;

import com.github.zafarkhaja.semver.Version;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reading tags as semantic versions the way Flux does ({@code fluxcd/pkg/version.ParseVersion}): one optional leading
 * {@code v}, then a strict {@code MAJOR.MINOR.PATCH[-pre][+build]}. Anything else ({@code 1.0}, {@code 1.0.0.1},
 * {@code 1.0.0p}, {@code 01.0.0}) is not a candidate. With coercion (our extension) one- and two-part numbers are read
 * as {@code N.0.0} and {@code N.M.0}, so a gate such as {@code >=900.0.0} can select CI build numbers.
 */
public final class SemverTag {

    private static final Pattern SHORT = Pattern.compile("v?(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))?");

    private SemverTag() {}

    public static Optional<Version> parse(String tag) {
        String s = tag.startsWith("v") ? tag.substring(1) : tag;
        if (s.isEmpty() || !Character.isDigit(s.charAt(0))) {
            return Optional.empty(); // cheap rejection of the common non-version tags (latest, main-abc, sha-…)
        }
        try {
            return Version.tryParse(s, true);
        } catch (RuntimeException e) {
            return Optional.empty(); // numbers beyond 64 bits
        }
    }

    public static Optional<Version> parse(String tag, boolean coerce) {
        Optional<Version> strict = parse(tag);
        if (strict.isPresent() || !coerce || !SHORT.matcher(tag).matches()) {
            return strict;
        }
        String s = tag.startsWith("v") ? tag.substring(1) : tag;
        return parse(s.indexOf('.') < 0 ? s + ".0.0" : s + ".0");
    }

    /** Semantic-version precedence: major, minor, patch, then prerelease; build metadata does not count. */
    public static int compare(Version a, Version b) {
        return a.compareToIgnoreBuildMetadata(b);
    }
}
