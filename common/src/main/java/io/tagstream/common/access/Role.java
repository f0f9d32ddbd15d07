package io.tagstream.common.access;

import java.util.Locale;
import java.util.Optional;

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

    public static Optional<Role> parse(String s) {
        for (Role r : values()) {
            if (r.label().equals(s.trim().toLowerCase(Locale.ROOT))) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
