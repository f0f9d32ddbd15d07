package io.tagstream.common.access;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What an identity may do. {@code admin} may do everything; {@code approver} may also read; {@code signaler} (the scope
 * of a CI bot's token) may send signals and nothing else, not even read.
 */
public enum Role {
    VIEWER, APPROVER, SIGNALER, ADMIN;

    /** Whether holding this role is enough for {@code needed}. */
    public boolean grants(Role needed) {
        return this == needed || this == ADMIN || (this == APPROVER && needed == VIEWER);
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A comma-separated list of roles, and the names in it that are no role (empty when all are). */
    public record Parsed(Set<Role> roles, List<String> unknown) {}

    public static Parsed parseAll(String csv) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        List<String> unknown = new ArrayList<>();
        for (String r : csv.split(",")) {
            parse(r).ifPresentOrElse(roles::add, () -> unknown.add(r));
        }
        return new Parsed(roles, List.copyOf(unknown));
    }

    public static Optional<Role> parse(String s) {
        for (Role r : values()) {
            if (r.label().equals(s.trim().toLowerCase(Locale.ROOT))) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
