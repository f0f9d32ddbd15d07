package io.tagstream.promoter.core;

import io.tagstream.common.config.ImageMirror;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * What one mirror does next, from what the poller saw at the source and what the promoter recorded copying to the
 * destination: the tags the selector picks, for each a step (copy, already there, drifted, waiting for
 * {@code minAge}), their referrers under {@code includeReferrers}, and what {@code prune} deletes — the same list is the
 * dry-run view. Only copies this mirror's engine recorded ({@link Copy#created()}) are ever pruned, never below
 * {@code keepLast} and never a selected tag.
 *
 * @param selected the selected source tags, highest first
 * @param steps one per selected tag (and referrer), in the selection's order
 * @param prune copies to delete now
 */
public record MirrorPlan(List<String> selected, List<Step> steps, List<Delete> prune) {

    /** A source tag as the poller reported it: its digest, and since when it points there. */
    public record SourceTag(String digest, Instant seenAt) {}

    /**
     * A destination tag the engine wrote or found, stored under (destination, tag): the digest, whether the copy
     * finished ({@code done}; false is an intent written before copying, so a copy cut short is made again, never
     * forgotten), and whether the engine created it ({@code created}; a tag that was there already with the same digest
     * is recorded, not owned, and never pruned).
     */
    public record Copy(String mirror, String sourceTag, String digest, boolean done, boolean created, Instant at) {}

    public sealed interface Step {
        String sourceTag();

        String destinationTag();
    }

    /** Copy {@code digest} to the destination tag: new, finishing one cut short, or replacing a drifted one. */
    public record CopyTag(String sourceTag, String destinationTag, String digest, boolean overwrite, boolean referrer) implements Step {}

    /** The destination holds the source's digest under that tag: flux-mirror's {@code skipped} ({@code up-to-date}). */
    public record UpToDate(String sourceTag, String destinationTag, String digest) implements Step {}

    /** The source tag moved and {@code overwrite} is off: the destination is left alone, and this is said. */
    public record Drifted(String sourceTag, String destinationTag, String sourceDigest, String destinationDigest) implements Step {}

    /** Younger than {@code minAge}: copied once it is old enough. */
    public record Waiting(String sourceTag, String destinationTag, Instant until) implements Step {}

    /** A copy prune removes; {@code manifest}: also the manifest it pointed at ({@code untagged}), when no kept copy shares it. */
    public record Delete(String destinationTag, String digest, boolean manifest, String why) {}

    /** What to do with a copy once the destination's own answer is known (a tag there that no record explains). */
    public enum AtDestination { COPY, ALREADY_THERE, DRIFTED, OVERWRITE }

    /**
     * The plan for {@code m} from the source tags the poller reported and the copies recorded at its destination;
     * {@code destinationTag} names the destination tag of a source tag ({@code tagTemplate}, else the same name).
     */
    public static MirrorPlan plan(ImageMirror m, Map<String, SourceTag> source, Map<String, Copy> copies,
            UnaryOperator<String> destinationTag, Instant now) {
        MirrorSelector selector = new MirrorSelector(m.selector());
        List<String> selected = selector.select(source.keySet());
        List<Step> steps = new ArrayList<>();
        Set<String> keptDigests = new HashSet<>();
        for (String tag : selected) {
            SourceTag s = source.get(tag);
            String to = destinationTag.apply(tag);
            Optional<Instant> until = m.minAge().map(a -> s.seenAt().plus(a)).filter(u -> u.isAfter(now));
            Copy there = copies.get(to);
            if (until.isPresent() && there == null) {
                steps.add(new Waiting(tag, to, until.get()));
                continue;
            }
            steps.add(step(tag, to, s.digest(), there, m.overwrite(), false));
            keptDigests.add(s.digest());
            if (m.includeReferrers()) {
                // cosign's tags are copied as they are; the referrers tag schema's index (sha256-<hex>) is merged by the
                // engine with what the referrers API lists, never copied over
                for (String r : referrerTags(s.digest()).subList(1, 4)) {
                    if (source.containsKey(r)) {
                        steps.add(step(r, r, source.get(r).digest(), copies.get(r), m.overwrite(), true));
                    }
                }
            }
        }
        return new MirrorPlan(selected, steps, prune(m, selector, selected, destinationTag, copies, keptDigests, now));
    }

    private static Step step(String tag, String to, String digest, Copy there, boolean overwrite, boolean referrer) {
        if (there == null || !there.done()) {
            return new CopyTag(tag, to, digest, false, referrer);
        }
        if (there.digest().equals(digest)) {
            return new UpToDate(tag, to, digest);
        }
        // a missing referrer is always copied; one that changed follows overwrite, as flux-mirror's
        return overwrite ? new CopyTag(tag, to, digest, true, referrer) : new Drifted(tag, to, digest, there.digest());
    }

    /**
     * A copy with no finished record, against the tag the destination holds now: absent, copy; the same digest,
     * recorded as there (not created); another digest, drifted or overwritten as {@code overwrite} says. A copy
     * cut short by a restart ({@code intent}) holds the digest being copied, so finishing it is a copy.
     */
    public static AtDestination atDestination(CopyTag step, Optional<String> destinationDigest, boolean intent) {
        if (destinationDigest.isEmpty()) {
            return AtDestination.COPY;
        }
        if (destinationDigest.get().equals(step.digest())) {
            return intent ? AtDestination.COPY : AtDestination.ALREADY_THERE;
        }
        return step.overwrite() || intent ? AtDestination.OVERWRITE : AtDestination.DRIFTED;
    }

    /** cosign's signature, attestation and SBOM tags, and the referrers tag schema's index tag, for a digest. */
    public static List<String> referrerTags(String digest) {
        String base = digest.replace(':', '-');
        return List.of(base, base + ".sig", base + ".att", base + ".sbom");
    }

    /**
     * The engine's own copies beyond {@code keepLast}, ranked by the selector (highest first; copies whose source tag the
     * selector no longer accepts rank below, newest copy first), older than {@code olderThan} when set. A selected tag
     * is never deleted; with {@code untagged}, the referrers the engine copied for a deleted digest go too.
     */
    static List<Delete> prune(ImageMirror m, MirrorSelector selector, List<String> selected, UnaryOperator<String> destinationTag,
            Map<String, Copy> copies, Set<String> keptDigests, Instant now) {
        if (m.prune().isEmpty()) {
            return List.of();
        }
        ImageMirror.Prune p = m.prune().get();
        Set<String> keep = new HashSet<>();
        selected.forEach(t -> keep.add(destinationTag.apply(t)));
        Map<String, String> bySource = new java.util.HashMap<>();
        List<Map.Entry<String, Copy>> ours = new ArrayList<>();
        for (Map.Entry<String, Copy> e : copies.entrySet()) {
            Copy c = e.getValue();
            if (c.created() && c.done() && !MirrorSelector.referrerTag(e.getKey())) {
                ours.add(e);
                bySource.put(c.sourceTag(), e.getKey());
            }
        }
        LinkedHashSet<String> order = new LinkedHashSet<>();
        selector.ranked(bySource.keySet()).forEach(t -> order.add(bySource.get(t)));
        ours.stream().sorted(Comparator.comparing((Map.Entry<String, Copy> e) -> e.getValue().at()).reversed())
                .forEach(e -> order.add(e.getKey()));
        int rank = 0;
        List<Delete> out = new ArrayList<>();
        List<Delete> gone = new ArrayList<>();
        for (String tag : order) {
            Copy c = copies.get(tag);
            rank++;
            if (keep.contains(tag) || rank <= p.keepLast()) {
                keptDigests.add(c.digest());
                continue;
            }
            Optional<Duration> age = p.olderThan();
            if (age.isPresent() && c.at().plus(age.get()).isAfter(now)) {
                keptDigests.add(c.digest());
                continue;
            }
            gone.add(new Delete(tag, c.digest(), p.untagged(), "ranks " + rank + " of the " + order.size()
                    + " copies this mirror made (keepLast " + p.keepLast() + ")" + age.map(a -> ", copied more than "
                    + a.toString().substring(2).toLowerCase() + " ago").orElse("")));
        }
        for (Delete d : gone) {
            boolean shared = keptDigests.contains(d.digest());
            out.add(shared ? new Delete(d.destinationTag(), d.digest(), false, d.why()) : d);
            if (p.untagged() && !shared) {
                for (String r : referrerTags(d.digest())) {
                    Copy c = copies.get(r);
                    if (c != null && c.created() && c.done()) {
                        out.add(new Delete(r, c.digest(), true, "a referrer of " + d.destinationTag() + ", which is pruned"));
                    }
                }
            }
        }
        return out;
    }
}
