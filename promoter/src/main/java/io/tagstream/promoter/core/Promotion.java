package io.tagstream.promoter.core;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One candidate image for one ImagePromotion, from the match that proposed it to its end.
 *
 * @param source {@code repository:tag@digest} as the policy selected it
 * @param approvals who approved so far (users); with manual mode one is needed, plus every required signal
 * @param target where the image was copied ({@code repository:tag@digest}), once it is there
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
        List<String> history) {

    public enum State {
        PENDING, APPROVED, REJECTED, FAILED, EXPIRED, SUPERSEDED
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
    }

    Promotion with(State s, Optional<String> by, Instant at, Optional<String> why, String event) {
        return new Promotion(id, promotion, policy, source, image, tag, digest, s, createdAt, deadline, signals, approvals,
                by.or(() -> decidedBy), Optional.of(at), target, why.or(() -> reason), correlationId, append(at + " " + event));
    }

    Promotion withSignal(String signal, Instant at, String by) {
        Set<String> s = new java.util.TreeSet<>(signals);
        s.add(signal);
        return new Promotion(id, promotion, policy, source, image, tag, digest, state, createdAt, deadline, s, approvals,
                decidedBy, decidedAt, target, reason, correlationId, append(at + " signal " + signal + " from " + by));
    }

    Promotion withApproval(String user, Instant at, String comment) {
        List<String> a = new java.util.ArrayList<>(approvals);
        a.add(user);
        return new Promotion(id, promotion, policy, source, image, tag, digest, state, createdAt, deadline, signals, a,
                decidedBy, decidedAt, target, reason, correlationId,
                append(at + " approved by user:" + user + (comment.isBlank() ? "" : " (" + comment + ")")));
    }

    Promotion withTarget(String ref, Instant at, String event) {
        return new Promotion(id, promotion, policy, source, image, tag, digest, state, createdAt, deadline, signals, approvals,
                decidedBy, decidedAt, Optional.of(ref), reason, correlationId, append(at + " " + event));
    }

    /** The target moved in the configuration: the image is to be copied and announced again. */
    Promotion withoutTarget(Instant at, String event) {
        return new Promotion(id, promotion, policy, source, image, tag, digest, state, createdAt, deadline, signals, approvals,
                decidedBy, decidedAt, Optional.empty(), reason, correlationId, append(at + " " + event));
    }

    private List<String> append(String line) {
        List<String> h = new java.util.ArrayList<>(history);
        h.add(line);
        return h;
    }
}
