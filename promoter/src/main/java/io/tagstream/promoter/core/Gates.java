package io.tagstream.promoter.core;

import io.tagstream.common.config.ImagePromotion;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.ImageRef;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.common.registry.RepositoryName;
import io.tagstream.promoter.core.Promotion.State;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The promotions waiting at their gates and what happened to the others. A newer match for the same ImagePromotion
 * supersedes the one still waiting; an expired deadline ends it; a promotion is approved when its mode allows
 * (auto, or a person approved) and every required signal arrived for its digest. Every change is returned for the
 * adapters to store, audit and, for an approval, carry out.
 */
public final class Gates {

    /** A request the API must refuse: unknown (404) or not in a state that allows it (409). */
    public static final class Refused extends Exception {
        private final int status;

        public Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final Map<String, Promotion> all = new ConcurrentHashMap<>();

    /**
     * Takes a promotion as stored. Every change appends to a promotion's history, so a longer history is a later
     * version: a pod following the state topic may read its own earlier writes after later ones, and must keep the later.
     */
    public void restore(Promotion p) {
        all.merge(p.id(), p, (known, stored) -> stored.history().size() >= known.history().size() ? stored : known);
    }

    /** Approved promotions not yet carried out (no target, not failed): a pod that takes over finishes them. */
    public List<Promotion> approvedNotCarriedOut() {
        return list(Optional.of(State.APPROVED)).stream().filter(p -> p.target().isEmpty()).toList();
    }

    public Optional<Promotion> get(String id) {
        return Optional.ofNullable(all.get(id));
    }

    public List<Promotion> list(Optional<State> state) {
        return all.values().stream().filter(p -> state.map(s -> p.state() == s).orElse(true))
                .sorted(Comparator.comparing(Promotion::createdAt).reversed()).toList();
    }

    /** A stable id: the same match delivered again finds the promotion it already made. */
    static String id(ResourceId promotion, String tag, String digest) {
        String hex = digest.contains(":") ? digest.substring(digest.indexOf(':') + 1) : digest;
        return promotion.namespace() + "." + promotion.name() + "." + tag + "." + hex.substring(0, Math.min(12, hex.length()));
    }

    /** Opens a promotion for each ImagePromotion that gates the policy; returns every promotion that changed. */
    public List<Promotion> matched(PolicyMatched m, List<ImagePromotion> gates, String correlationId, Instant now) {
        List<Promotion> changed = new ArrayList<>();
        for (ImagePromotion gate : gates) {
            String id = id(gate.id(), m.tag(), m.digest());
            if (all.containsKey(id)) {
                continue; // redelivery
            }
            for (Promotion older : list(Optional.of(State.PENDING))) {
                if (older.promotion().equals(gate.id().toString())) {
                    Promotion s = older.with(State.SUPERSEDED, Optional.empty(), now,
                            Optional.of("superseded by " + m.tag() + "@" + m.digest()), "superseded by " + id);
                    all.put(s.id(), s);
                    changed.add(s);
                }
            }
            Promotion p = new Promotion(id, gate.id().toString(), m.policy(), ImageRef.of(m.image(), m.tag(), m.digest()).toString(),
                    m.image(), m.tag(), m.digest(), State.PENDING, now, gate.approval().deadline().map(now::plus), null, null,
                    null, null, null, null, correlationId, List.of(now + " opened by the selection of " + m.tag()));
            p = ready(p, gate, now, "auto");
            all.put(id, p);
            changed.add(p);
        }
        return changed;
    }

    public Promotion approve(String id, String user, String comment, TagstreamConfig config, Instant now) throws Refused {
        Promotion p = pending(id);
        if (p.approvals().contains(user)) {
            throw new Refused(409, "promotion " + id + " was already approved by " + user);
        }
        ImagePromotion gate = gate(p, config);
        Promotion next = ready(p.withApproval(user, now, comment), gate, now, "user:" + user);
        all.put(id, next);
        return next;
    }

    public Promotion reject(String id, String user, String comment, Instant now) throws Refused {
        Promotion p = pending(id);
        Promotion next = p.with(State.REJECTED, Optional.of("user:" + user), now, Optional.of(comment.isBlank() ? "rejected" : comment),
                "rejected by user:" + user + (comment.isBlank() ? "" : " (" + comment + ")"));
        all.put(id, next);
        return next;
    }

    /** A signal for a digest; every pending promotion of that digest that requires it takes it. */
    public List<Promotion> signal(String signal, String digest, String by, TagstreamConfig config, Instant now) throws Refused {
        List<Promotion> hit = list(Optional.of(State.PENDING)).stream().filter(p -> p.digest().equals(digest)).toList();
        if (hit.isEmpty()) {
            throw new Refused(404, "no pending promotion for digest " + digest);
        }
        List<Promotion> changed = new ArrayList<>();
        for (Promotion p : hit) {
            ImagePromotion gate = gate(p, config);
            if (!gate.approval().signals().contains(signal) || p.signals().contains(signal)) {
                continue;
            }
            Promotion next = ready(p.withSignal(signal, now, by), gate, now, "signal:" + signal);
            all.put(next.id(), next);
            changed.add(next);
        }
        if (changed.isEmpty()) {
            throw new Refused(409, "no pending promotion of " + digest + " is waiting for signal '" + signal + "'");
        }
        return changed;
    }

    /** Ends the pending promotions whose deadline has passed. */
    public List<Promotion> expire(Instant now) {
        List<Promotion> out = new ArrayList<>();
        for (Promotion p : list(Optional.of(State.PENDING))) {
            if (p.deadline().isPresent() && !now.isBefore(p.deadline().get())) {
                Promotion e = p.with(State.EXPIRED, Optional.empty(), now, Optional.of("deadline " + p.deadline().get() + " passed"),
                        "expired");
                all.put(e.id(), e);
                out.add(e);
            }
        }
        return out;
    }

    /**
     * After a reload, promotions follow what they were derived from. A pending promotion whose ImagePromotion is gone,
     * or now takes another policy as its source, is superseded (it would otherwise wait, or be approved, for an image
     * its gate no longer proposes). The latest carried-out promotion of an ImagePromotion whose target image changed
     * loses its target, so the caller copies it into the new target and announces it again: markers naming the
     * promotion then name the registry configured now. Returns every promotion that changed.
     */
    public List<Promotion> reconfigured(TagstreamConfig config, Instant now) {
        List<Promotion> changed = new ArrayList<>();
        for (Promotion p : list(Optional.of(State.PENDING))) {
            Optional<ImagePromotion> gate = config.find(ImagePromotion.class, ResourceId.parse(p.promotion()));
            Optional<String> why = gate.isEmpty() ? Optional.of("ImagePromotion " + p.promotion() + " is no longer configured")
                    : gate.get().sourcePolicyRef().toString().equals(p.policy()) ? Optional.empty()
                    : Optional.of("ImagePromotion " + p.promotion() + " now promotes policy " + gate.get().sourcePolicyRef());
            why.ifPresent(w -> {
                Promotion s = p.with(State.SUPERSEDED, Optional.empty(), now, Optional.of(w), "superseded: " + w);
                all.put(s.id(), s);
                changed.add(s);
            });
        }
        for (ImagePromotion gate : config.promotions()) {
            Optional<Promotion> latest = list(Optional.of(State.APPROVED)).stream()
                    .filter(p -> p.promotion().equals(gate.id().toString()) && p.target().isPresent())
                    .filter(p -> p.policy().equals(gate.sourcePolicyRef().toString()))
                    .max(Comparator.comparing(p -> p.decidedAt().orElse(p.createdAt())));
            if (latest.isEmpty()) {
                continue;
            }
            String at = ImageRef.parse(latest.get().target().get()).repository();
            String wanted = gate.target().map(t -> RepositoryName.canonicalOf(t.image()).orElse(t.image()))
                    .orElse(latest.get().image());
            if (!at.equals(wanted)) {
                Promotion again = latest.get().withoutTarget(now, "target is now " + wanted + " (was " + at + "): copying again");
                all.put(again.id(), again);
                changed.add(again);
            }
        }
        return changed;
    }

    /** Records the outcome of carrying out an approval: the copy's target, or why it failed. */
    public Promotion carried(String id, Optional<String> target, Optional<String> failure, Instant now) {
        Promotion p = all.get(id);
        Promotion next = failure.isPresent()
                ? p.with(State.FAILED, Optional.empty(), now, failure, "failed: " + failure.get())
                : p.withTarget(target.orElse(p.source()), now, "available at " + target.orElse(p.source()));
        all.put(id, next);
        return next;
    }

    private Promotion pending(String id) throws Refused {
        Promotion p = all.get(id);
        if (p == null) {
            throw new Refused(404, "no promotion " + id);
        }
        if (p.state() != State.PENDING) {
            throw new Refused(409, "promotion " + id + " is " + p.state().name().toLowerCase(java.util.Locale.ROOT)
                    + p.decidedBy().map(b -> " (by " + b + ")").orElse("") + "; only a pending promotion can be decided");
        }
        return p;
    }

    private static ImagePromotion gate(Promotion p, TagstreamConfig config) throws Refused {
        return config.find(ImagePromotion.class, ResourceId.parse(p.promotion())).orElseThrow(() ->
                new Refused(409, "ImagePromotion " + p.promotion() + " is no longer configured"));
    }

    /** Approved when the mode allows and every required signal is in; {@code by} is what completed it. */
    private static Promotion ready(Promotion p, ImagePromotion gate, Instant now, String by) {
        boolean person = gate.approval().mode() == ImagePromotion.Mode.AUTO || !p.approvals().isEmpty();
        boolean signals = p.signals().containsAll(gate.approval().signals());
        return person && signals ? p.with(State.APPROVED, Optional.of(by), now, Optional.empty(), "approved (" + by + ")") : p;
    }

    /** Target tags from the promotion's templates. */
    public static List<String> targetTags(ImagePromotion gate, Promotion p) {
        String hex = p.digest().substring(p.digest().indexOf(':') + 1);
        String policyName = ResourceId.parse(p.policy()).name();
        return gate.target().map(t -> t.tags().stream().map(tpl -> tpl.replaceAll("\\{\\{\\s*tag\\s*}}", p.tag())
                .replaceAll("\\{\\{\\s*digest\\.short\\s*}}", hex.substring(0, 12))
                .replaceAll("\\{\\{\\s*digest\\s*}}", hex)
                .replaceAll("\\{\\{\\s*policy\\s*}}", policyName)).toList()).orElse(List.of());
    }
}
