package io.tagstream.evaluator.core;

import io.tagstream.common.policy.InvalidPolicyException;
import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.tagstream.common.config.GoRegex;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Flux's {@code filterTags}: a tag is kept when the pattern is found anywhere in it (Go's {@code FindStringSubmatch},
 * not a full match); with {@code extract}, the policy compares the expansion of the template ({@code $1}, {@code $name},
 * {@code ${name}}, {@code $$}, with Go's {@code Regexp.Expand} rules) and the original tag is selected.
 * When two tags extract to the same value, the one that sorts last byte-wise stands for it.
 */
public final class TagFilter {

    private final String source;
    private final Pattern pattern;
    private final String extract;

    private TagFilter(String source, Pattern pattern, String extract) {
        this.source = source;
        this.pattern = pattern;
        this.extract = extract;
    }

    public static TagFilter of(String pattern, String extract) throws InvalidPolicyException {
        try {
            return new TagFilter(pattern, GoRegex.compile(pattern), extract == null ? "" : extract);
        } catch (PatternSyntaxException e) {
            throw new InvalidPolicyException("filterTags.pattern '" + pattern + "' is not a valid regular expression: "
                    + e.getDescription());
        }
    }

    /** Every tag passes through unchanged. */
    public static List<Candidate> none(Collection<String> tags) {
        List<Candidate> out = new ArrayList<>(tags.size());
        for (String t : tags) {
            out.add(new Candidate(t, t));
        }
        return out;
    }

    public List<Candidate> apply(Collection<String> tags, Skips skips) {
        if (extract.isEmpty()) {
            List<Candidate> kept = new ArrayList<>();
            for (String tag : tags) {
                if (pattern.matcher(tag).find()) {
                    kept.add(new Candidate(tag, tag)); // tags are unique, so no two can collide
                } else {
                    skips.add(tag, () -> "does not match filterTags.pattern '" + source + "'");
                }
            }
            return kept;
        }
        Map<String, Candidate> byValue = new HashMap<>();
        for (String tag : tags) {
            Matcher m = pattern.matcher(tag);
            if (!m.find()) {
                skips.add(tag, () -> "does not match filterTags.pattern '" + source + "'");
                continue;
            }
            String value = GoRegex.expand(m, extract);
            Candidate c = new Candidate(value, tag);
            Candidate before = byValue.putIfAbsent(value, c);
            if (before != null) {
                Candidate winner = c.winsTieOver(before) ? c : before;
                Candidate loser = winner == c ? before : c;
                byValue.put(value, winner);
                skips.add(loser.tag(), () -> "extracts the same value '" + value + "' as " + winner.tag());
            }
        }
        return new ArrayList<>(byValue.values());
    }
}
