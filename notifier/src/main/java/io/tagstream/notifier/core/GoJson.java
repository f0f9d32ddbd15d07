package io.tagstream.notifier.core;

import java.util.Map;
import java.util.TreeMap;

/**
 * JSON written as Go's {@code encoding/json} writes it, so a receiver that compares bodies or checks an HMAC over them
 * sees what Flux would send: compact, map keys sorted, {@code <}, {@code >}, {@code &}, U+2028 and U+2029 escaped as
 * {@code \\u003c}…, other control characters as {@code \\n}, {@code \\r}, {@code \\t} or {@code \\u00XX}.
 */
public final class GoJson {

    private final StringBuilder out = new StringBuilder();
    private boolean first = true;

    private GoJson() {}

    public static GoJson object() {
        GoJson j = new GoJson();
        j.out.append('{');
        return j;
    }

    private void key(String k) {
        if (!first) {
            out.append(',');
        }
        first = false;
        string(out, k);
        out.append(':');
    }

    public GoJson field(String k, String v) {
        key(k);
        string(out, v);
        return this;
    }

    /** A field Go would leave out when empty ({@code omitempty}). */
    public GoJson optional(String k, String v) {
        return v == null || v.isEmpty() ? this : field(k, v);
    }

    public GoJson field(String k, boolean v) {
        key(k);
        out.append(v);
        return this;
    }

    public GoJson field(String k, long v) {
        key(k);
        out.append(v);
        return this;
    }

    public GoJson raw(String k, String json) {
        key(k);
        out.append(json);
        return this;
    }

    /** A {@code map[string]string}: keys sorted, as Go marshals maps. */
    public GoJson map(String k, Map<String, String> m) {
        GoJson inner = object();
        new TreeMap<>(m).forEach(inner::field);
        return raw(k, inner.end());
    }

    /** An {@code omitempty} map: left out when empty. */
    public GoJson optionalMap(String k, Map<String, String> m) {
        return m.isEmpty() ? this : map(k, m);
    }

    public String end() {
        return out.append('}').toString();
    }

    public static String array(Iterable<String> jsonValues) {
        StringBuilder b = new StringBuilder("[");
        for (String v : jsonValues) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append(v);
        }
        return b.append(']').toString();
    }

    public static String string(String s) {
        StringBuilder b = new StringBuilder();
        string(b, s);
        return b.toString();
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> b.append(String.format("\\u%04x", (int) c));
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1)))
                            && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)))) {
                        b.append('\ufffd'); // Go writes invalid UTF-8 as U+FFFD
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
