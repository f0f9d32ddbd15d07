package io.tagstream.common.config;

import java.util.Objects;

/** A resource's namespace and name. Printed as {@code ns/name}; Flux setter markers spell it {@code ns:name}. */
public record ResourceId(String namespace, String name) implements Comparable<ResourceId> {

    public static final String DEFAULT_NAMESPACE = "default";

    public ResourceId {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
    }

    /** Parses {@code ns/name} or {@code ns:name}; a bare name is in the default namespace. */
    public static ResourceId parse(String s) {
        int i = s.indexOf('/');
        if (i < 0) {
            i = s.indexOf(':');
        }
        return i < 0 ? new ResourceId(DEFAULT_NAMESPACE, s) : new ResourceId(s.substring(0, i), s.substring(i + 1));
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }

    @Override
    public int compareTo(ResourceId o) {
        int c = namespace.compareTo(o.namespace);
        return c != 0 ? c : name.compareTo(o.name);
    }
}
