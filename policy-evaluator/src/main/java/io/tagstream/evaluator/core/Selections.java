package io.tagstream.evaluator.core;

import io.tagstream.common.config.ImagePolicy;
import io.tagstream.common.config.ImageRepository;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.common.events.TagDiscovered;
import io.tagstream.common.events.TagRemoved;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The evaluator's state and rules: the known tags of each ImageRepository, the selection last announced for each
 * policy, and what to announce when either the tags or the policies change. Every change it makes is returned as an
 * {@link Effect} for the adapters to store (changelog), publish and audit; restoring the stored changes rebuilds the
 * same state after a restart, so a selection already announced is never announced again.
 */
public final class Selections {

    /** Something the adapters must carry out. */
    public sealed interface Effect permits TagStored, TagDropped, Matched, Unselected, PolicyFailed {}

    /** Remember a tag (changelog). */
    public record TagStored(String imageRepository, String repository, String tag, String digest) implements Effect {}

    /** Forget a tag (changelog tombstone). */
    public record TagDropped(String imageRepository, String tag) implements Effect {}

    /** Announce a new selection, then remember it (changelog). */
    public record Matched(PolicyMatched event) implements Effect {}

    /** A policy that selected something selects nothing now; say so, do not keep advertising the old one. */
    public record Unselected(String policy, Selection was, String reason) implements Effect {}

    /** A policy that cannot run, or that finds nothing to select. */
    public record PolicyFailed(String policy, String reason) implements Effect {}

    private final Map<String, Map<String, String>> tags = new ConcurrentHashMap<>();
    private final Map<String, String> canonical = new ConcurrentHashMap<>();
    private final Map<String, Selection> announced = new ConcurrentHashMap<>();
    private final Map<String, PolicyStatus> status = new ConcurrentHashMap<>();

    // --- restore from the changelog ---

    public void restoreTag(String imageRepository, String repository, String tag, String digest) {
        tags.computeIfAbsent(imageRepository, k -> new ConcurrentHashMap<>()).put(tag, digest);
        canonical.put(imageRepository, repository);
    }

    public void restoreTagRemoved(String imageRepository, String tag) {
        Map<String, String> t = tags.get(imageRepository);
        if (t != null) {
            t.remove(tag);
        }
    }

    public void restoreSelection(String policy, Selection s) {
        announced.put(policy, s);
    }

    public void restoreSelectionCleared(String policy) {
        announced.remove(policy);
    }

    // --- changes ---

    public List<Effect> discovered(TagDiscovered e, TagstreamConfig config, Instant now) {
        Map<String, String> known = tags.computeIfAbsent(e.imageRepository(), k -> new ConcurrentHashMap<>());
        canonical.put(e.imageRepository(), e.repository());
        if (e.digest().equals(known.get(e.tag()))) {
            return List.of(); // a redelivery, or a repeat announcement: nothing changed
        }
        known.put(e.tag(), e.digest());
        List<Effect> out = new ArrayList<>();
        out.add(new TagStored(e.imageRepository(), e.repository(), e.tag(), e.digest()));
        out.addAll(evaluateRepository(ResourceId.parse(e.imageRepository()), config, now));
        return out;
    }

    public List<Effect> removed(TagRemoved e, TagstreamConfig config, Instant now) {
        Map<String, String> known = tags.get(e.imageRepository());
        if (known == null || known.remove(e.tag()) == null) {
            return List.of();
        }
        List<Effect> out = new ArrayList<>();
        out.add(new TagDropped(e.imageRepository(), e.tag()));
        out.addAll(evaluateRepository(ResourceId.parse(e.imageRepository()), config, now));
        return out;
    }

    /** After a configuration change: every policy again, and the status of those no longer configured dropped. */
    public List<Effect> reconfigured(TagstreamConfig config, Instant now) {
        var configured = config.imagePolicies().stream().map(p -> p.id().toString()).toList();
        status.keySet().retainAll(configured);
        List<Effect> out = new ArrayList<>();
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
        Optional<Selection> previous = before == null ? Optional.empty() : before.previous();
        Optional<Instant> since = before == null ? Optional.empty() : before.since();
        if (p.suspend() || repo.map(ImageRepository::suspend).orElse(false)) {
            status.put(id, new PolicyStatus(id, repoId, image(repoId), current, previous, since, 0, 0,
                    Optional.of("suspended"), Optional.of(now), true));
            return List.of();
        }
        Map<String, String> known = tags.get(repoId);
        Selector selector;
        try {
            selector = Selector.of(p);
        } catch (InvalidPolicyException e) {
            status.put(id, new PolicyStatus(id, repoId, image(repoId), Optional.empty(), current, since, 0, 0,
                    Optional.of(e.getMessage()), Optional.of(now), false));
            return newError(before, e.getMessage()) ? List.of(new PolicyFailed(id, e.getMessage())) : List.of();
        }
        if (known == null) {
            status.put(id, new PolicyStatus(id, repoId, image(repoId), current, previous, since, 0, 0,
                    Optional.of("no tags known yet for ImageRepository " + repoId), Optional.of(now), false));
            return List.of(); // nothing seen yet is not evidence that the selection went away
        }
        Evaluation ev = selector.evaluate(known.keySet());
        if (ev.latestTag().isEmpty()) {
            String reason = ev.error().orElse("no tag selected");
            status.put(id, new PolicyStatus(id, repoId, image(repoId), Optional.empty(), current.or(() -> previous),
                    since, ev.candidates(), ev.skippedTotal(), Optional.of(reason), Optional.of(now), false));
            if (current.isPresent()) {
                announced.remove(id);
                return List.of(new Unselected(id, current.get(), reason));
            }
            return newError(before, reason) ? List.of(new PolicyFailed(id, reason)) : List.of();
        }
        Selection next = new Selection(ev.latestTag().get(), known.get(ev.latestTag().get()));
        boolean changed = current.isEmpty()
                || !current.get().tag().equals(next.tag())
                || !current.get().digest().equals(next.digest())
                        && p.digestReflectionPolicy() == ImagePolicy.DigestReflection.ALWAYS;
        if (!changed) {
            status.put(id, new PolicyStatus(id, repoId, image(repoId), current, previous, since, ev.candidates(),
                    ev.skippedTotal(), Optional.empty(), Optional.of(now), false));
            return List.of();
        }
        announced.put(id, next);
        status.put(id, new PolicyStatus(id, repoId, image(repoId), Optional.of(next), current, Optional.of(now),
                ev.candidates(), ev.skippedTotal(), Optional.empty(), Optional.of(now), false));
        return List.of(new Matched(new PolicyMatched(id, image(repoId).orElse(repoId), next.tag(), next.digest(),
                current.map(c -> new PolicyMatched.TagRef(c.tag(), c.digest())), now)));
    }

    /** A failure is audited when it starts or its reason changes, not on every tag that leaves it unchanged. */
    private static boolean newError(PolicyStatus before, String reason) {
        return before == null || !before.lastError().equals(Optional.of(reason));
    }

    private Optional<String> image(String imageRepository) {
        return Optional.ofNullable(canonical.get(imageRepository));
    }

    public List<PolicyStatus> status() {
        return status.values().stream().sorted(java.util.Comparator.comparing(PolicyStatus::policy)).toList();
    }

    public Optional<PolicyStatus> status(String policy) {
        return Optional.ofNullable(status.get(policy));
    }

    /** The tags currently known for an ImageRepository, for dry runs. */
    public Map<String, String> tagsOf(String imageRepository) {
        return Map.copyOf(tags.getOrDefault(imageRepository, Map.of()));
    }

    public int knownTags() {
        return tags.values().stream().mapToInt(Map::size).sum();
    }
}
