package io.tagstream.promoter.adapters;

import io.tagstream.common.events.Json;
import io.tagstream.promoter.core.MirrorPlan;
import io.tagstream.promoter.core.StateKey;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The mirrors' facts in the promoter's state topic, as every pod follows them: each mirror's source tags (what the
 * poller reported, keyed by mirror and source repository), the scans still being read, and the copies at each destination
 * (keyed by destination repository and tag). Writes go to the topic and come back through the follower, so every pod
 * holds the same view; the leading pod's {@link MirrorEngine} is told when a mirror's source changed.
 */
@ApplicationScoped
public class MirrorFacts {

    @Inject
    PromotionStore store;

    private final Map<String, Map<String, MirrorPlan.SourceTag>> sources = new ConcurrentHashMap<>();
    private final Map<String, Map<String, MirrorPlan.Copy>> copies = new ConcurrentHashMap<>();
    private final Map<String, String> scanning = new ConcurrentHashMap<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    /** {@code listener} hears the mirror whose source changed (not while one of its scans is being read). */
    void onSourceChange(Consumer<String> listener) {
        listeners.add(listener);
    }

    /** A record of the state topic (from the follower). */
    void stored(StateKey key, String value) {
        if (key instanceof StateKey.MirrorSource s) {
            Map<String, MirrorPlan.SourceTag> tags = sources.computeIfAbsent(s.mirror() + "|" + s.repository(),
                    k -> new ConcurrentHashMap<>());
            if (value == null) {
                tags.remove(s.tag());
            } else {
                tags.put(s.tag(), Json.read(value, MirrorPlan.SourceTag.class));
            }
            if (!scanning.containsKey(s.mirror() + "|" + s.repository())) {
                listeners.forEach(l -> l.accept(s.mirror()));
            }
        } else if (key instanceof StateKey.MirrorCopy c) {
            Map<String, MirrorPlan.Copy> at = copies.computeIfAbsent(c.repository(), k -> new ConcurrentHashMap<>());
            if (value == null) {
                at.remove(c.tag());
                return;
            }
            MirrorPlan.Copy copy = Json.read(value, MirrorPlan.Copy.class);
            MirrorPlan.Copy now = at.get(c.tag());
            // this pod's own write is applied at once; the follower bringing the intent back after it is not a step back
            if (now == null || !(now.done() && !copy.done() && now.digest().equals(copy.digest()))) {
                at.put(c.tag(), copy);
            }
        } else if (key instanceof StateKey.MirrorScan s) {
            if (value == null) {
                scanning.remove(s.mirror() + "|" + s.repository());
                listeners.forEach(l -> l.accept(s.mirror()));
            } else {
                scanning.put(s.mirror() + "|" + s.repository(), value);
            }
        }
    }

    /** The source tags of {@code mirror} read from {@code repository} (canonical), as last reported. */
    public Map<String, MirrorPlan.SourceTag> source(String mirror, String repository) {
        return Map.copyOf(sources.getOrDefault(mirror + "|" + repository, Map.of()));
    }

    /** Whether a scan of the mirror's source is still being read (its batch has not ended). */
    public boolean scanning(String mirror, String repository) {
        return scanning.containsKey(mirror + "|" + repository);
    }

    /** Whether that scan is the one being read. */
    boolean scanning(String mirror, String repository, String scan) {
        return scan.equals(scanning.get(mirror + "|" + repository));
    }

    /** The copies recorded at a destination repository (canonical), by tag. */
    public Map<String, MirrorPlan.Copy> copies(String repository) {
        return Map.copyOf(copies.getOrDefault(repository, Map.of()));
    }

    /** The mirrors and repositories with stored source tags (what a reload tidies). */
    Set<String> sourceKeys() {
        return Set.copyOf(sources.keySet());
    }

    void source(String mirror, String repository, String tag, MirrorPlan.SourceTag value) {
        write(new StateKey.MirrorSource(mirror, repository, tag), value == null ? null : Json.writeString(value));
    }

    void scan(String mirror, String repository, String scan) {
        write(new StateKey.MirrorScan(mirror, repository), scan);
    }

    void copy(String repository, String tag, MirrorPlan.Copy value) {
        write(new StateKey.MirrorCopy(repository, tag), value == null ? null : Json.writeString(value));
    }

    /** Stored first, then applied here at once (the follower brings the same record back later). */
    private void write(StateKey key, String value) {
        store.putMirrorFact(key, value);
        stored(key, value);
    }
}
