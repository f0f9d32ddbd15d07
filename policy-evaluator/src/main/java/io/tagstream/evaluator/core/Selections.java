package io.tagstream.evaluator.core;

import io.tagstream.common.config.ImageMirror;
import io.tagstream.common.policy.InvalidPolicyException;
import io.tagstream.common.config.ImagePolicy;
import io.tagstream.common.config.ImageRepository;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.common.events.ScanBatch;
import io.tagstream.common.events.TagDiscovered;
import io.tagstream.common.events.TagRemoved;
import io.tagstream.common.registry.RepositoryName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The evaluator's state and rules: the known tags of each ImageRepository, the selection last announced for each
 * policy, and what to announce when either the tags or the policies change. Every change it makes is returned as an
 * {@link Effect} for the adapters to store (changelog), publish and audit; restoring the stored changes rebuilds the
 * same state after a restart, so a selection already announced is never announced again.
 *
 * <p>Facts are kept by what they were derived from. Tags are stored per ImageRepository and per image (canonical
 * repository) they were read from, and a policy is evaluated only on the tags of the image its ImageRepository names
 * now: after {@code spec.image} moves, the old image's tags are dropped at the next reload and the selection is made
 * again from the new image's tags (and names the new image, even where tags and digests are equal). A policy or
 * repository removed from the configuration has its stored facts dropped.
 */
public final class Selections {

    /** Something the adapters must carry out. */
    public sealed interface Effect permits TagStored, TagDropped, ScanOpened, ScanClosed, Matched, Unselected, PolicyFailed,
            PolicyForgotten {}

    /** Remember a tag of an image, with its order times (changelog). */
    public record TagStored(String imageRepository, String repository, String tag, TagFacts facts) implements Effect {

        public String digest() {
            return facts.digest();
        }
    }

    /** Forget a tag of an image (changelog tombstone). */
    public record TagDropped(String imageRepository, String repository, String tag) implements Effect {}

    /**
     * The first events of a scan's batch arrived: until its last one, the policies of this image are not evaluated,
     * since what is known is only part of a listing (changelog, so a restart mid-batch waits too).
     */
    public record ScanOpened(String imageRepository, String repository, String scan) implements Effect {}

    /** The batch is complete: the image's policies decide again (changelog tombstone). */
    public record ScanClosed(String imageRepository, String repository) implements Effect {}

    /** A policy removed from the configuration: forget its announced selection (changelog tombstone). */
    public record PolicyForgotten(String policy, Selection was) implements Effect {}

    /** Announce a new selection, then remember it (changelog). */
    public record Matched(PolicyMatched event) implements Effect {}

    /** A policy that selected something selects nothing now; say so, do not keep advertising the old one. */
    public record Unselected(String policy, Selection was, String reason) implements Effect {}

    /** A policy that cannot run, or that finds nothing to select. */
    public record PolicyFailed(String policy, String reason) implements Effect {}

    /** imageRepository → image it was read from → tag → digest and order times. */
    private final Map<String, Map<String, Map<String, TagFacts>>> tags = new ConcurrentHashMap<>();
    private final Map<String, Selection> announced = new ConcurrentHashMap<>();
    /** imageRepository|image → the scan whose batch is being read. */
    private final Map<String, String> openScans = new ConcurrentHashMap<>();
    private final Map<String, PolicyStatus> status = new ConcurrentHashMap<>();
    /**
     * imageRepository|image|tag|digest → who pushed it, from tag events that said (a webhook's notification), until the
     * decision they lead to is made. Only a hint for forbidSelfApproval: not stored, so a restart in between forgets it.
     */
    private final Map<String, String> pushers = new ConcurrentHashMap<>();
    static final int MAX_PUSHERS = 10_000;

    /** A new budget for each evaluation; the service gives each configured policy 10 s of its clock. */
    private volatile Supplier<Budget> budgets = () -> Budget.UNLIMITED;

    /** Every later evaluation gets a budget from here. */
    public void budgets(Supplier<Budget> budgets) {
        this.budgets = budgets;
    }

    // --- restore from the changelog ---

    public void restoreTag(String imageRepository, String repository, String tag, TagFacts facts) {
        bucket(imageRepository, repository).put(tag, facts);
    }

    public void restoreTagRemoved(String imageRepository, String repository, String tag) {
        Map<String, TagFacts> t = tags.getOrDefault(imageRepository, Map.of()).get(repository);
        if (t != null) {
            t.remove(tag);
        }
    }

    private Map<String, TagFacts> bucket(String imageRepository, String repository) {
        return tags.computeIfAbsent(imageRepository, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(repository, k -> new ConcurrentHashMap<>());
    }

    public void restoreScanOpen(String imageRepository, String repository, String scan) {
        openScans.put(scanKey(imageRepository, repository), scan);
    }

    public void restoreScanClosed(String imageRepository, String repository) {
        openScans.remove(scanKey(imageRepository, repository));
    }

    private static String scanKey(String imageRepository, String repository) {
        return imageRepository + "|" + repository;
    }

    public void restoreSelection(String policy, Selection s) {
        announced.put(policy, s);
    }

    public void restoreSelectionCleared(String policy) {
        announced.remove(policy);
    }

    // --- changes ---

    /** A tag of a mirror's source (the poller lists it under the mirror's name): the promoter's, no policy reads it. */
    private static boolean ofMirror(String imageRepository, TagstreamConfig config) {
        return config.find(ImageMirror.class, ResourceId.parse(imageRepository)).isPresent();
    }

    /**
     * A tag of an image: stored under the image it was read from, and evaluated when that is the image its
     * ImageRepository names now. A tag of another image is kept, not used: the poller may have read a newer
     * configuration than this service, which then names that image at its next reload. A tag that is part of a scan's
     * batch is only stored until the batch's last event: policies decide on a whole listing, as Flux does.
     */
    public List<Effect> discovered(TagDiscovered e, TagstreamConfig config, Instant now) {
        if (ofMirror(e.imageRepository(), config)) {
            return List.of();
        }
        Map<String, TagFacts> known = bucket(e.imageRepository(), e.repository());
        List<Effect> out = new ArrayList<>();
        TagFacts facts = new TagFacts(e.digest(), e.pushedAt(), e.builtAt());
        TagFacts before = known.get(e.tag());
        // an event repeating a known tag keeps the times already known, and adds one learnt since
        if (before != null && before.digest().equals(e.digest())) {
            facts = new TagFacts(e.digest(), facts.pushed().or(before::pushed), facts.built().or(before::built));
        }
        boolean changed = !facts.equals(before);
        if (e.pushedBy().isPresent() && pushers.size() < MAX_PUSHERS) {
            pushers.put(scanKey(e.imageRepository(), e.repository()) + "|" + e.tag() + "|" + e.digest(), e.pushedBy().get());
        }
        if (changed) {
            known.put(e.tag(), facts);
            out.add(new TagStored(e.imageRepository(), e.repository(), e.tag(), facts));
        }
        return decide(e.imageRepository(), e.repository(), e.batch(), changed, out, config, now);
    }

    public List<Effect> removed(TagRemoved e, TagstreamConfig config, Instant now) {
        if (ofMirror(e.imageRepository(), config)) {
            return List.of();
        }
        Map<String, TagFacts> known = tags.getOrDefault(e.imageRepository(), Map.of()).get(e.repository());
        List<Effect> out = new ArrayList<>();
        boolean changed = known != null && known.remove(e.tag()) != null;
        if (changed) {
            out.add(new TagDropped(e.imageRepository(), e.repository(), e.tag()));
        }
        return decide(e.imageRepository(), e.repository(), e.batch(), changed, out, config, now);
    }

    /**
     * After a tag event: inside a batch, wait for its end (opening it the first time); at its end, or for an event
     * outside any batch that changed something, evaluate. The end of a batch is evaluated even when its own tag was
     * known already (a batch read again after a crash may repeat tags stored before it).
     */
    private List<Effect> decide(String imageRepository, String repository, Optional<ScanBatch> batch, boolean changed,
            List<Effect> out, TagstreamConfig config, Instant now) {
        String key = scanKey(imageRepository, repository);
        if (batch.isPresent() && !batch.get().last()) {
            if (!batch.get().scan().equals(openScans.put(key, batch.get().scan()))) {
                out.add(new ScanOpened(imageRepository, repository, batch.get().scan()));
            }
            return out;
        }
        if (openScans.remove(key) != null) {
            out.add(new ScanClosed(imageRepository, repository));
        }
        if ((changed || batch.isPresent())
                && configuredImage(imageRepository, config).map(repository::equals).orElse(false)) {
            out.addAll(evaluateRepository(ResourceId.parse(imageRepository), config, now));
        }
        pushers.keySet().removeIf(k -> k.startsWith(key + "|")); // decided: what they led to is announced
        return out;
    }

    /**
     * After a configuration change: the facts no longer derived from the configuration are dropped (tags of an image
     * an ImageRepository no longer names, or of a removed ImageRepository; the selections of removed policies), then
     * every policy is evaluated again.
     */
    public List<Effect> reconfigured(TagstreamConfig config, Instant now) {
        var configured = config.imagePolicies().stream().map(p -> p.id().toString()).toList();
        status.keySet().retainAll(configured);
        List<Effect> out = new ArrayList<>();
        tags.forEach((imageRepository, images) -> {
            Optional<String> image = configuredImage(imageRepository, config);
            images.entrySet().removeIf(bucket -> {
                if (image.map(bucket.getKey()::equals).orElse(false)) {
                    return false;
                }
                bucket.getValue().keySet().stream().sorted()
                        .forEach(t -> out.add(new TagDropped(imageRepository, bucket.getKey(), t)));
                if (openScans.remove(scanKey(imageRepository, bucket.getKey())) != null) {
                    out.add(new ScanClosed(imageRepository, bucket.getKey()));
                }
                return true;
            });
        });
        tags.values().removeIf(Map::isEmpty);
        announced.entrySet().removeIf(a -> {
            if (configured.contains(a.getKey())) {
                return false;
            }
            out.add(new PolicyForgotten(a.getKey(), a.getValue()));
            return true;
        });
        for (ImagePolicy p : config.imagePolicies()) {
            out.addAll(evaluate(p, config, now));
        }
        return out;
    }

    private List<Effect> evaluateRepository(ResourceId repository, TagstreamConfig config, Instant now) {
        List<Effect> out = new ArrayList<>();
        for (ImagePolicy p : config.policiesOf(repository)) {
            out.addAll(evaluate(p, config, now));
        }
        return out;
    }

    private List<Effect> evaluate(ImagePolicy p, TagstreamConfig config, Instant now) {
        String id = p.id().toString();
        String repoId = p.imageRepositoryRef().toString();
        Optional<ImageRepository> repo = config.find(ImageRepository.class, p.imageRepositoryRef());
        Optional<Selection> current = Optional.ofNullable(announced.get(id));
        PolicyStatus before = status.get(id);
        Optional<String> image = repo.flatMap(Selections::canonical);
        // a selection made from an image the repository no longer names is never advertised as in force
        Optional<Selection> previousImage = current.filter(c -> !image.map(c::of).orElse(true));
        Optional<Selection> inForce = current.filter(c -> previousImage.isEmpty());
        Optional<Selection> previous = previousImage.isPresent() ? previousImage
                : before == null ? Optional.empty() : before.previous();
        Optional<Instant> since = before == null ? Optional.empty() : before.since();
        if (p.suspend() || repo.map(ImageRepository::suspend).orElse(false)) {
            status.put(id, new PolicyStatus(id, repoId, image, inForce, previous, since, 0, 0,
                    Optional.of("suspended"), Optional.of(now), true));
            return List.of();
        }
        Optional<String> reading = image.map(i -> openScans.get(scanKey(repoId, i)));
        if (reading.isPresent()) {
            status.put(id, new PolicyStatus(id, repoId, image, inForce, previous, since, 0, 0,
                    Optional.of("reading scan " + reading.get() + " of " + image.get() + ": deciding once it is complete"),
                    Optional.of(now), false));
            return List.of(); // part of a listing is not a listing
        }
        Map<String, TagFacts> known = image.map(i -> tags.getOrDefault(repoId, Map.of()).get(i)).orElse(null);
        Selector selector;
        try {
            selector = Selector.of(p);
        } catch (InvalidPolicyException e) {
            status.put(id, new PolicyStatus(id, repoId, image, Optional.empty(), current, since, 0, 0,
                    Optional.of(e.getMessage()), Optional.of(now), false));
            return newError(before, e.getMessage()) ? List.of(new PolicyFailed(id, e.getMessage())) : List.of();
        }
        if (known == null) {
            status.put(id, new PolicyStatus(id, repoId, image, inForce, previous, since, 0, 0,
                    Optional.of("no tags known yet for ImageRepository " + repoId + image.map(i -> " (" + i + ")").orElse("")),
                    Optional.of(now), false));
            return List.of(); // nothing seen yet is not evidence that the selection went away
        }
        Evaluation ev = selector.evaluate(known.keySet(), Selector.DEFAULT_SKIP_CAP, budgets.get(), timesOf(p, known));
        if (ev.outOfTime()) {
            // an unfinished walk is no evidence against the selection in force: it stays, with the reason beside it
            String reason = ev.error().orElseThrow();
            status.put(id, new PolicyStatus(id, repoId, image, inForce, previous, since, 0, 0, Optional.of(reason),
                    Optional.of(now), false));
            return newError(before, reason) ? List.of(new PolicyFailed(id, reason)) : List.of();
        }
        if (ev.latestTag().isEmpty()) {
            String reason = ev.error().orElse("no tag selected");
            status.put(id, new PolicyStatus(id, repoId, image, Optional.empty(), current.or(() -> previous),
                    since, ev.candidates(), ev.skippedTotal(), Optional.of(reason), Optional.of(now), false, ev.ranked()));
            if (current.isPresent()) {
                announced.remove(id);
                return List.of(new Unselected(id, current.get(), reason));
            }
            return newError(before, reason) ? List.of(new PolicyFailed(id, reason)) : List.of();
        }
        Selection next = new Selection(image.get(), ev.latestTag().get(), known.get(ev.latestTag().get()).digest());
        boolean changed = current.isEmpty()
                || previousImage.isPresent()
                || !current.get().tag().equals(next.tag())
                || !current.get().digest().equals(next.digest())
                        && p.digestReflectionPolicy() == ImagePolicy.DigestReflection.ALWAYS;
        if (!changed) {
            status.put(id, new PolicyStatus(id, repoId, image, inForce, previous, since, ev.candidates(),
                    ev.skippedTotal(), Optional.empty(), Optional.of(now), false, ev.ranked()));
            return List.of();
        }
        announced.put(id, next);
        status.put(id, new PolicyStatus(id, repoId, image, Optional.of(next), current, Optional.of(now),
                ev.candidates(), ev.skippedTotal(), Optional.empty(), Optional.of(now), false, ev.ranked()));
        return List.of(new Matched(new PolicyMatched(id, next.image(), next.tag(), next.digest(),
                current.map(c -> new PolicyMatched.TagRef(c.tag(), c.digest())), now,
                Optional.ofNullable(pushers.get(scanKey(repoId, next.image()) + "|" + next.tag() + "|" + next.digest())))));
    }

    /** A failure is audited when it starts or its reason changes, not on every tag that leaves it unchanged. */
    private static boolean newError(PolicyStatus before, String reason) {
        return before == null || !before.lastError().equals(Optional.of(reason));
    }

    /** The image an ImageRepository names now, as a canonical repository; empty when it is not configured. */
    private static Optional<String> configuredImage(String imageRepository, TagstreamConfig config) {
        return config.find(ImageRepository.class, ResourceId.parse(imageRepository)).flatMap(Selections::canonical);
    }

    private static Optional<String> canonical(ImageRepository repo) {
        return RepositoryName.canonicalOf(repo.image());
    }

    public List<PolicyStatus> status() {
        return status.values().stream().sorted(java.util.Comparator.comparing(PolicyStatus::policy)).toList();
    }

    public Optional<PolicyStatus> status(String policy) {
        return Optional.ofNullable(status.get(policy));
    }

    /** The times a policy orders these tags by: none unless it is a {@code newest} policy. */
    public static OrderTimes timesOf(ImagePolicy p, Map<String, TagFacts> known) {
        if (!(p.policy() instanceof ImagePolicy.Newest n)) {
            return OrderTimes.NONE;
        }
        return tag -> Optional.ofNullable(known.get(tag)).flatMap(f -> f.time(n.by()));
    }

    /** The tags currently known for an ImageRepository, with their digests and order times, for dry runs. */
    public Map<String, TagFacts> tagsOf(String imageRepository, TagstreamConfig config) {
        return configuredImage(imageRepository, config)
                .map(i -> Map.copyOf(tags.getOrDefault(imageRepository, Map.of()).getOrDefault(i, Map.of())))
                .orElse(Map.of());
    }

    public int knownTags() {
        return tags.values().stream().flatMap(i -> i.values().stream()).mapToInt(Map::size).sum();
    }
}
