package io.tagstream.gitwriter.core;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What Tagstream has written into each setter marker of each automation, so that a person's rollback in git is
 * respected. The rule: a ref (image, tag and digest) is written into a marker once. An approval that names the ref
 * last written for that marker — a redelivered event, a restarted pod, a tag deleted and pushed again — changes
 * nothing, whatever git holds now; only a different ref (a newer tag, a moved digest) is written. So reverting an image
 * commit holds until a newer image is approved, unlike tools that reconcile git back to the registry's latest tag.
 *
 * <p>An entry also remembers where the approval that wrote it sits in the promotion-approved topic. Approvals for one
 * marker all come from one promotion, so from one partition, in order; one at or before that position is a copy of an
 * approval already handled (re-keyed twice after a git-writer restart, or still queued at a pod that lost the branch),
 * and writing it would put an older image over a newer one. Such an approval is superseded, not written.
 *
 * <p>Entries are kept by what they were derived from: the automation's {@link #scope}, which names the repository,
 * branch and path it writes. Editing any of those makes a new scope with no memory, so the new target gets the
 * current refs; the old scope's entries, and those of a removed automation, are dropped at the next reload
 * ({@link #reconcile}).
 */
public final class Ledger {

    /** Where an approval sits in the promotion-approved topic. */
    public record Position(int partition, long offset) {

        /** {@code partition/offset}, as carried in a record header. */
        public static Optional<Position> parse(String s) {
            int slash = s == null ? -1 : s.indexOf('/');
            if (slash < 1) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Position(Integer.parseInt(s.substring(0, slash)), Long.parseLong(s.substring(slash + 1))));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }

        @Override
        public String toString() {
            return partition + "/" + offset;
        }

        /** Whether this approval was read no later than {@code other}; positions in different partitions are not ordered. */
        boolean notAfter(Position other) {
            return partition == other.partition && offset <= other.offset;
        }
    }

    /**
     * The ref last written into one marker, the commit that wrote it (empty when git already held it), and the
     * position of the approval that asked for it (empty in entries from before positions were kept).
     */
    public record Entry(String ref, Optional<String> commit, Instant at, Optional<Position> approval) {

        public Entry {
            commit = commit == null ? Optional.empty() : commit;
            approval = approval == null ? Optional.empty() : approval;
        }
    }

    /**
     * An approval's values split into those to write, those written before, and those an approval read later
     * already replaced.
     */
    public record Split(Map<String, ImageValues> fresh, Map<String, Entry> written, Map<String, Entry> superseded) {}

    /**
     * A commit about to be pushed to a branch, recorded before the push: if the pod dies before it has announced the
     * push, the branch's next owner finds the commit in git and announces it with the same event id and records its
     * entries, so the redelivered approval neither commits again nor goes unannounced.
     */
    public record Intent(String commit, String eventId, Instant eventTime, String correlationId,
            io.tagstream.common.events.CommitPushed pushed, Map<String, Entry> entries) {}

    /**
     * A ref that could not be written because the marker's file has a problem (it does not parse, a marker is not on
     * a scalar): kept until it is written, or a newer ref for the marker is, so it is tried again when the file changes.
     */
    public record Blocked(String ref, String problem, Instant at) {}

    private final Map<String, Blocked> blocked = new ConcurrentHashMap<>();

    /** The state-topic key of a blocked ref ({@link StateKey.Blocked}). */
    public static String blockedKey(String scope, String setter) {
        return new StateKey.Blocked(scope, setter).encode();
    }

    /** The blocked refs, by key. */
    public Map<String, Blocked> blocked() {
        return Map.copyOf(blocked);
    }

    public Optional<Blocked> blocked(String scope, String setter) {
        return Optional.ofNullable(blocked.get(blockedKey(scope, setter)));
    }

    public void block(String scope, String setter, Blocked b) {
        blocked.put(blockedKey(scope, setter), b);
    }

    public void unblock(String key) {
        blocked.remove(key);
    }

    /** The scope and marker of a blocked ref's key. */
    public static StateKey.Blocked blockedOf(String blockedKey) {
        return (StateKey.Blocked) StateKey.decode(blockedKey).filter(StateKey.Blocked.class::isInstance)
                .orElseThrow(() -> new IllegalArgumentException("not a blocked ref's key: " + blockedKey));
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Map<String, Intent> intents = new ConcurrentHashMap<>();

    /** The state-topic key of a branch's intent ({@link StateKey.Intent}). */
    public static String intentKey(String branch) {
        return new StateKey.Intent(branch).encode();
    }

    public Optional<Intent> intent(String branch) {
        return Optional.ofNullable(intents.get(intentKey(branch)));
    }

    /** Applies one state-topic record: a ledger entry, an intent or a blocked ref; {@code null} (a tombstone) removes it. */
    public void restore(String key, String json) {
        StateKey k = StateKey.decode(key).orElse(null);
        if (k == null) {
            return; // no layout any version wrote
        }
        if (k instanceof StateKey.Blocked) {
            if (json == null) {
                blocked.remove(key);
            } else {
                blocked.put(key, io.tagstream.common.events.Json.read(json, Blocked.class));
            }
        } else if (k instanceof StateKey.Proposed p) {
            if (json == null) {
                proposals.remove(p.scope());
            } else {
                proposals.put(p.scope(), io.tagstream.common.events.Json.read(json, Proposal.class));
            }
        } else if (k instanceof StateKey.Intent) {
            if (json == null) {
                intents.remove(key);
            } else {
                intents.put(key, io.tagstream.common.events.Json.read(json, Intent.class));
            }
        } else if (json != null) {
            restore(key, io.tagstream.common.events.Json.read(json, Entry.class));
        } else {
            entries.remove(key);
        }
    }

    private final Map<String, Proposal> proposals = new ConcurrentHashMap<>();

    /** What the automation of {@code scope} proposes in pull-request mode; {@link Proposal#none()} before its first. */
    public Proposal proposal(String scope) {
        return proposals.getOrDefault(scope, Proposal.none());
    }

    public void propose(String scope, Proposal p) {
        proposals.put(scope, p);
    }

    /** The state-topic key of a scope's proposal. */
    public static String proposalKey(String scope) {
        return new StateKey.Proposed(scope).encode();
    }

    public void intend(String branch, Intent intent) {
        intents.put(intentKey(branch), intent);
    }

    /** The intent is settled (announced, or found never pushed). */
    public void settle(String branch) {
        intents.remove(intentKey(branch));
    }

    /** What an automation's entries are derived from: {@code <automation>@<repository URL>#<branch>:<path>}. */
    public static String scope(String automation, String repositoryUrl, String branch, String path) {
        String normalized = java.nio.file.Path.of(path).normalize().toString();
        return automation + "@" + repositoryUrl + "#" + branch + ":" + (normalized.isEmpty() ? "." : normalized);
    }

    /** The state-topic key of the ref last written into a marker of a scope ({@link StateKey.Written}). */
    public static String key(String scope, String setter) {
        return new StateKey.Written(scope, setter).encode();
    }

    /**
     * What to do with stored entries after a reload, given each configured automation's scope: an entry whose scope
     * is configured stays; one stored under the older key ({@code <automation>|<setter>}, from before scopes) moves to
     * its automation's scope; one of a scope no longer configured is dropped when it is older than {@code cutoff}
     * (the time the configuration was loaded: a younger one was written by a pod that has read a newer
     * configuration). Returns old key → new key, or empty to drop.
     */
    public Map<String, Optional<String>> reconcile(Map<String, String> scopes, Instant cutoff) {
        java.util.Set<String> configured = new java.util.HashSet<>(scopes.values());
        Map<String, Optional<String>> out = new java.util.TreeMap<>();
        entries.forEach((key, entry) -> {
            if (!(StateKey.decode(key).orElse(null) instanceof StateKey.Written k) || configured.contains(k.scope())) {
                return;
            }
            if (k.beforeScopes() && scopes.containsKey(k.scope())) {
                out.put(key, Optional.of(key(scopes.get(k.scope()), k.marker())));
            } else if (entry.at().isBefore(cutoff)) {
                out.put(key, Optional.empty());
            }
        });
        return out;
    }

    /** A ref an automation wrote into a marker of a target it no longer writes: to be written into its new target. */
    public record Carry(String automation, String marker, String ref) {}

    /**
     * The refs to carry from dropped entries (before {@link #apply}) to their automation's new target: an automation
     * still configured whose repository, branch or path changed gets, in the new place, the refs it last wrote in the
     * old one, as Flux applies every policy's latest ref to the path at its next run. The newest entry wins per marker.
     */
    public List<Carry> toCarry(Map<String, Optional<String>> plan, Map<String, String> scopes) {
        Map<StateKey.Written, Entry> newest = new java.util.TreeMap<>(java.util.Comparator.comparing(StateKey.Written::encode));
        plan.forEach((key, to) -> {
            Entry e = entries.get(key);
            if (!(StateKey.decode(key).orElse(null) instanceof StateKey.Written k) || to.isPresent() || e == null || k.beforeScopes()) {
                return;
            }
            if (!scopes.containsKey(k.automation())) {
                return; // removed, not moved
            }
            newest.merge(new StateKey.Written(k.automation(), k.marker()), e, (a, b) -> a.at().isAfter(b.at()) ? a : b);
        });
        List<Carry> out = new java.util.ArrayList<>();
        newest.forEach((k, e) -> out.add(new Carry(k.scope(), k.marker(), e.ref())));
        return out;
    }

    /** Carries out {@link #reconcile}'s moves and drops; returns the records to store (null is a tombstone). */
    public Map<String, Entry> apply(Map<String, Optional<String>> changes) {
        Map<String, Entry> out = new LinkedHashMap<>();
        changes.forEach((key, to) -> {
            Entry e = entries.remove(key);
            out.put(key, null);
            if (e != null && to.isPresent()) {
                entries.put(to.get(), e);
                out.put(to.get(), e);
            }
        });
        return out;
    }

    /** The whole reference a marker's values stand for; digest included, so a moved tag counts as new. */
    public static String ref(ImageValues v) {
        return v.image() + ":" + v.tag() + (v.digest().isEmpty() ? "" : "@" + v.digest());
    }

    public Split split(String automation, Map<String, ImageValues> values, Optional<Position> approval) {
        Map<String, ImageValues> fresh = new LinkedHashMap<>();
        Map<String, Entry> written = new LinkedHashMap<>();
        Map<String, Entry> superseded = new LinkedHashMap<>();
        values.forEach((setter, v) -> {
            Entry e = entries.get(key(automation, setter));
            if (e != null && e.ref().equals(ref(v))) {
                written.put(setter, e);
            } else if (e != null && approval.isPresent() && e.approval().filter(approval.get()::notAfter).isPresent()) {
                superseded.put(setter, e);
            } else {
                fresh.put(setter, v);
            }
        });
        return new Split(fresh, written, superseded);
    }

    /**
     * Records values as written, each with the position of the approval it came from; returns the entries by key,
     * for the caller to persist.
     */
    public Map<String, Entry> record(String automation, Map<String, ImageValues> values, Map<String, Position> approvals,
            Optional<String> commit, Instant at) {
        Map<String, Entry> out = entries(automation, values, approvals, commit, at);
        entries.putAll(out);
        return out;
    }

    /** The entries that {@link #record} would record, by key, without recording them. */
    public Map<String, Entry> entries(String automation, Map<String, ImageValues> values, Map<String, Position> approvals,
            Optional<String> commit, Instant at) {
        Map<String, Entry> out = new LinkedHashMap<>();
        values.forEach((setter, v) -> out.put(key(automation, setter),
                new Entry(ref(v), commit, at, Optional.ofNullable(approvals.get(setter)))));
        return out;
    }

    public void restore(String key, Entry entry) {
        entries.put(key, entry);
    }

    public int size() {
        return entries.size();
    }
}
