package io.tagstream.common.gotemplate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A Go struct as a template sees it: named fields in declaration order (how {@code %v} prints them and how map keys of
 * this type sort), methods without arguments, and optionally a {@code String()} method, which printing uses instead.
 * Equality is by type name and fields, as Go compares comparable structs.
 */
public final class GoStruct {

    private final String type;
    private final LinkedHashMap<String, Object> fields;
    private final Map<String, Supplier<Object>> methods;
    private final String string;

    private GoStruct(String type, LinkedHashMap<String, Object> fields, Map<String, Supplier<Object>> methods, String string) {
        this.type = type;
        this.fields = fields;
        this.methods = methods;
        this.string = string;
    }

    /** A struct of the given type and fields, in their declaration order. */
    public static GoStruct of(String type, Map<String, ?> fields) {
        return new GoStruct(type, new LinkedHashMap<>(fields), Map.of(), null);
    }

    /** The same struct with methods a template can call without arguments ({@code .Changed.Objects}). */
    public GoStruct withMethods(Map<String, Supplier<Object>> methods) {
        return new GoStruct(type, fields, Map.copyOf(methods), string);
    }

    /** The same struct with a {@code String()} method returning this text. */
    public GoStruct withString(String text) {
        return new GoStruct(type, fields, methods, text);
    }

    public String type() {
        return type;
    }

    Map<String, Object> fields() {
        return fields;
    }

    /** The field or method's value; empty when the type has neither. */
    Optional<Object> member(String name) {
        if (fields.containsKey(name)) {
            return Optional.of(GoValues.box(fields.get(name)));
        }
        Supplier<Object> m = methods.get(name);
        return m == null ? Optional.empty() : Optional.of(GoValues.box(m.get()));
    }

    Optional<String> string() {
        return Optional.ofNullable(string);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GoStruct s && s.type.equals(type) && s.fields.equals(fields);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, fields);
    }

    @Override
    public String toString() {
        return GoValues.print(this);
    }
}
