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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The promotions waiting at their gates and what happened to the others. A newer match for the same ImagePromotion
 * supersedes the one still waiting; an expired deadline ends it; a promotion is approved when its mode allows
 * (auto, or a person approved) and every required signal arrived for its digest. Every change is returned as
 * {@link Effect}s for the adapters to store, audit and, for an approval, carry out.
 */
public final class Gates {

    /** What kind of refusal a reason is; the adapter picks the answer (404, 409, 400). */
    public enum Kind {
        /** the request names something that does not exist */
        UNKNOWN,
        /** what it names is not in a state that allows it */
        CONFLICT,
        /** the request itself is not acceptable (a field too long) */
        INVALID,
        /** the caller is not one who may take this decision */
        FORBIDDEN
    }

    /** Why a decision was refused. */
    public enum Reason {
        NO_SUCH_PROMOTION(Kind.UNKNOWN), NOTHING_PENDING_FOR_DIGEST(Kind.UNKNOWN), NOT_PENDING(Kind.CONFLICT),
        ALREADY_APPROVED_BY_USER(Kind.CONFLICT), GATE_REMOVED(Kind.CONFLICT), NOT_WAITING_FOR_SIGNAL(Kind.CONFLICT),
        TOO_MANY_APPROVALS(Kind.CONFLICT), FIELD_TOO_LONG(Kind.INVALID), NOT_AN_APPROVER(Kind.FORBIDDEN),
        SELF_APPROVAL(Kind.FORBIDDEN);

        private final Kind kind;

        Reason(Kind kind) {
            this.kind = kind;
        }

        public Kind kind() {
            return kind;
        }
    }

    /**
     * Bounds on what a decision may carry, so that no promotion (history included) and no reply can outgrow what Kafka
     * stores in one record (1 MiB by default): at most {@value #MAX_APPROVALS} approvals of
     * {@value #MAX_BY} + {@value #MAX_COMMENT} characters each stay well below it.
     */
    public static final int MAX_BY = 256;
    public static final int MAX_COMMENT = 4096;
    public static final int MAX_SIGNAL = 253;
    public static final int MAX_APPROVALS = 50;

    /** Why a decision's fields are not acceptable, naming the field and its limit; empty when they are. */
    public static Optional<String> checkFields(String by, String comment, String signal) {
        if (by != null && by.length() > MAX_BY) {
            return Optional.of("by is " + by.length() + " characters; at most " + MAX_BY);
        }
        if (comment != null && comment.length() > MAX_COMMENT) {
            return Optional.of("comment is " + comment.length() + " characters; at most " + MAX_COMMENT);
        }
        if (signal != null && signal.length() > MAX_SIGNAL) {
            return Optional.of("signal is " + signal.length() + " characters; at most " + MAX_SIGNAL);
        }
        return Optional.empty();
    }

    private static void bounded(String by, String comment, String signal) throws Refused {
        Optional<String> problem = checkFields(by, comment, signal);
        if (problem.isPresent()) {
            throw new Refused(Reason.FIELD_TOO_LONG, problem.get());
        }
    }

    /**
     * Who takes a decision, as authenticated: {@code user:alice} with her groups, {@code token:release-bot}. A bare name
     * (a request stored before identities were recorded) is a user.
     */
    public record Caller(String id, Set<String> groups) {
        public Caller {
            id = id.contains(":") ? id : "user:" + id;
            groups = groups == null ? Set.of() : Set.copyOf(groups);
        }

        public static Caller of(String id) {
            return new Caller(id, Set.of());
        }

        /**
         * Whether this caller is the one a registry named as pusher: the same name ignoring case, and ignoring an
         * {@code @domain} on either side ({@code user:Alice} pushed as {@code alice@example.com}). When in doubt it says
         * yes: a false match refuses an approval someone else can give, a false miss lets a person approve their own push.
         */
        boolean pushed(String pusher) {
            String name = id.substring(id.indexOf(':') + 1);
            return person(name).equals(person(pusher));
        }

        private static String person(String name) {
            String n = name.strip().toLowerCase(java.util.Locale.ROOT);
            int at = n.indexOf('@');
            return at > 0 ? n.substring(0, at) : n;
        }

        /** Whether an ImagePromotion's approver list lets this caller decide. */
        boolean mayDecide(ImagePromotion.Approvers approvers) {
            if (approvers.anyone()) {
                return true;
            }
            String name = id.startsWith("user:") ? id.substring(5) : id;
            return approvers.users().contains(name) || approvers.users().contains(id)
                    || approvers.groups().stream().anyMatch(groups::contains);
        }
    }

    /** A decision that cannot be applied, with its reason and the sentence saying why. */
    public static final class Refused extends Exception {
        private final Reason reason;

        public Refused(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    /** What the adapters carry out, in order. */
    public sealed interface Effect permits Changed, CarryOut {}

    /**
     * Store this version of a promotion and audit it.
     *
     * @param waitingFor what a pending promotion still needs ("a person's approval", "signal qe-passed")
     */
    public record Changed(Promotion promotion, List<String> waitingFor) implements Effect {}

    /** Bring an approved promotion to its target (see {@link CopyPlan}) and announce it there; then {@link #carried}. */
    public record CarryOut(Promotion promotion) implements Effect {}

    /** The promotions the effects change, in order. */
    public static List<Promotion> promotions(List<Effect> effects) {
        return effects.stream().flatMap(e -> e instanceof Changed c ? java.util.stream.Stream.of(c.promotion())
                : java.util.stream.Stream.empty()).toList();
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
    public static String id(ResourceId promotion, String tag, String digest) {
        String hex = digest.contains(":") ? digest.substring(digest.indexOf(':') + 1) : digest;
        return promotion.namespace() + "." + promotion.name() + "." + tag + "." + hex.substring(0, Math.min(12, hex.length()));
    }

    /** Opens a promotion for each ImagePromotion that gates the policy; returns every promotion that changed. */
    public List<Effect> matched(PolicyMatched m, List<ImagePromotion> gates, String correlationId, Instant now) {
        List<Effect> changed = new ArrayList<>();
        for (ImagePromotion gate : gates) {
            String id = id(gate.id(), m.tag(), m.digest());
            if (all.containsKey(id)) {
                continue; // redelivery
            }
            for (Promotion older : list(Optional.of(State.PENDING))) {
                if (older.promotion().equals(gate.id().toString())) {
                    Promotion s = older.with(State.SUPERSEDED, Optional.empty(), now,
                            Optional.of("superseded by " + m.tag() + "@" + m.digest()), Promotion.Kind.SUPERSEDED, "superseded by " + id);
                    all.put(s.id(), s);
                    changed.addAll(effects(s, Optional.of(gate)));
                }
            }
            Promotion p = new Promotion(id, gate.id().toString(), m.policy(), ImageRef.of(m.image(), m.tag(), m.digest()).toString(),
                    m.image(), m.tag(), m.digest(), State.PENDING, now, gate.approval().deadline().map(now::plus), null, null,
                    null, null, null, null, correlationId,
                    List.of(new Promotion.Step(now, Promotion.Kind.OPENED, "opened by the selection of " + m.tag()
                            + m.pushedBy().map(u -> ", pushed by " + u).orElse(""))), m.pushedBy());
            p = ready(p, gate, now, "auto");
            all.put(id, p);
            changed.addAll(effects(p, Optional.of(gate)));
        }
        return changed;
    }

    public List<Effect> approve(String id, Caller caller, String comment, TagstreamConfig config, Instant now) throws Refused {
        bounded(caller.id(), comment, null);
        Promotion p = pending(id);
        ImagePromotion gate = gate(p, config);
        mayDecide(p, gate, caller, "approve");
        if (p.approvals().stream().anyMatch(a -> Caller.of(a).id().equals(caller.id()))) {
            throw new Refused(Reason.ALREADY_APPROVED_BY_USER, "promotion " + id + " was already approved by " + caller.id()
                    + (gate.approval().requiredApprovals() > 1 ? "; it needs " + gate.approval().requiredApprovals()
                    + " distinct approvers" : ""));
        }
        boolean forbidSelf = gate.approval().forbidSelfApproval();
        if (forbidSelf && p.pushedBy().isPresent() && caller.pushed(p.pushedBy().get())) {
            throw new Refused(Reason.SELF_APPROVAL, caller.id() + " may not approve promotion " + id + ": the registry named "
                    + p.pushedBy().get() + " as who pushed " + p.tag() + ", and ImagePromotion " + gate.id()
                    + " forbids approving one's own push (rule: forbidSelfApproval)");
        }
        if (forbidSelf && p.pushedBy().isEmpty()) {
            String unchecked = "self-approval not checked: the registry did not say who pushed " + p.tag();
            comment = comment.isBlank() ? unchecked : comment + "; " + unchecked;
        }
        if (p.approvals().size() >= MAX_APPROVALS) {
            throw new Refused(Reason.TOO_MANY_APPROVALS, "promotion " + id + " has " + MAX_APPROVALS
                    + " approvals already and still waits for its signals");
        }
        Promotion next = ready(p.withApproval(caller.id(), now, comment), gate, now, caller.id());
        all.put(id, next);
        return effects(next, Optional.of(gate));
    }

    public List<Effect> reject(String id, Caller caller, String comment, TagstreamConfig config, Instant now) throws Refused {
        bounded(caller.id(), comment, null);
        Promotion p = pending(id);
        Optional<ImagePromotion> gate = config.find(ImagePromotion.class, ResourceId.parse(p.promotion()));
        if (gate.isPresent()) {
            mayDecide(p, gate.get(), caller, "reject");
        }
        Promotion next = p.with(State.REJECTED, Optional.of(caller.id()), now, Optional.of(comment.isBlank() ? "rejected" : comment),
                Promotion.Kind.REJECTED, "rejected by " + caller.id() + (comment.isBlank() ? "" : " (" + comment + ")"));
        all.put(id, next);
        return effects(next, Optional.empty());
    }

    private static void mayDecide(Promotion p, ImagePromotion gate, Caller caller, String what) throws Refused {
        ImagePromotion.Approvers a = gate.approval().approvers();
        if (!caller.mayDecide(a)) {
            List<String> who = new ArrayList<>();
            if (!a.users().isEmpty()) {
                who.add("users " + String.join(", ", a.users()));
            }
            if (!a.groups().isEmpty()) {
                who.add("groups " + String.join(", ", a.groups()));
            }
            throw new Refused(Reason.NOT_AN_APPROVER, caller.id() + " may not " + what + " promotion " + p.id()
                    + ": ImagePromotion " + gate.id() + " is decided only by " + String.join(" or ", who) + " (rule: approvers)");
        }
    }

    /** A signal for a digest; every pending promotion of that digest that requires it takes it. */
    public List<Effect> signal(String signal, String digest, Caller caller, TagstreamConfig config, Instant now) throws Refused {
        String by = caller.id();
        bounded(by, null, signal);
        List<Promotion> hit = list(Optional.of(State.PENDING)).stream().filter(p -> p.digest().equals(digest)).toList();
        if (hit.isEmpty()) {
            throw new Refused(Reason.NOTHING_PENDING_FOR_DIGEST, "no pending promotion for digest " + digest);
        }
        List<Effect> changed = new ArrayList<>();
        for (Promotion p : hit) {
            ImagePromotion gate = gate(p, config);
            if (!gate.approval().signals().contains(signal) || p.signals().contains(signal)) {
                continue;
            }
            Promotion next = ready(p.withSignal(signal, now, by), gate, now, "signal:" + signal);
            all.put(next.id(), next);
            changed.addAll(effects(next, Optional.of(gate)));
        }
        if (changed.isEmpty()) {
            throw new Refused(Reason.NOT_WAITING_FOR_SIGNAL, "no pending promotion of " + digest + " is waiting for signal '" + signal + "'");
        }
        return changed;
    }

    /** Ends the pending promotions whose deadline has passed. */
    public List<Effect> expire(Instant now) {
        List<Effect> out = new ArrayList<>();
        for (Promotion p : list(Optional.of(State.PENDING))) {
            if (p.deadline().isPresent() && !now.isBefore(p.deadline().get())) {
                Promotion e = p.with(State.EXPIRED, Optional.empty(), now, Optional.of("deadline " + p.deadline().get() + " passed"),
                        Promotion.Kind.EXPIRED, "expired");
                all.put(e.id(), e);
                out.addAll(effects(e, Optional.empty()));
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
    public List<Effect> reconfigured(TagstreamConfig config, Instant now) {
        List<Effect> changed = new ArrayList<>();
        for (Promotion p : list(Optional.of(State.PENDING))) {
            Optional<ImagePromotion> gate = config.find(ImagePromotion.class, ResourceId.parse(p.promotion()));
            Optional<String> why = gate.isEmpty() ? Optional.of("ImagePromotion " + p.promotion() + " is no longer configured")
                    : gate.get().sourcePolicyRef().toString().equals(p.policy()) ? Optional.empty()
                    : Optional.of("ImagePromotion " + p.promotion() + " now promotes policy " + gate.get().sourcePolicyRef());
            why.ifPresent(w -> {
                Promotion s = p.with(State.SUPERSEDED, Optional.empty(), now, Optional.of(w), Promotion.Kind.SUPERSEDED,
                        "superseded: " + w);
                all.put(s.id(), s);
                changed.addAll(effects(s, gate));
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
                changed.addAll(effects(again, Optional.of(gate)));
            }
        }
        return changed;
    }

    /** Records the outcome of carrying out an approval: the copy's target, or why it failed. */
    public Promotion carried(String id, Optional<String> target, Optional<String> failure, Instant now) {
        Promotion p = all.get(id);
        Promotion next = failure.isPresent()
                ? p.with(State.FAILED, Optional.empty(), now, failure, Promotion.Kind.FAILED, "failed: " + failure.get())
                : p.withTarget(target.orElse(p.source()), now);
        all.put(id, next);
        return next;
    }

    private Promotion pending(String id) throws Refused {
        Promotion p = all.get(id);
        if (p == null) {
            throw new Refused(Reason.NO_SUCH_PROMOTION, "no promotion " + id);
        }
        if (p.state() != State.PENDING) {
            throw new Refused(Reason.NOT_PENDING, "promotion " + id + " is " + p.state().name().toLowerCase(java.util.Locale.ROOT)
                    + p.decidedBy().map(b -> " (by " + b + ")").orElse("") + "; only a pending promotion can be decided");
        }
        return p;
    }

    private static ImagePromotion gate(Promotion p, TagstreamConfig config) throws Refused {
        return config.find(ImagePromotion.class, ResourceId.parse(p.promotion())).orElseThrow(() ->
                new Refused(Reason.GATE_REMOVED, "ImagePromotion " + p.promotion() + " is no longer configured"));
    }

    /** Approved when the mode allows and every required signal is in; {@code by} is what completed it. */
    private static Promotion ready(Promotion p, ImagePromotion gate, Instant now, String by) {
        boolean person = gate.approval().mode() == ImagePromotion.Mode.AUTO
                || p.approvals().size() >= gate.approval().requiredApprovals();
        boolean signals = p.signals().containsAll(gate.approval().signals());
        return person && signals ? p.with(State.APPROVED, Optional.of(by), now, Optional.empty(), Promotion.Kind.APPROVED,
                "approved (" + by + ")") : p;
    }

    /** A changed promotion's effects: store and audit it, and carry it out once approved and not at its target yet. */
    private static List<Effect> effects(Promotion p, Optional<ImagePromotion> gate) {
        Changed changed = new Changed(p, p.state() == State.PENDING ? gate.map(g -> waitingFor(g, p)).orElse(List.of()) : List.of());
        return p.state() == State.APPROVED && p.target().isEmpty() ? List.of(changed, new CarryOut(p)) : List.of(changed);
    }

    /** What a pending promotion still needs to be approved. */
    static List<String> waitingFor(ImagePromotion gate, Promotion p) {
        List<String> w = new ArrayList<>();
        int required = gate.approval().requiredApprovals();
        if (gate.approval().mode() == ImagePromotion.Mode.MANUAL && p.approvals().size() < required) {
            w.add(required == 1 ? "a person's approval" : (required - p.approvals().size()) + " more of " + required
                    + " distinct approvals");
        }
        gate.approval().signals().stream().filter(s -> !p.signals().contains(s)).forEach(s -> w.add("signal " + s));
        return w;
    }
}
