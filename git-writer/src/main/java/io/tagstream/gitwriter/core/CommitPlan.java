package io.tagstream.gitwriter.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one commit of a batch of approvals for one automation writes, decided against the ledger before git is touched:
 * the values to set (later approvals win), the approval position each comes from, the markers skipped because their
 * ref was written already (a person's later edit stands), and the approvals skipped because a newer one was written.
 *
 * @param superseded one sentence per approval skipped as older than what was written
 */
public record CommitPlan(Map<String, ImageValues> values, Map<String, Ledger.Position> positions,
        Map<String, Ledger.Entry> written, List<String> superseded) {

    /** One approval as the commit sees it: the marker values it sets and where it sits in promotion-approved. */
    public record Approval(Map<String, ImageValues> values, Optional<Ledger.Position> position) {}

    public static CommitPlan of(Ledger ledger, String scope, List<Approval> approvals) {
        Map<String, ImageValues> values = new LinkedHashMap<>();
        Map<String, Ledger.Position> positions = new LinkedHashMap<>();
        Map<String, Ledger.Entry> written = new LinkedHashMap<>();
        List<String> superseded = new ArrayList<>();
        for (Approval a : approvals) {
            Ledger.Split split = ledger.split(scope, a.values(), a.position());
            split.fresh().forEach((setter, v) -> {
                values.put(setter, v);
                a.position().ifPresentOrElse(p -> positions.put(setter, p), () -> positions.remove(setter));
                written.remove(setter);
            });
            split.written().forEach((setter, entry) -> {
                values.remove(setter);
                positions.remove(setter);
                written.put(setter, entry);
            });
            split.superseded().forEach((setter, entry) -> superseded.add(Ledger.ref(a.values().get(setter))
                    + " (approval at promotion-approved " + a.position().orElseThrow() + ") is older than " + entry.ref()
                    + " (at " + entry.approval().orElseThrow() + ")"));
        }
        return new CommitPlan(values, positions, written, List.copyOf(superseded));
    }

    /** Nothing left to write: every marker's ref is in git already, or every approval was superseded. */
    public boolean nothingToWrite() {
        return values.isEmpty();
    }

    /** The audit note for superseded approvals, if any. */
    public Optional<String> supersededNote() {
        return superseded.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", superseded)
                + ": a copy of an approval already handled, not written over the newer image");
    }

    /** The audit note for markers already written, if any. */
    public Optional<String> alreadyWrittenNote() {
        if (written.isEmpty()) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        written.forEach((setter, e) -> out.add(setter + "=" + e.ref() + " was written "
                + e.commit().map(c -> "by commit " + c.substring(0, Math.min(12, c.length()))).orElse("(git held it already)")
                + " at " + e.at()));
        return Optional.of(String.join("; ", out)
                + ": not written again, so a change a person made in git since then stands until a newer image is approved");
    }

    /** The values except those of {@code blocked} markers: what git holds once the update is done. */
    public Map<String, ImageValues> writtenExcept(java.util.Set<String> blocked) {
        Map<String, ImageValues> out = new LinkedHashMap<>(values);
        out.keySet().removeAll(blocked);
        return out;
    }

    /** {@code marker=tag, …}: values, as the audit names them. */
    public static String describe(Map<String, ImageValues> values) {
        List<String> out = new ArrayList<>();
        values.forEach((k, v) -> out.add(k + "=" + v.tag()));
        return String.join(", ", out);
    }
}
