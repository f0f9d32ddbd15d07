package io.tagstream.evaluator.core;

import io.tagstream.common.policy.SemverTag;
import io.tagstream.common.policy.SemverRange;
import com.github.zafarkhaja.semver.Version;
import java.util.List;
import java.util.Optional;

/** The highest version within the range; the tag is returned as written ({@code v1.2.3} stays {@code v1.2.3}). */
public record SemverPolicy(SemverRange range, boolean coerce) implements TagPolicy {

    @Override
    public Optional<Candidate> choose(List<Candidate> candidates, Skips skips) {
        Candidate best = null;
        Version bestVersion = null;
        for (Candidate c : candidates) {
            Optional<Version> parsed = SemverTag.parse(c.value(), coerce);
            if (parsed.isEmpty()) {
                skips.add(c.tag(), () -> "'" + c.value() + "' is not a semantic version (MAJOR.MINOR.PATCH"
                        + (coerce ? ", or a number N or N.M with coerce" : "; semver.coerce reads N and N.M") + ")");
                continue;
            }
            Version v = parsed.get();
            if (!range.test(v)) {
                skips.add(c.tag(), () -> range.excludesPrerelease(v)
                        ? "prerelease " + c.value() + " excluded: range '" + range + "' names no prerelease"
                        : c.value() + " is outside range '" + range + "'");
                continue;
            }
            int cmp = bestVersion == null ? 1 : SemverTag.compare(v, bestVersion);
            if (cmp > 0 || cmp == 0 && c.winsTieOver(best)) {
                best = c;
                bestVersion = v;
            }
        }
        return Optional.ofNullable(best);
    }
}
