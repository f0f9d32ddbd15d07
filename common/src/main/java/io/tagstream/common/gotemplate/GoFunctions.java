package io.tagstream.common.gotemplate;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.zip.Adler32;

/**
 * The functions a template may call: Go's builtins ({@code and or not len index slice print printf println eq ne lt
 * le gt ge html urlquery}) and the Sprig functions Flux users write in commit messages (strings, lists, dicts, regular
 * expressions, hashes, encodings, integer arithmetic). Sprig's functions whose output depends on the clock, chance, the
 * host or its environment ({@code now}, {@code randAlpha}, {@code uuidv4}, {@code env}, ...) are refused by name with
 * the reason, so the same change always gets the same message; any other name is unknown, as in Go.
 */
final class GoFunctions {

    /** A function's own failure, reported as Go reports it: {@code error calling name: message}. */
    static final class CallException extends RuntimeException {
        CallException(String message) {
            super(message);
        }
    }

    private static final Map<String, Function<List<Object>, Object>> FUNCTIONS = new TreeMap<>();

    private static final Map<String, String> REFUSED = new TreeMap<>();

    static {
        for (String f : List.of("now", "date", "dateInZone", "date_in_zone", "dateModify", "date_modify", "mustDateModify",
                "ago", "htmlDate", "htmlDateInZone", "unixEpoch", "toDate", "mustToDate", "duration", "durationRound")) {
            REFUSED.put(f, "it depends on the clock, so a redelivered change would get another message");
        }
        for (String f : List.of("randAlpha", "randAlphaNum", "randNumeric", "randAscii", "randInt", "randBytes",
                "uuidv4", "shuffle")) {
            REFUSED.put(f, "it is random, so a redelivered change would get another message");
        }
        for (String f : List.of("env", "expandenv")) {
            REFUSED.put(f, "it reads git-writer's environment, which holds credentials");
        }
        REFUSED.put("getHostByName", "it makes a network lookup");
        for (String f : List.of("genPrivateKey", "derivePassword", "buildCustomCert", "genCA", "genCAWithKey",
                "genSelfSignedCert", "genSelfSignedCertWithKey", "genSignedCert", "genSignedCertWithKey", "encryptAES",
                "decryptAES", "bcrypt", "htpasswd")) {
            REFUSED.put(f, "cryptographic helpers have no place in a commit message");
        }
        REFUSED.put("call", "the data holds no functions to call");
        REFUSED.put("js", "JavaScript escaping has no place in a commit message");

        // Go's builtins ("and" and "or" short-circuit in the interpreter)
        FUNCTIONS.put("and", a -> a.get(a.size() - 1));
        FUNCTIONS.put("or", a -> a.get(a.size() - 1));
        FUNCTIONS.put("not", a -> !GoValues.truth(one("not", a)));
        FUNCTIONS.put("len", a -> length(one("len", a)));
        FUNCTIONS.put("index", GoFunctions::index);
        FUNCTIONS.put("slice", GoFunctions::slice);
        FUNCTIONS.put("print", GoPrintf::sprint);
        FUNCTIONS.put("println", GoPrintf::sprintln);
        FUNCTIONS.put("printf", a -> {
            atLeast("printf", a, 1);
            return GoPrintf.sprintf(str(a.get(0)), a.subList(1, a.size()));
        });
        FUNCTIONS.put("eq", a -> {
            atLeast("eq", a, 2);
            for (Object b : a.subList(1, a.size())) {
                if (equal(a.get(0), b)) {
                    return true;
                }
            }
            return false;
        });
        FUNCTIONS.put("ne", a -> !equal(arg("ne", a, 2, 0), a.get(1)));
        FUNCTIONS.put("lt", a -> compare(arg("lt", a, 2, 0), a.get(1)) < 0);
        FUNCTIONS.put("le", a -> compare(arg("le", a, 2, 0), a.get(1)) <= 0);
        FUNCTIONS.put("gt", a -> compare(arg("gt", a, 2, 0), a.get(1)) > 0);
        FUNCTIONS.put("ge", a -> compare(arg("ge", a, 2, 0), a.get(1)) >= 0);
        FUNCTIONS.put("html", a -> html(GoPrintf.sprint(a)));
        FUNCTIONS.put("urlquery", a -> URLEncoder.encode(GoPrintf.sprint(a), StandardCharsets.UTF_8));

        // Sprig: strings
        FUNCTIONS.put("lower", a -> str(one("lower", a)).toLowerCase(java.util.Locale.ROOT));
        FUNCTIONS.put("upper", a -> str(one("upper", a)).toUpperCase(java.util.Locale.ROOT));
        FUNCTIONS.put("title", a -> title(str(one("title", a))));
        FUNCTIONS.put("untitle", a -> untitle(str(one("untitle", a))));
        FUNCTIONS.put("trim", a -> str(one("trim", a)).strip());
        FUNCTIONS.put("trimAll", a -> trimAll(str(arg("trimAll", a, 2, 1)), str(a.get(0))));
        FUNCTIONS.put("trimPrefix", a -> {
            String s = str(arg("trimPrefix", a, 2, 1));
            String p = str(a.get(0));
            return s.startsWith(p) ? s.substring(p.length()) : s;
        });
        FUNCTIONS.put("trimSuffix", a -> {
            String s = str(arg("trimSuffix", a, 2, 1));
            String p = str(a.get(0));
            return s.endsWith(p) ? s.substring(0, s.length() - p.length()) : s;
        });
        FUNCTIONS.put("nospace", a -> str(one("nospace", a)).replaceAll("\\s", ""));
        FUNCTIONS.put("replace", a -> str(arg("replace", a, 3, 2)).replace(str(a.get(0)), str(a.get(1))));
        FUNCTIONS.put("contains", a -> str(arg("contains", a, 2, 1)).contains(str(a.get(0))));
        FUNCTIONS.put("hasPrefix", a -> str(arg("hasPrefix", a, 2, 1)).startsWith(str(a.get(0))));
        FUNCTIONS.put("hasSuffix", a -> str(arg("hasSuffix", a, 2, 1)).endsWith(str(a.get(0))));
        FUNCTIONS.put("repeat", a -> {
            long n = toInt(arg("repeat", a, 2, 0));
            if (n < 0 || n * str(a.get(1)).length() > GoTemplate.MAX_OUTPUT) {
                throw new CallException("repeat count " + n + " is negative or too large");
            }
            return str(a.get(1)).repeat((int) n);
        });
        FUNCTIONS.put("substr", a -> substr(toInt(arg("substr", a, 3, 0)), toInt(a.get(1)), str(a.get(2))));
        FUNCTIONS.put("trunc", a -> trunc(toInt(arg("trunc", a, 2, 0)), str(a.get(1))));
        FUNCTIONS.put("abbrev", a -> {
            long w = toInt(arg("abbrev", a, 2, 0));
            String s = str(a.get(1));
            return w < 4 || s.length() <= w ? s : s.substring(0, (int) w - 3) + "...";
        });
        FUNCTIONS.put("quote", a -> join(a, GoPrintf::quote));
        FUNCTIONS.put("squote", a -> join(a, s -> "'" + s + "'"));
        FUNCTIONS.put("cat", a -> join(a, s -> s));
        FUNCTIONS.put("indent", a -> indent(toInt(arg("indent", a, 2, 0)), str(a.get(1))));
        FUNCTIONS.put("nindent", a -> "\n" + indent(toInt(arg("nindent", a, 2, 0)), str(a.get(1))));
        FUNCTIONS.put("toString", a -> str(one("toString", a)));
        FUNCTIONS.put("splitList", a -> List.copyOf(split(str(arg("splitList", a, 2, 0)), str(a.get(1)))));
        FUNCTIONS.put("split", a -> {
            Map<String, Object> m = new LinkedHashMap<>();
            List<String> parts = split(str(arg("split", a, 2, 0)), str(a.get(1)));
            for (int i = 0; i < parts.size(); i++) {
                m.put("_" + i, parts.get(i));
            }
            return m;
        });
        FUNCTIONS.put("join", a -> {
            String sep = str(arg("join", a, 2, 0));
            List<String> parts = new ArrayList<>();
            for (Object o : list(a.get(1))) {
                if (o != null) {
                    parts.add(str(o));
                }
            }
            return String.join(sep, parts);
        });
        FUNCTIONS.put("plural", a -> toInt(arg("plural", a, 3, 2)) == 1 ? str(a.get(0)) : str(a.get(1)));

        // Sprig: defaults and flow
        FUNCTIONS.put("default", a -> {
            atLeast("default", a, 1);
            return a.size() < 2 || !GoValues.truth(a.get(1)) ? a.get(0) : a.get(1);
        });
        FUNCTIONS.put("empty", a -> !GoValues.truth(one("empty", a)));
        FUNCTIONS.put("coalesce", a -> a.stream().filter(GoValues::truth).findFirst().orElse(null));
        FUNCTIONS.put("ternary", a -> GoValues.truth(arg("ternary", a, 3, 2)) ? a.get(0) : a.get(1));

        // Sprig: hashes and encodings
        FUNCTIONS.put("sha256sum", a -> digest("SHA-256", str(one("sha256sum", a))));
        FUNCTIONS.put("sha1sum", a -> digest("SHA-1", str(one("sha1sum", a))));
        FUNCTIONS.put("adler32sum", a -> {
            Adler32 c = new Adler32();
            c.update(str(one("adler32sum", a)).getBytes(StandardCharsets.UTF_8));
            return Long.toString(c.getValue());
        });
        FUNCTIONS.put("b64enc", a -> Base64.getEncoder().encodeToString(str(one("b64enc", a)).getBytes(StandardCharsets.UTF_8)));
        FUNCTIONS.put("b64dec", a -> {
            try {
                return new String(Base64.getDecoder().decode(str(one("b64dec", a))), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        });

        // Sprig: regular expressions (Go's RE2 syntax)
        FUNCTIONS.put("regexMatch", a -> regex(arg("regexMatch", a, 2, 0)).matcher(str(a.get(1))).find());
        FUNCTIONS.put("regexFind", a -> {
            Matcher m = regex(arg("regexFind", a, 2, 0)).matcher(str(a.get(1)));
            return m.find() ? m.group() : "";
        });
        FUNCTIONS.put("regexFindAll", a -> {
            Matcher m = regex(arg("regexFindAll", a, 3, 0)).matcher(str(a.get(1)));
            long n = toInt(a.get(2));
            List<Object> found = new ArrayList<>();
            while ((n < 0 || found.size() < n) && m.find()) {
                found.add(m.group());
            }
            return found;
        });
        FUNCTIONS.put("regexReplaceAll", a -> replaceAll(regex(arg("regexReplaceAll", a, 3, 0)), str(a.get(1)), str(a.get(2))));
        FUNCTIONS.put("regexReplaceAllLiteral", a -> regex(arg("regexReplaceAllLiteral", a, 3, 0)).matcher(str(a.get(1)))
                .replaceAll(Matcher.quoteReplacement(str(a.get(2)))));

        // Sprig: lists
        FUNCTIONS.put("list", a -> new ArrayList<>(a));
        FUNCTIONS.put("first", a -> {
            List<Object> l = list(one("first", a));
            return l.isEmpty() ? null : l.get(0);
        });
        FUNCTIONS.put("last", a -> {
            List<Object> l = list(one("last", a));
            return l.isEmpty() ? null : l.get(l.size() - 1);
        });
        FUNCTIONS.put("rest", a -> {
            List<Object> l = list(one("rest", a));
            return l.isEmpty() ? null : new ArrayList<>(l.subList(1, l.size()));
        });
        FUNCTIONS.put("initial", a -> {
            List<Object> l = list(one("initial", a));
            return l.isEmpty() ? null : new ArrayList<>(l.subList(0, l.size() - 1));
        });
        FUNCTIONS.put("append", a -> {
            List<Object> l = new ArrayList<>(list(arg("append", a, 2, 0)));
            l.add(a.get(1));
            return l;
        });
        FUNCTIONS.put("prepend", a -> {
            List<Object> l = new ArrayList<>(list(arg("prepend", a, 2, 0)));
            l.add(0, a.get(1));
            return l;
        });
        FUNCTIONS.put("concat", a -> {
            List<Object> l = new ArrayList<>();
            a.forEach(x -> l.addAll(list(x)));
            return l;
        });
        FUNCTIONS.put("reverse", a -> {
            List<Object> l = new ArrayList<>(list(one("reverse", a)));
            java.util.Collections.reverse(l);
            return l;
        });
        FUNCTIONS.put("uniq", a -> new ArrayList<>(new LinkedHashSet<>(list(one("uniq", a)))));
        FUNCTIONS.put("has", a -> list(arg("has", a, 2, 1)).stream().anyMatch(x -> java.util.Objects.equals(GoValues.box(x), a.get(0))));
        FUNCTIONS.put("without", a -> {
            atLeast("without", a, 1);
            List<Object> l = new ArrayList<>(list(a.get(0)));
            l.removeIf(x -> a.subList(1, a.size()).contains(GoValues.box(x)));
            return l;
        });
        FUNCTIONS.put("sortAlpha", a -> {
            List<String> l = new ArrayList<>();
            list(one("sortAlpha", a)).forEach(x -> l.add(str(x)));
            l.sort(GoValues.KEY_ORDER::compare);
            return new ArrayList<Object>(l);
        });

        // Sprig: dicts (keys sorted: Sprig's order is Go's random map order)
        FUNCTIONS.put("dict", a -> {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < a.size(); i += 2) {
                m.put(str(a.get(i)), i + 1 < a.size() ? a.get(i + 1) : "");
            }
            return m;
        });
        FUNCTIONS.put("keys", a -> {
            Set<Object> keys = new TreeSet<>(GoValues.KEY_ORDER);
            a.forEach(x -> keys.addAll(map("keys", x).keySet()));
            return new ArrayList<>(keys);
        });
        FUNCTIONS.put("hasKey", a -> map("hasKey", arg("hasKey", a, 2, 0)).containsKey(str(a.get(1))));
        FUNCTIONS.put("get", a -> {
            Map<?, ?> m = map("get", arg("get", a, 2, 0));
            Object v = m.get(str(a.get(1)));
            return v == null ? "" : v;
        });

        // Sprig: integer arithmetic
        FUNCTIONS.put("int", a -> toInt(one("int", a)));
        FUNCTIONS.put("int64", a -> toInt(one("int64", a)));
        FUNCTIONS.put("atoi", a -> {
            try {
                return Long.parseLong(str(one("atoi", a)).trim());
            } catch (NumberFormatException e) {
                return 0L;
            }
        });
        FUNCTIONS.put("float64", a -> toFloat(one("float64", a)));
        FUNCTIONS.put("add", a -> a.stream().mapToLong(GoFunctions::toInt).sum());
        FUNCTIONS.put("add1", a -> toInt(one("add1", a)) + 1);
        FUNCTIONS.put("sub", a -> toInt(arg("sub", a, 2, 0)) - toInt(a.get(1)));
        FUNCTIONS.put("mul", a -> a.stream().mapToLong(GoFunctions::toInt).reduce(1, (x, y) -> x * y));
        FUNCTIONS.put("div", a -> {
            long d = toInt(arg("div", a, 2, 1));
            if (d == 0) {
                throw new CallException("integer divide by zero");
            }
            return toInt(a.get(0)) / d;
        });
        FUNCTIONS.put("mod", a -> {
            long d = toInt(arg("mod", a, 2, 1));
            if (d == 0) {
                throw new CallException("integer divide by zero");
            }
            return toInt(a.get(0)) % d;
        });
        FUNCTIONS.put("max", a -> {
            atLeast("max", a, 1);
            return a.stream().mapToLong(GoFunctions::toInt).max().getAsLong();
        });
        FUNCTIONS.put("min", a -> {
            atLeast("min", a, 1);
            return a.stream().mapToLong(GoFunctions::toInt).min().getAsLong();
        });
    }

    private GoFunctions() {}

    static boolean exists(String name) {
        return FUNCTIONS.containsKey(name);
    }

    /** Why a name is not callable: refused with its reason, or unknown as Go says it. */
    static String unknown(String name) {
        String why = REFUSED.get(name);
        return why != null ? "function \"" + name + "\" is not supported: " + why
                : "function \"" + name + "\" not defined";
    }

    static Object call(String name, List<Object> args) {
        return FUNCTIONS.get(name).apply(args);
    }

    // ---------------------------------------------------------------- argument helpers

    private static Object one(String name, List<Object> a) {
        if (a.size() != 1) {
            throw new CallException("wrong number of args for " + name + ": want 1 got " + a.size());
        }
        return a.get(0);
    }

    private static Object arg(String name, List<Object> a, int want, int index) {
        if (a.size() != want) {
            throw new CallException("wrong number of args for " + name + ": want " + want + " got " + a.size());
        }
        return a.get(index);
    }

    private static void atLeast(String name, List<Object> a, int want) {
        if (a.size() < want) {
            throw new CallException("wrong number of args for " + name + ": want at least " + want + " got " + a.size());
        }
    }

    /** Sprig's {@code strval}: a string as it is, anything else as {@code %v} prints it; nil is empty. */
    static String str(Object v) {
        v = GoValues.box(v);
        return v == null ? "" : GoValues.print(v);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object v) {
        v = GoValues.box(v);
        if (v == null || v == GoValues.NO_VALUE) {
            return List.of();
        }
        if (v instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw new CallException("cannot use type " + GoValues.typeName(v) + " as a list");
    }

    private static Map<?, ?> map(String name, Object v) {
        v = GoValues.box(v);
        if (v instanceof Map<?, ?> m) {
            return m;
        }
        throw new CallException(name + " needs a dict, not " + GoValues.typeName(v));
    }

    private static long toInt(Object v) {
        v = GoValues.box(v);
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Double d) {
            return d.longValue();
        }
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        if (v instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                try {
                    return (long) Double.parseDouble(s.trim());
                } catch (NumberFormatException e2) {
                    return 0;
                }
            }
        }
        return 0;
    }

    private static double toFloat(Object v) {
        v = GoValues.box(v);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return v instanceof String s ? Double.parseDouble(s.trim()) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Object length(Object v) {
        v = GoValues.box(v);
        if (v instanceof String s) {
            return (long) s.getBytes(StandardCharsets.UTF_8).length;
        }
        if (v instanceof List<?> l) {
            return (long) l.size();
        }
        if (v instanceof Map<?, ?> m) {
            return (long) m.size();
        }
        throw new CallException("len of type " + GoValues.typeName(v));
    }

    private static Object index(List<Object> a) {
        if (a.isEmpty()) {
            throw new CallException("wrong number of args for index: want at least 1 got 0");
        }
        Object v = GoValues.box(a.get(0));
        for (Object i : a.subList(1, a.size())) {
            i = GoValues.box(i);
            if (v instanceof List<?> l) {
                if (!(i instanceof Long n) || n < 0 || n >= l.size()) {
                    throw new CallException("index out of range: " + GoValues.print(i));
                }
                v = GoValues.box(l.get(n.intValue()));
            } else if (v instanceof String s) {
                if (!(i instanceof Long n) || n < 0 || n >= s.length()) {
                    throw new CallException("index out of range: " + GoValues.print(i));
                }
                v = (long) s.getBytes(StandardCharsets.UTF_8)[n.intValue()] & 0xff;
            } else if (v instanceof Map<?, ?> m) {
                Object found = m.get(i);
                // a missing key gives the element type's zero value: "" for the string maps templates see
                v = found != null ? GoValues.box(found) : m.values().stream().allMatch(x -> x instanceof String) ? "" : null;
            } else {
                throw new CallException("can't index item of type " + GoValues.typeName(v));
            }
        }
        return v;
    }

    private static Object slice(List<Object> a) {
        if (a.isEmpty() || a.size() > 4) {
            throw new CallException("wrong number of args for slice: want 1 to 4 got " + a.size());
        }
        Object v = GoValues.box(a.get(0));
        int len = v instanceof String s ? s.length() : v instanceof List<?> l ? l.size() : -1;
        if (len < 0) {
            throw new CallException("can't slice item of type " + GoValues.typeName(v));
        }
        int from = a.size() > 1 ? (int) toInt(a.get(1)) : 0;
        int to = a.size() > 2 ? (int) toInt(a.get(2)) : len;
        if (from < 0 || to < from || to > len) {
            throw new CallException("index out of range: " + from + ":" + to);
        }
        return v instanceof String s ? s.substring(from, to) : new ArrayList<>(((List<?>) v).subList(from, to));
    }

    private static boolean equal(Object a, Object b) {
        a = GoValues.box(a);
        b = GoValues.box(b);
        if (a == null || b == null) {
            return a == b;
        }
        if (a == GoValues.NO_VALUE || b == GoValues.NO_VALUE) {
            throw new CallException("invalid type for comparison");
        }
        if (a.getClass() != b.getClass() && !(a instanceof Map && b instanceof Map) && !(a instanceof List && b instanceof List)) {
            throw new CallException("incompatible types for comparison");
        }
        if (a instanceof Map || a instanceof List) {
            throw new CallException("non-comparable type " + GoValues.typeName(a));
        }
        return a.equals(b);
    }

    private static int compare(Object a, Object b) {
        a = GoValues.box(a);
        b = GoValues.box(b);
        if (a instanceof Long x && b instanceof Long y) {
            return Long.compare(x, y);
        }
        if (a instanceof Double x && b instanceof Double y) {
            return Double.compare(x, y);
        }
        if (a instanceof String x && b instanceof String y) {
            return GoValues.KEY_ORDER.compare(x, y);
        }
        if (a == null || b == null || a.getClass() != b.getClass()) {
            throw new CallException("incompatible types for comparison");
        }
        throw new CallException("invalid type for comparison");
    }

    private static String html(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> b.append("&amp;");
                case '\'' -> b.append("&#39;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&#34;");
                case 0 -> b.append("\uFFFD");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Go's {@code strings.Title}: a letter after a non-letter becomes upper case. */
    private static String title(String s) {
        StringBuilder b = new StringBuilder();
        boolean start = true;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(start ? Character.toTitleCase(c) : c);
            start = !Character.isLetterOrDigit(c) && c != '_' && c != '\'';
        }
        return b.toString();
    }

    private static String untitle(String s) {
        StringBuilder b = new StringBuilder();
        boolean start = true;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(start ? Character.toLowerCase(c) : c);
            start = Character.isWhitespace(c);
        }
        return b.toString();
    }

    private static String trimAll(String s, String cutset) {
        int b = 0;
        int e = s.length();
        while (b < e && cutset.indexOf(s.charAt(b)) >= 0) {
            b++;
        }
        while (e > b && cutset.indexOf(s.charAt(e - 1)) >= 0) {
            e--;
        }
        return s.substring(b, e);
    }

    private static String substr(long start, long end, String s) {
        if (start < 0) {
            return s.substring(0, (int) Math.min(Math.max(end, 0), s.length()));
        }
        if (end < 0 || end > s.length()) {
            return start > s.length() ? "" : s.substring((int) start);
        }
        return start > end ? "" : s.substring((int) start, (int) end);
    }

    private static String trunc(long c, String s) {
        if (c < 0 && s.length() + c > 0) {
            return s.substring((int) (s.length() + c));
        }
        if (c >= 0 && s.length() > c) {
            return s.substring(0, (int) c);
        }
        return s;
    }

    private static String join(List<Object> a, Function<String, String> each) {
        List<String> parts = new ArrayList<>();
        for (Object o : a) {
            if (GoValues.box(o) != null) {
                parts.add(each.apply(str(o)));
            }
        }
        return String.join(" ", parts);
    }

    private static String indent(long n, String s) {
        String pad = " ".repeat((int) Math.max(0, Math.min(n, 1000)));
        return pad + s.replace("\n", "\n" + pad);
    }

    private static List<String> split(String sep, String s) {
        List<String> out = new ArrayList<>();
        if (sep.isEmpty()) {
            s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
            return out;
        }
        int from = 0;
        while (true) {
            int at = s.indexOf(sep, from);
            if (at < 0) {
                out.add(s.substring(from));
                return out;
            }
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
    }

    private static String digest(String algorithm, String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Go's {@code ReplaceAllString}: {@code $1}, {@code $name} and {@code ${name}} expand, {@code $$} is a dollar. */
    private static String replaceAll(Pattern p, String s, String template) {
        Matcher m = p.matcher(s);
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (m.find()) {
            out.append(s, last, m.start());
            int i = 0;
            while (i < template.length()) {
                char c = template.charAt(i);
                if (c != '$' || i + 1 >= template.length()) {
                    out.append(c);
                    i++;
                    continue;
                }
                if (template.charAt(i + 1) == '$') {
                    out.append('$');
                    i += 2;
                    continue;
                }
                String name;
                int next;
                if (template.charAt(i + 1) == '{') {
                    int close = template.indexOf('}', i + 2);
                    if (close < 0) {
                        out.append(c);
                        i++;
                        continue;
                    }
                    name = template.substring(i + 2, close);
                    next = close + 1;
                } else {
                    int j = i + 1;
                    while (j < template.length() && (Character.isLetterOrDigit(template.charAt(j)) || template.charAt(j) == '_')) {
                        j++;
                    }
                    name = template.substring(i + 1, j);
                    next = j;
                }
                if (name.isEmpty()) {
                    out.append(c);
                    i++;
                    continue;
                }
                out.append(group(m, name));
                i = next;
            }
            last = m.end();
            if (m.end() == m.start() && last >= s.length()) {
                break;
            }
        }
        return out.append(s.substring(last)).toString();
    }

    private static String group(Matcher m, String name) {
        try {
            String g = name.chars().allMatch(Character::isDigit) ? m.group(Integer.parseInt(name)) : m.group(name);
            return g == null ? "" : g;
        } catch (RuntimeException e) {
            return ""; // Go expands a group that does not exist to nothing
        }
    }

    private static Pattern regex(Object p) {
        try {
            return Pattern.compile(str(p));
        } catch (PatternSyntaxException e) {
            throw new CallException("error parsing regexp: " + e.getMessage());
        }
    }
}
