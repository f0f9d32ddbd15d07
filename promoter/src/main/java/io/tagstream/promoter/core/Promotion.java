package io.tagstream.promoter.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One candidate image for one ImagePromotion, from the match that proposed it to its end.
 *
 * @param source {@code repository:tag@digest} as the policy selected it
 * @param approvals the distinct identities that approved so far ({@code user:alice}, {@code token:bot}; records stored
 *     before identities were kept hold bare user names); manual mode needs {@code requiredApprovals} of them, plus every
 *     required signal
 * @param target where the image was copied ({@code repository:tag@digest}), once it is there
 * @param history every step, oldest first; each change appends one, so a longer history is a later version
 * @param pushedBy who pushed the image, when the registry's notification said (what {@code forbidSelfApproval} checks)
 */
public record Promotion(
        String id,
        String promotion,
        String policy,
        String source,
        String image,
        String tag,
        String digest,
        State state,
        Instant createdAt,
        Optional<Instant> deadline,
        Set<String> signals,
        List<String> approvals,
        Optional<String> decidedBy,
        Optional<Instant> decidedAt,
        Optional<String> target,
        Optional<String> reason,
        String correlationId,
        List<Step> history,
        Optional<String> pushedBy) {

    public enum State {
        PENDING, APPROVED, REJECTED, FAILED, EXPIRED, SUPERSEDED
    }

    /** What a step of a promotion's history was. */
    public enum Kind {
        /** a selection opened the promotion */
        OPENED,
        /** a person approved (with manual mode, one is needed) */
        APPROVAL,
        /** a required signal arrived for the digest */
        SIGNAL,
        /** the gate let it through */
        APPROVED,
        REJECTED,
        SUPERSEDED,
        EXPIRED,
        /** the image is at its target */
        AVAILABLE,
        /** carrying it out failed */
        FAILED,
        /** the gate's target moved: to be copied and announced again */
        RETARGETED
    }

    /** One step of a promotion's history: when, what, and the sentence an operator reads. */
    public record Step(Instant at, Kind kind, String note) {

        @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
        public Step {}

        /**
         * A step stored before steps were typed, as {@code "<instant> <note>"}; its kind is read from the words the
         * promoter wrote then. Only records already in the state topic take this path.
         */
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public static Step legacy(String line) {
            int space = line.indexOf(' ');
            Instant at;
            try {
                at = Instant.parse(space < 0 ? line : line.substring(0, space));
            } catch (DateTimeParseException e) {
                at = Instant.EPOCH;
                space = -1;
            }
            String note = space < 0 ? line : line.substring(space + 1);
            Kind kind = note.startsWith("opened") ? Kind.OPENED
                    : note.startsWith("approved by user:") ? Kind.APPROVAL
                    : note.startsWith("signal ") ? Kind.SIGNAL
                    : note.startsWith("approved") ? Kind.APPROVED
                    : note.startsWith("rejected") ? Kind.REJECTED
                    : note.startsWith("superseded") ? Kind.SUPERSEDED
                    : note.startsWith("expired") ? Kind.EXPIRED
                    : note.startsWith("available at") ? Kind.AVAILABLE
                    : note.startsWith("failed") ? Kind.FAILED
                    : Kind.RETARGETED;
            return new Step(at, kind, note);
        }
    }

    /** The newest step. */
    public Step last() {
        return history.get(history.size() - 1);
    }

    public Promotion {
        deadline = deadline == null ? Optional.empty() : deadline;
        decidedBy = decidedBy == null ? Optional.empty() : decidedBy;
        decidedAt = decidedAt == null ? Optional.empty() : decidedAt;
        target = target == null ? Optional.empty() : target;
        reason = reason == null ? Optional.empty() : reason;
        signals = signals == null ? Set.of() : Set.copyOf(signals);
        approvals = approvals == null ? List.of() : List.copyOf(approvals);
        history = history == null ? List.of() : List.copyOf(history);
        pushedBy = pushedBy == null ? Optional.empty() : pushedBy;
    }

    Promotion with(State s, Optional<String> by, Instant at, Optional<String> why, Kind kind, String note) {
        return new Promotion(id, promotion, policy, source, image, tag, digest, s, createdAt, deadline, signals, approvals,
                by.or(() -> decidedBy), Optional.of(at), target, why.or(() -> reason), correlationId, append(at, kind, note), pushedBy);
    }

    Promotion withSignal(String signal, Instant at, String by) {
        Set<String> s = new TreeSet<>(signals);
        s.add(signal);
        return new Promotion(id, promotion, policy, source, image, tag, digest, state, createdAt, deadline, s, approvals,
                decidedBy, decidedAt, target, reason, correlationId, append(at, Kind.SIGNAL, "signal " + signal + " from " + by), pushedBy);
    }

    Promotion withApproval(String identity, Instant at, String comment) {
        List<String> a = new ArrayList<>(approvals);
        a.add(identity);
        return new Promotion(id, promotion, policy, source, image, tag, digest, state, createdAt, deadline, signals, a,
                decidedBy, decidedAt, target, reason, correlationId,
                append(at, Kind.APPROVAL, "approved by " + identity + (comment.isBlank() ? "" : " (" + comment + ")")), pushedBy);
    }

    Promotion withTarget(String ref, Instant at) {
        return new Promotion(id, promotion, policy, source, image, tag, digest, state, createdAt, deadline, signals, approvals,
                decidedBy, decidedAt, Optional.of(ref), reason, correlationId, append(at, Kind.AVAILABLE, "available at " + ref), pushedBy);
    }

    /** The target moved in the configuration: the image is to be copied and announced again. */
    Promotion withoutTarget(Instant at, String note) {
        return new Promotion(id, promotion, policy, source, image, tag, digest, state, createdAt, deadline, signals, approvals,
                decidedBy, decidedAt, Optional.empty(), reason, correlationId, append(at, Kind.RETARGETED, note), pushedBy);
    }

    private List<Step> append(Instant at, Kind kind, String note) {
        List<Step> h = new ArrayList<>(history);
        h.add(new Step(at, kind, note));
        return h;
    }
}
