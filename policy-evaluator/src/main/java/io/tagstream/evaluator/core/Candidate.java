package io.tagstream.evaluator.core;

/**
 * A tag that reached the policy: {@code value} is what the policy compares (the tag itself, or what
 * {@code filterTags.extract} made of it), {@code tag} is what is selected.
 */
public record Candidate(String value, String tag) {

    /** Ties between equal values go to the tag that sorts last byte-wise, so selection never depends on order. */
    boolean winsTieOver(Candidate other) {
        return Bytewise.compare(tag, other.tag) > 0;
    }
}
