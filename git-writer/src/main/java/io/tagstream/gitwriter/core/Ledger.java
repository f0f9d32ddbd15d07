package io.tagstream.gitwriter.core;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What Tagstream has written into each setter marker of each automation, so that a person's rollback in git is
 * respected. The rule: a ref (image, tag and digest) is written into a marker once. An approval that names the ref
 * last written for that marker — a redelivered event, a restarted pod, a tag deleted and pushed again — changes
 * nothing, whatever git holds now; only a different ref (a newer tag, a moved digest) is written. So reverting an image
 * commit holds until a newer image is approved, unlike tools that reconcile git back to the registry's latest tag.
 */
public final class Ledger {

    /** The ref last written into one marker, and the commit that wrote it (empty when git already held it). */
    public record Entry(String ref, Optional<String> commit, Instant at) {}

    /** An approval's values split into those to write and those written before. */
    public record Split(Map<String, ImageValues> fresh, Map<String, Entry> written) {}

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    public static String key(String automation, String setter) {
        return automation + "|" + setter;
    }

    /** The whole reference a marker's values stand for; digest included, so a moved tag counts as new. */
    public static String ref(ImageValues v) {
        return v.image() + ":" + v.tag() + (v.digest().isEmpty() ? "" : "@" + v.digest());
    }

    public Split split(String automation, Map<String, ImageValues> values) {
        Map<String, ImageValues> fresh = new LinkedHashMap<>();
        Map<String, Entry> written = new LinkedHashMap<>();
        values.forEach((setter, v) -> {
            Entry e = entries.get(key(automation, setter));
            if (e != null && e.ref().equals(ref(v))) {
                written.put(setter, e);
            } else {
                fresh.put(setter, v);
            }
        });
        return new Split(fresh, written);
    }

    /** Records values as written; returns the entries by key, for the caller to persist. */
    public Map<String, Entry> record(String automation, Map<String, ImageValues> values, Optional<String> commit, Instant at) {
        Map<String, Entry> out = new LinkedHashMap<>();
        values.forEach((setter, v) -> {
            Entry e = new Entry(ref(v), commit, at);
            entries.put(key(automation, setter), e);
            out.put(key(automation, setter), e);
        });
        return out;
    }

    public void restore(String key, Entry entry) {
        entries.put(key, entry);
    }

    public int size() {
        return entries.size();
    }
}
