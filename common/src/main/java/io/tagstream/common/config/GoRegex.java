package io.tagstream.common.config;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * Flux resources carry Go regular expressions, and Go's {@code regexp} is RE2: matching takes time linear in the
 * input, and back-references and look-around do not exist. Tagstream compiles them with re2j, the same semantics in
 * Java, so a pattern means what it means in Flux, a pattern Go refuses is refused here with the same reason, and no
 * pattern (such as {@code (.*a){24}$}) can make matching one tag take seconds. Go also accepts {@code (?<name>…)}
 * since 1.22; it is read as {@code (?P<name>…)}.
 */
public final class GoRegex {

    /** Longer patterns are refused: a tag is at most 128 characters, and a filter that long is a mistake or an attack. */
    public static final int MAX_LENGTH = 1024;

    private GoRegex() {}

    public static Pattern compile(String goPattern) {
        if (goPattern.length() > MAX_LENGTH) {
            throw new PatternSyntaxException("longer than " + MAX_LENGTH + " characters", goPattern.substring(0, 40) + "…");
        }
        return Pattern.compile(translate(goPattern));
    }

    /** {@code (?<name>} as {@code (?P<name>}; everything else as written (escapes kept). */
    public static String translate(String goPattern) {
        StringBuilder out = new StringBuilder(goPattern.length());
        for (int i = 0; i < goPattern.length(); i++) {
            char c = goPattern.charAt(i);
            if (c == '\\' && i + 1 < goPattern.length()) {
                out.append(c).append(goPattern.charAt(++i));
            } else if (goPattern.startsWith("(?<", i) && i + 3 < goPattern.length() && goPattern.charAt(i + 3) != '='
                    && goPattern.charAt(i + 3) != '!') {
                out.append("(?P<");
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Null when the pattern compiles; otherwise a short reason fit for an error message. */
    public static String problem(String goPattern) {
        try {
            compile(goPattern);
            return null;
        } catch (PatternSyntaxException e) {
            return e.getDescription() + (e.getIndex() >= 0 ? " near index " + e.getIndex() : "");
        }
    }

    /**
     * Go's {@code Regexp.Expand} of {@code template} over a match: {@code $1}, {@code $name}, {@code ${name}},
     * {@code $$}; {@code $name} takes the longest run of letters, digits and underscores, an unknown group expands to
     * nothing.
     */
    public static String expand(Matcher m, String template) {
        StringBuilder out = new StringBuilder();
        String t = template;
        int i = 0;
        while (i < t.length()) {
            char ch = t.charAt(i);
            if (ch != '$' || i + 1 >= t.length()) {
                out.append(ch);
                i++;
                continue;
            }
            char next = t.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i += 2;
                continue;
            }
            String name;
            int end;
            if (next == '{') {
                int close = t.indexOf('}', i + 2);
                if (close < 0 || close == i + 2 || !isName(t.substring(i + 2, close))) {
                    out.append(ch);
                    i++;
                    continue;
                }
                name = t.substring(i + 2, close);
                end = close + 1;
            } else {
                end = i + 1;
                while (end < t.length() && isNameChar(t.charAt(end))) {
                    end++;
                }
                if (end == i + 1) {
                    out.append(ch);
                    i++;
                    continue;
                }
                name = t.substring(i + 1, end);
            }
            out.append(group(m, name));
            i = end;
        }
        return out.toString();
    }

    private static String group(Matcher m, String name) {
        String g;
        try {
            if (name.chars().allMatch(Character::isDigit)) {
                int n = Integer.parseInt(name);
                g = n <= m.groupCount() ? m.group(n) : null;
            } else {
                g = m.group(name);
            }
        } catch (IllegalArgumentException e) {
            g = null; // Go expands an unknown group to nothing
        }
        return g == null ? "" : g;
    }

    private static boolean isName(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> isNameChar((char) c));
    }

    private static boolean isNameChar(char c) {
        return c == '_' || Character.isLetterOrDigit(c) && c < 0x80;
    }
}
