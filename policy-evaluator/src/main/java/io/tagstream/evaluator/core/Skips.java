package io.tagstream.evaluator.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The tags a policy passed over and why. Only the first {@code cap} reasons are kept (a repository can have 100,000
 * tags) but every skip is counted; reasons are built lazily so uncounted ones cost nothing.
 */
public final class Skips {

    /** One tag left out, with the reason a person reads. */
    public record Skipped(String tag, String reason) {}

    private final int cap;
    private final List<Skipped> kept = new ArrayList<>();
    private int total;

    public Skips(int cap) {
        this.cap = cap;
    }

    public void add(String tag, Supplier<String> reason) {
        total++;
        if (kept.size() < cap) {
            kept.add(new Skipped(tag, reason.get()));
        }
    }

    public List<Skipped> kept() {
        return List.copyOf(kept);
    }

    public int total() {
        return total;
    }
}
