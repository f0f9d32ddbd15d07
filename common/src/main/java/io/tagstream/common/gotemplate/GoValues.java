package io.tagstream.common.gotemplate;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Go's view of template values: what prints how ({@code fmt}'s {@code %v}), what is true, how map keys sort (Go's
 * {@code fmtsort}: numbers by value, strings by their UTF-8 bytes, structs field by field), and the type names Go puts
 * in its error messages. Values are {@code String}, {@code Long}, {@code Double}, {@code Boolean}, {@code null}
 * (Go's nil), {@link #NO_VALUE} (a missing map entry), {@code List}, {@code Map} and {@link GoStruct}.
 */
final class GoValues {

    /** What a missing map key evaluates to: prints as {@code <no value>}, is false, and has no fields. */
    static final Object NO_VALUE = new Object() {
        @Override
        public String toString() {
            return "<no value>";
        }
    };

    private GoValues() {}

    /** Brings a Java value to the few types the interpreter works with. */
    static Object box(Object v) {
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        if (v instanceof Character c) {
            return String.valueOf(c);
        }
        if (v instanceof Object[] a) {
            return Arrays.asList(a);
        }
        if (v instanceof Collection<?> c && !(v instanceof List<?>)) {
            return new ArrayList<>(c);
        }
        return v;
    }

    /** Go's truth: false, 0, nil, the empty string, list and map are false; every struct is true. */
    static boolean truth(Object v) {
        v = box(v);
        if (v == null || v == NO_VALUE) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Long l) {
            return l != 0;
        }
        if (v instanceof Double d) {
            return d != 0;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof List<?> l) {
            return !l.isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return true;
    }

    /** {@code fmt.Sprint(v)} for one value: {@code %v}, using a struct's {@code String()} where it has one. */
    static String print(Object v) {
        StringBuilder b = new StringBuilder();
        print(b, box(v));
        return b.toString();
    }

    private static void print(StringBuilder b, Object v) {
        if (v == null) {
            b.append("<nil>");
        } else if (v == NO_VALUE) {
            b.append("<no value>");
        } else if (v instanceof String s) {
            b.append(s);
        } else if (v instanceof Double d) {
            b.append(formatFloat(d));
        } else if (v instanceof GoStruct s) {
            if (s.string().isPresent()) {
                b.append(s.string().get());
                return;
            }
            b.append('{');
            boolean first = true;
            for (Object f : s.fields().values()) {
                if (!first) {
                    b.append(' ');
                }
                first = false;
                print(b, box(f));
            }
            b.append('}');
        } else if (v instanceof List<?> l) {
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    b.append(' ');
                }
                print(b, box(l.get(i)));
            }
            b.append(']');
        } else if (v instanceof Map<?, ?> m) {
            b.append("map[");
            boolean first = true;
            for (Object k : sortedKeys(m)) {
                if (!first) {
                    b.append(' ');
                }
                first = false;
                print(b, box(k));
                b.append(':');
                print(b, box(m.get(k)));
            }
            b.append(']');
        } else {
            b.append(v);
        }
    }

    /** Go's {@code %v} of a float64: the shortest form, exponent past 1e21. */
    static String formatFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "+Inf" : "-Inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0" : "0";
        }
        BigDecimal bd = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exp = bd.precision() - bd.scale() - 1;
        if (exp >= -4 && exp < 21) {
            return bd.toPlainString();
        }
        String digits = bd.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (d < 0 ? "-" : "") + mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }

    /** Keys in the order Go prints and ranges over them. */
    static List<Object> sortedKeys(Map<?, ?> m) {
        List<Object> keys = new ArrayList<>(m.keySet());
        keys.sort(KEY_ORDER);
        return keys;
    }

    static final Comparator<Object> KEY_ORDER = GoValues::compareKeys;

    private static int compareKeys(Object a, Object b) {
        a = box(a);
        b = box(b);
        if (a instanceof String x && b instanceof String y) {
            return Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8));
        }
        if (a instanceof Number x && b instanceof Number y) {
            return Double.compare(x.doubleValue(), y.doubleValue());
        }
        if (a instanceof Boolean x && b instanceof Boolean y) {
            return Boolean.compare(x, y);
        }
        if (a instanceof GoStruct x && b instanceof GoStruct y) {
            List<Object> xs = new ArrayList<>(x.fields().values());
            List<Object> ys = new ArrayList<>(y.fields().values());
            for (int i = 0; i < Math.min(xs.size(), ys.size()); i++) {
                int c = compareKeys(xs.get(i), ys.get(i));
                if (c != 0) {
                    return c;
                }
            }
            return Integer.compare(xs.size(), ys.size());
        }
        return typeName(a).compareTo(typeName(b));
    }

    /** The Go type name used in messages such as {@code %!d(string=x)}. */
    static String typeName(Object v) {
        v = box(v);
        if (v == null || v == NO_VALUE) {
            return "<nil>";
        }
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof Long) {
            return "int";
        }
        if (v instanceof Double) {
            return "float64";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof List<?>) {
            return "[]interface {}";
        }
        if (v instanceof Map<?, ?>) {
            return "map[string]interface {}";
        }
        if (v instanceof GoStruct s) {
            return s.type();
        }
        return v.getClass().getSimpleName();
    }
}
