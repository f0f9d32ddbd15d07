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
            if (!known.containsKey(t) || repo.mutableTags().contains(t)) {
                toResolve.add(t);
            }
        }
        Map<String, KnownTag> next = new HashMap<>(known);
        List<TagDiscovered> discovered = new ArrayList<>();
        Map<String, CompletableFuture<Optional<RegistryClient.Resolved>>> pending = new HashMap<>();
        for (String t : toResolve) {
            pending.put(t, CompletableFuture.supplyAsync(() -> client.resolve(name.path(), t), pool));
        }
        for (String t : toResolve) {
            Optional<RegistryClient.Resolved> r;
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
            discover(repo, name, t, r.get(), known.get(t), source, now).ifPresent(discovered::add);
            next.put(t, new KnownTag(r.get().digest(), r.get().mediaType()));
        }
        List<TagRemoved> removed = new ArrayList<>();
        for (Map.Entry<String, KnownTag> k : known.entrySet()) {
            if (!present.contains(k.getKey()) && !pending.containsKey(k.getKey())) {
                removed.add(new TagRemoved(repo.id().toString(), name.registry(), name.canonical(), k.getKey(),
                        k.getValue().digest(), now));
                next.remove(k.getKey());
            }
        }
        return new Result(discovered, removed, next, listed.size(), kept.size(), capped, toResolve.size(), errors, List.of(),
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
        long t0 = System.nanoTime();
        Instant now = clock.instant();
        Map<String, KnownTag> next = new HashMap<>(known);
        List<TagDiscovered> discovered = new ArrayList<>();
        List<TagRemoved> removed = new ArrayList<>();
        List<String> considered = considered(repo, tags);
        Map<String, java.util.concurrent.CompletableFuture<Optional<RegistryClient.Resolved>>> lookups = new java.util.LinkedHashMap<>();
        considered.forEach(tag -> lookups.put(tag, java.util.concurrent.CompletableFuture.supplyAsync(
                () -> client.resolve(name.path(), tag), pool)));
        List<String> errors = new ArrayList<>();
        List<String> notFound = new ArrayList<>();
        lookups.forEach((tag, f) -> {
            Optional<RegistryClient.Resolved> r;
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
                discover(repo, name, tag, r.get(), known.get(tag), source, now).ifPresent(discovered::add);
                next.put(tag, new KnownTag(r.get().digest(), r.get().mediaType()));
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

    private static Optional<TagDiscovered> discover(ImageRepository repo, RepositoryName name, String tag,
            RegistryClient.Resolved r, KnownTag before, DiscoverySource source, Instant now) {
        if (before != null && before.digest().equals(r.digest())) {
            return Optional.empty();
        }
        return Optional.of(new TagDiscovered(repo.id().toString(), name.registry(), name.canonical(), tag, r.digest(),
                r.mediaType(), Optional.ofNullable(before).map(KnownTag::digest), source, now));
    }
}
