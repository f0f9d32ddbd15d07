package io.tagstream.poller.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything the poller holds about one ImageRepository, as one value: the tags it knows (and the image they were read
 * from), the image it is moving to, the last scan, error and cap, when it is due next, and its latest tags. Every
 * change is a new value, so what a reader sees is always one consistent state.
 *
 * @param movingTo the image a moved repository was last scheduled to be scanned as new for, until that scan is recorded
 * @param latest the ten tags discovered last, newest first
 */
public record RepositoryState(KnownTags known, Optional<String> movingTo, Optional<Instant> lastScan, long lastScanMillis,
        Optional<String> lastError, Optional<String> capped, Optional<Instant> nextScan, List<String> latest) {

    public static final RepositoryState NEW = restored(KnownTags.NONE);

    public RepositoryState {
        latest = List.copyOf(latest);
    }

    /** The state of a repository as the state topic holds it: its tags, nothing about scans. */
    public static RepositoryState restored(KnownTags known) {
        return new RepositoryState(known, Optional.empty(), Optional.empty(), 0, Optional.empty(), Optional.empty(),
                Optional.empty(), List.of());
    }

    /**
     * The image {@code spec.image} names now, when the known tags were read from another one and its scan as new is
     * not scheduled yet; empty otherwise (not moved, or already on its way).
     */
    public Optional<String> movedTo(String canonical) {
        return known.derivedFrom(canonical) || movingTo.filter(canonical::equals).isPresent() ? Optional.empty()
                : Optional.of(canonical);
    }

    /** {@code spec.image} moved to {@code image}: nothing of the old image's scans is shown, and it is due at once. */
    public RepositoryState moving(String image, Instant now) {
        return new RepositoryState(known, Optional.of(image), Optional.empty(), 0, Optional.empty(), Optional.empty(),
                Optional.of(now), List.of());
    }

    public RepositoryState due(Instant at) {
        return new RepositoryState(known, movingTo, lastScan, lastScanMillis, lastError, capped, Optional.of(at), latest);
    }

    /** The tags of {@code image} after a scan was recorded; a move, if any, is complete. */
    public RepositoryState knowing(KnownTags tags) {
        return new RepositoryState(tags, Optional.empty(), lastScan, lastScanMillis, lastError, capped, nextScan, latest);
    }

    /** A scan finished at {@code at}: a full one counts as the last scan; its cap, errors and discoveries are shown. */
    public RepositoryState scanned(Scan.Result r, boolean full, Instant at) {
        Optional<String> cap = r.capped()
                ? Optional.of("considering the last " + r.considered() + " of " + r.listed() + " tags (spec.maxTags)")
                : Optional.empty();
        Optional<String> error = r.errors().isEmpty() ? Optional.empty()
                : Optional.of(r.errors().size() + " tags could not be resolved, e.g. " + r.errors().get(0));
        return new RepositoryState(known, movingTo, full ? Optional.of(at) : lastScan, full ? r.took().toMillis() : lastScanMillis,
                error, cap, nextScan, latestAfter(r));
    }

    /** A scan failed; {@link #repeats} tells whether it failed the same way last time. */
    public RepositoryState failed(String reason) {
        return new RepositoryState(known, movingTo, lastScan, lastScanMillis, Optional.of(reason), capped, nextScan, latest);
    }

    public boolean repeats(String reason) {
        return lastError.filter(reason::equals).isPresent();
    }

    private List<String> latestAfter(Scan.Result r) {
        List<String> next = new ArrayList<>(latest);
        r.discovered().forEach(d -> {
            next.remove(d.tag());
            next.add(0, d.tag());
        });
        r.removed().forEach(d -> next.remove(d.tag()));
        return next.size() > 10 ? next.subList(0, 10) : next;
    }
}
