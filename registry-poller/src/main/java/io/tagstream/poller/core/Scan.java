package io.tagstream.poller.core;

import com.google.re2j.Pattern;
import io.tagstream.common.config.GoRegex;
import io.tagstream.common.config.ImageRepository;
import io.tagstream.common.events.TagDiscovered;
import io.tagstream.common.events.TagDiscovered.DiscoverySource;
import io.tagstream.common.events.TagRemoved;
import io.tagstream.common.registry.RegistryClient;
import io.tagstream.common.registry.OciGrammar;
import io.tagstream.common.registry.RegistryException;
import io.tagstream.common.registry.RepositoryName;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One scan of one ImageRepository, against a {@link TagSource}. Digests are resolved only for tags that are new since
 * the last scan and for the repository's mutable tags, so a rescan with nothing new costs one tag listing and no HEAD
 * requests.
 */
public final class Scan {

    /** What a scan found; {@code state} is the complete known state after it. */
    public record Result(
            List<TagDiscovered> discovered,
            List<TagRemoved> removed,
            Map<String, KnownTag> state,
            int listed,
            int considered,
            boolean capped,
            int resolved,
            List<String> errors,
            List<String> notFound,
            Duration took) {

        public boolean changed() {
            return !discovered.isEmpty() || !removed.isEmpty();
        }
    }

    private Scan() {}

    public static Result full(ImageRepository repo, RepositoryName name, Map<String, KnownTag> known, TagSource client,
            DiscoverySource source, Executor pool, Clock clock) {
        return full(repo, name, known, client, source, pool, clock, false);
    }

    /**
     * A full scan: one listing, then a lookup of each new tag and each mutable tag. With {@code byBuild} (a policy of
     * the repository orders by build time), a new tag is read by GET with its config instead of HEAD, and a known tag
     * whose build time was never read has it read once, by digest, and is announced again with it.
     */
    public static Result full(ImageRepository repo, RepositoryName name, Map<String, KnownTag> known, TagSource client,
            DiscoverySource source, Executor pool, Clock clock, boolean byBuild) {
        long t0 = System.nanoTime();
        Instant now = clock.instant();
        List<String> listed = client.tags(name.path());
        List<String> errors = new ArrayList<>();
        // a registry listing a name that is not a tag (a broken or hostile one) never gets it resolved or announced
        listed.stream().filter(t -> !OciGrammar.isTag(t)).limit(10)
                .forEach(t -> errors.add(OciGrammar.tagProblem(t).orElseThrow() + ": skipped"));
        List<String> kept = considered(repo, listed);
        boolean capped = repo.maxTags().isPresent() && kept.size() > repo.maxTags().get();
        if (capped) {
            kept = kept.subList(kept.size() - repo.maxTags().get(), kept.size());
        }
        Set<String> present = new LinkedHashSet<>(kept);
        Set<String> toResolve = new LinkedHashSet<>();
        for (String t : present) {
            KnownTag k = known.get(t);
            if (k == null || repo.mutableTags().contains(t) || byBuild && k.built().isEmpty()) {
                toResolve.add(t);
            }
        }
        Map<String, KnownTag> next = new HashMap<>(known);
        List<TagDiscovered> discovered = new ArrayList<>();
        Map<String, CompletableFuture<Optional<Found>>> pending = new HashMap<>();
        Map<String, Instant> builds = buildsByDigest(known);
        for (String t : toResolve) {
            KnownTag k = known.get(t);
            boolean mutable = repo.mutableTags().contains(t);
            pending.put(t, CompletableFuture.supplyAsync(() -> k != null && !mutable
                    ? Optional.of(new Found(new RegistryClient.Resolved(k.digest(), k.mediaType(), -1),
                            Optional.of(builtOf(client, name.path(), k.digest(), builds)))) // only its build time was missing
                    : lookup(client, name.path(), t, k, byBuild, builds), pool));
        }
        int resolved = (int) toResolve.stream().filter(t -> !known.containsKey(t) || repo.mutableTags().contains(t)).count();
        for (String t : toResolve) {
            Optional<Found> r;
            try {
                r = pending.get(t).join();
            } catch (java.util.concurrent.CompletionException e) {
                errors.add(t + ": " + (e.getCause() instanceof RegistryException re ? re.getMessage() : String.valueOf(e.getCause())));
                continue; // stays unknown and is tried again next scan
            }
            if (r.isEmpty()) {
                present.remove(t); // deleted between listing and resolving
                continue;
            }
            KnownTag after = after(known.get(t), r.get(), now);
            discover(repo, name, t, after, known.get(t), source, now).ifPresent(discovered::add);
            next.put(t, after);
        }
        List<TagRemoved> removed = new ArrayList<>();
        for (Map.Entry<String, KnownTag> k : known.entrySet()) {
            if (!present.contains(k.getKey()) && !pending.containsKey(k.getKey())) {
                removed.add(new TagRemoved(repo.id().toString(), name.registry(), name.canonical(), k.getKey(),
                        k.getValue().digest(), now));
                next.remove(k.getKey());
            }
        }
        return new Result(discovered, removed, next, listed.size(), kept.size(), capped, resolved, errors, List.of(),
                Duration.ofNanos(System.nanoTime() - t0));
    }

    /** A webhook named one tag: resolve just that one against the registry, which is the truth. */
    public static Result one(ImageRepository repo, RepositoryName name, Map<String, KnownTag> known, TagSource client,
            String tag, DiscoverySource source, Clock clock) {
        return some(repo, name, known, client, List.of(tag), source, Runnable::run, clock);
    }

    /**
     * Webhooks named these tags (a burst of pushes, coalesced): resolve each against the registry, in parallel on
     * {@code pool}; a known tag the registry no longer has is removed, an unknown one is reported as not found.
     */
    public static Result some(ImageRepository repo, RepositoryName name, Map<String, KnownTag> known, TagSource client,
            java.util.Collection<String> tags, DiscoverySource source, Executor pool, Clock clock) {
        return some(repo, name, known, client, tags, source, pool, clock, false);
    }

    /** As {@link #some(ImageRepository, RepositoryName, Map, TagSource, java.util.Collection, DiscoverySource, Executor, Clock)}, reading build times with {@code byBuild}. */
    public static Result some(ImageRepository repo, RepositoryName name, Map<String, KnownTag> known, TagSource client,
            java.util.Collection<String> tags, DiscoverySource source, Executor pool, Clock clock, boolean byBuild) {
        long t0 = System.nanoTime();
        Instant now = clock.instant();
        Map<String, KnownTag> next = new HashMap<>(known);
        List<TagDiscovered> discovered = new ArrayList<>();
        List<TagRemoved> removed = new ArrayList<>();
        List<String> considered = considered(repo, tags);
        Map<String, CompletableFuture<Optional<Found>>> lookups = new java.util.LinkedHashMap<>();
        Map<String, Instant> builds = buildsByDigest(known);
        considered.forEach(tag -> lookups.put(tag, CompletableFuture.supplyAsync(
                () -> lookup(client, name.path(), tag, known.get(tag), byBuild, builds), pool)));
        List<String> errors = new ArrayList<>();
        List<String> notFound = new ArrayList<>();
        lookups.forEach((tag, f) -> {
            Optional<Found> r;
            try {
                r = f.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (lookups.size() == 1 && e.getCause() instanceof RuntimeException re) {
                    throw re; // one tag: its failure is the scan's
                }
                errors.add(tag + ": " + e.getCause().getMessage());
                return;
            }
            if (r.isPresent()) {
                KnownTag after = after(known.get(tag), r.get(), now);
                discover(repo, name, tag, after, known.get(tag), source, now).ifPresent(discovered::add);
                next.put(tag, after);
            } else if (known.containsKey(tag)) {
                removed.add(new TagRemoved(repo.id().toString(), name.registry(), name.canonical(), tag, known.get(tag).digest(), now));
                next.remove(tag);
            } else {
                notFound.add(tag);
            }
        });
        return new Result(discovered, removed, next, tags.size(), considered.size(), false, considered.size(), errors, notFound,
                Duration.ofNanos(System.nanoTime() - t0));
    }

    /** The tags a scan looks at: valid tag names that no pattern of {@code spec.exclusionList} matches, in order. */
    private static List<String> considered(ImageRepository repo, java.util.Collection<String> tags) {
        List<Pattern> exclusions = repo.exclusionList().stream().map(GoRegex::compile).toList();
        return tags.stream().filter(OciGrammar::isTag).filter(t -> exclusions.stream().noneMatch(p -> p.matcher(t).find()))
                .toList();
    }

    /**
     * What a lookup found: where the tag points, its build time when it was read ({@link KnownTag#NO_BUILD_TIME}: none
     * given), and, for a tag not seen before, when the registry says it was pushed.
     */
    private record Found(RegistryClient.Resolved resolved, Optional<Instant> built, Optional<Instant> pushed) {
        Found(RegistryClient.Resolved resolved, Optional<Instant> built) {
            this(resolved, built, Optional.empty());
        }
    }

    private static Optional<Found> lookup(TagSource client, String path, String tag, KnownTag before, boolean byBuild,
            Map<String, Instant> builds) {
        Optional<Found> found = resolveWithBuild(client, path, tag, before, byBuild, builds);
        return before == null ? found.map(f -> new Found(f.resolved(), f.built(), client.pushed(path, tag))) : found;
    }

    private static Optional<Found> resolveWithBuild(TagSource client, String path, String tag, KnownTag before, boolean byBuild,
            Map<String, Instant> builds) {
        if (!byBuild) {
            return client.resolve(path, tag).map(r -> new Found(r, Optional.empty()));
        }
        if (before == null) {
            return client.resolveBuilt(path, tag).map(b -> {
                Instant t = b.built().orElse(KnownTag.NO_BUILD_TIME);
                builds.putIfAbsent(b.resolved().digest(), t);
                return new Found(b.resolved(), Optional.of(t));
            });
        }
        return client.resolve(path, tag).map(r -> new Found(r, Optional.of(
                r.digest().equals(before.digest()) && before.built().isPresent() ? before.built().get()
                        : builtOf(client, path, r.digest(), builds))));
    }

    /** The build time of a digest: as already read for any tag (digests never change), else read now, once. */
    private static Instant builtOf(TagSource client, String path, String digest, Map<String, Instant> builds) {
        Instant known = builds.get(digest);
        if (known != null) {
            return known;
        }
        Instant t = client.built(path, digest).orElse(KnownTag.NO_BUILD_TIME);
        builds.putIfAbsent(digest, t);
        return t;
    }

    private static Map<String, Instant> buildsByDigest(Map<String, KnownTag> known) {
        Map<String, Instant> out = new java.util.concurrent.ConcurrentHashMap<>();
        known.values().forEach(k -> k.built().ifPresent(t -> out.putIfAbsent(k.digest(), t)));
        return out;
    }

    /**
     * The tag after a lookup: a tag new to the poller was pushed when the registry says (never later than now), else
     * now; one moved to another digest was pushed now (the time a re-push makes it newest); one still at its digest
     * keeps the time it was first seen there, and its build time unless one was read.
     */
    private static KnownTag after(KnownTag before, Found f, Instant now) {
        boolean same = before != null && before.digest().equals(f.resolved().digest());
        String mediaType = same && f.resolved().size() < 0 ? before.mediaType() : f.resolved().mediaType();
        Instant pushed = before == null ? f.pushed().filter(t -> t.isBefore(now)).orElse(now) : now;
        return new KnownTag(f.resolved().digest(), mediaType, same ? before.pushed() : Optional.of(pushed),
                f.built().or(() -> same ? before.built() : Optional.empty()));
    }

    /** A tag to announce: new, moved, or with its build time learnt; the event carries both order times. */
    private static Optional<TagDiscovered> discover(ImageRepository repo, RepositoryName name, String tag,
            KnownTag after, KnownTag before, DiscoverySource source, Instant now) {
        boolean moved = before == null || !before.digest().equals(after.digest());
        boolean builtLearnt = before != null && before.built().isEmpty() && after.built().isPresent();
        if (!moved && !builtLearnt) {
            return Optional.empty();
        }
        return Optional.of(new TagDiscovered(repo.id().toString(), name.registry(), name.canonical(), tag, after.digest(),
                after.mediaType(), moved ? Optional.ofNullable(before).map(KnownTag::digest) : Optional.empty(), source, now)
                .times(after.pushed(), after.builtAt()));
    }
}
