package io.tagstream.common.gotemplate;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Go's {@code fmt.Sprintf}, {@code Sprint} and {@code Sprintln} for template values: the verbs {@code v s q d x X o b
 * c t f F e E g G T %} with flags {@code - + # 0 space}, width and precision, and Go's in-band errors for a wrong
 * argument ({@code %!d(string=x)}), a missing one ({@code %!s(MISSING)}) and extra ones ({@code %!(EXTRA int=1)}).
 */
final class GoPrintf {

    private GoPrintf() {}

    /** {@code fmt.Sprint}: operands joined, with a space between two when neither is a string. */
    static String sprint(List<Object> args) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            Object a = GoValues.box(args.get(i));
            if (i > 0 && !(a instanceof String) && !(GoValues.box(args.get(i - 1)) instanceof String)) {
                b.append(' ');
            }
            b.append(GoValues.print(a));
        }
        return b.toString();
    }

    /** {@code fmt.Sprintln}: operands joined by spaces, then a newline. */
    static String sprintln(List<Object> args) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) {
                b.append(' ');
            }
            b.append(GoValues.print(args.get(i)));
        }
        return b.append('\n').toString();
    }

    static String sprintf(String format, List<Object> args) {
        StringBuilder out = new StringBuilder();
        int argi = 0;
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i);
            if (c != '%') {
                out.append(c);
                i++;
                continue;
            }
            i++;
            boolean minus = false;
            boolean plus = false;
            boolean sharp = false;
            boolean zero = false;
            boolean space = false;
            for (; i < format.length(); i++) {
                char f = format.charAt(i);
                if (f == '-') {
                    minus = true;
                } else if (f == '+') {
                    plus = true;
                } else if (f == '#') {
                    sharp = true;
                } else if (f == '0') {
                    zero = true;
                } else if (f == ' ') {
                    space = true;
                } else {
                    break;
                }
            }
            int width = -1;
            int start = i;
            while (i < format.length() && Character.isDigit(format.charAt(i))) {
                i++;
            }
            if (i > start) {
                width = Integer.parseInt(format.substring(start, i));
            }
            int precision = -1;
            if (i < format.length() && format.charAt(i) == '.') {
                i++;
                start = i;
                while (i < format.length() && Character.isDigit(format.charAt(i))) {
                    i++;
                }
                precision = i > start ? Integer.parseInt(format.substring(start, i)) : 0;
            }
            if (i >= format.length()) {
                out.append("%!(NOVERB)");
                break;
            }
            char verb = format.charAt(i++);
            if (verb == '%') {
                out.append('%');
                continue;
            }
            if (argi >= args.size()) {
                out.append("%!").append(verb).append("(MISSING)");
                continue;
            }
            Object arg = GoValues.box(args.get(argi++));
            String s = verb(verb, arg, plus, sharp, space, precision);
            if (s == null) {
                out.append("%!").append(verb).append('(').append(GoValues.typeName(arg)).append('=')
                        .append(GoValues.print(arg)).append(')');
                continue;
            }
            out.append(pad(s, width, minus, zero && !minus && isNumeric(verb, arg)));
        }
        if (argi < args.size()) {
            out.append("%!(EXTRA ");
            for (int k = argi; k < args.size(); k++) {
                Object a = GoValues.box(args.get(k));
                if (k > argi) {
                    out.append(", ");
                }
                out.append(GoValues.typeName(a)).append('=').append(GoValues.print(a));
            }
            out.append(')');
        }
        return out.toString();
    }

    private static boolean isNumeric(char verb, Object arg) {
        return (arg instanceof Long || arg instanceof Double) && "dxXobfFeEgGv".indexOf(verb) >= 0;
    }

    private static String pad(String s, int width, boolean left, boolean zeros) {
        int n = s.codePointCount(0, s.length());
        if (width <= n) {
            return s;
        }
        String fill = (zeros ? "0" : " ").repeat(width - n);
        if (left) {
            return s + fill;
        }
        if (zeros && (s.startsWith("-") || s.startsWith("+"))) {
            return s.charAt(0) + fill + s.substring(1);
        }
        return fill + s;
    }

    /** One verb applied to one argument; null when the argument is of the wrong type for the verb. */
    private static String verb(char verb, Object a, boolean plus, boolean sharp, boolean space, int precision) {
        switch (verb) {
            case 'v':
                if (plus && a instanceof GoStruct s && s.string().isEmpty()) {
                    StringBuilder b = new StringBuilder("{");
                    boolean first = true;
                    for (Map.Entry<String, Object> f : s.fields().entrySet()) {
                        b.append(first ? "" : " ").append(f.getKey()).append(':').append(GoValues.print(f.getValue()));
                        first = false;
                    }
                    return b.append('}').toString();
                }
                if (a instanceof Long l) {
                    return sign(l, plus, space) + Math.abs(l);
                }
                return GoValues.print(a);
            case 's':
                if (a instanceof Long || a instanceof Double || a instanceof Boolean || a == null) {
                    return a == null ? "%!s(<nil>)" : null;
                }
                String text = GoValues.print(a);
                return precision >= 0 && text.codePointCount(0, text.length()) > precision
                        ? text.substring(0, text.offsetByCodePoints(0, precision)) : text;
            case 'q':
                if (a instanceof String s) {
                    return sharp && !s.contains("`") ? "`" + s + "`" : quote(s);
                }
                if (a instanceof Long l) {
                    return "'" + new String(Character.toChars(l.intValue())) + "'";
                }
                return null;
            case 'd':
                return a instanceof Long l ? sign(l, plus, space) + Math.abs(l) : listOf(a, 'd');
            case 'x', 'X': {
                String h;
                if (a instanceof Long l) {
                    h = (l < 0 ? "-" : "") + (sharp ? "0x" : "") + Long.toHexString(Math.abs(l));
                } else if (a instanceof String s) {
                    h = HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8));
                } else {
                    return null;
                }
                return verb == 'X' ? h.toUpperCase(java.util.Locale.ROOT) : h;
            }
            case 'o':
                return a instanceof Long l ? (l < 0 ? "-" : "") + (sharp ? "0" : "") + Long.toOctalString(Math.abs(l)) : null;
            case 'b':
                return a instanceof Long l ? (l < 0 ? "-" : "") + Long.toBinaryString(Math.abs(l)) : null;
            case 'c':
                return a instanceof Long l ? new String(Character.toChars(l.intValue())) : null;
            case 't':
                return a instanceof Boolean b ? b.toString() : null;
            case 'f', 'F':
                return a instanceof Double d ? sign(d, plus, space)
                        + new BigDecimal(Math.abs(d)).setScale(precision < 0 ? 6 : precision, java.math.RoundingMode.HALF_EVEN).toPlainString() : null;
            case 'e', 'E': {
                if (!(a instanceof Double d)) {
                    return null;
                }
                String e = String.format(java.util.Locale.ROOT, "%." + (precision < 0 ? 6 : precision) + "e", Math.abs(d));
                e = e.replaceFirst("e([+-])(\\d)$", "e$10$2");
                return sign(d, plus, space) + (verb == 'E' ? e.toUpperCase(java.util.Locale.ROOT) : e);
            }
            case 'g', 'G':
                return a instanceof Double d ? (plus && d >= 0 ? "+" : "") + GoValues.formatFloat(d) : null;
            case 'T':
                return GoValues.typeName(a);
            default:
                return null;
        }
    }

    private static String listOf(Object a, char verb) {
        if (a instanceof List<?> l) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) {
                String s = verb(verb, GoValues.box(l.get(i)), false, false, false, -1);
                b.append(i > 0 ? " " : "").append(s == null ? "%!" + verb + "(" + GoValues.typeName(l.get(i)) + "="
                        + GoValues.print(l.get(i)) + ")" : s);
            }
            return b.append(']').toString();
        }
        return null;
    }

    private static String sign(double v, boolean plus, boolean space) {
        return v < 0 ? "-" : plus ? "+" : space ? " " : "";
    }

    /** Go's {@code strconv.Quote}: printable characters kept, others escaped. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                case 7 -> b.append("\\a");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case 11 -> b.append("\\v");
                default -> {
                    if (cp < 0x20 || cp == 0x7f) {
                        b.append(String.format("\\x%02x", cp));
                    } else if (!Character.isDefined(cp) || Character.getType(cp) == Character.FORMAT
                            || Character.getType(cp) == Character.CONTROL) {
                        b.append(cp > 0xffff ? String.format("\\U%08x", cp) : String.format("\\u%04x", cp));
                    } else {
                        b.appendCodePoint(cp);
                    }
                }
            }
        });
        return b.append('"').toString();
    }
}
