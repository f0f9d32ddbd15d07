package io.tagstream.common.config;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Flux resources carry Go (RE2) regular expressions. The one construct Go users write that Java spells differently is
 * the named group {@code (?P<name>…)}; Java wants {@code (?<name>…)}. RE2 has no back-references or look-around, so
 * every valid RE2 pattern our users write compiles unchanged otherwise.
 */
public final class GoRegex {

    private GoRegex() {}

    public static Pattern compile(String goPattern) {
        return Pattern.compile(translate(goPattern));
    }

    public static String translate(String goPattern) {
        StringBuilder out = new StringBuilder(goPattern.length());
        for (int i = 0; i < goPattern.length(); i++) {
            char c = goPattern.charAt(i);
            if (c == '\\' && i + 1 < goPattern.length()) {
                out.append(c).append(goPattern.charAt(++i));
            } else if (goPattern.startsWith("(?P<", i)) {
                out.append("(?<");
                i += 3;
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
}
