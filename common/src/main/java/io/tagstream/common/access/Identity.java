package io.tagstream.common.access;

import java.util.Objects;
import java.util.Set;

/**
 * Who a request comes from, as authenticated.
 *
 * @param id what the audit and a promotion's history record: {@code user:<name>} for an OIDC/JWT user,
 *     {@code token:<name>} for an API token, {@code user:<by>} under the local-development switch
 * @param groups the token's groups (JWT only), which approver lists may name
 */
public record Identity(String id, Set<String> groups, Set<Role> roles, Kind kind) {

    public enum Kind {
        /** an OIDC/JWT bearer token */
        USER,
        /** a static API token */
        TOKEN,
        /** nobody verified: the local-development switch let every caller in */
        LOCAL_DEVELOPMENT,
        /** a request no rule asked an identity of (an open read) */
        ANONYMOUS
    }

    public static final Identity ANONYMOUS = new Identity("anonymous", Set.of(), Set.of(), Kind.ANONYMOUS);

    public Identity {
        Objects.requireNonNull(id, "id");
        groups = Set.copyOf(groups);
        roles = Set.copyOf(roles);
    }

    public boolean authenticated() {
        return kind == Kind.USER || kind == Kind.TOKEN;
    }

    /** The name without its kind: {@code alice} for {@code user:alice}. */
    public String name() {
        return id.substring(id.indexOf(':') + 1);
    }

    public boolean has(Role needed) {
        return roles.stream().anyMatch(r -> r.grants(needed));
    }

    /**
     * The identity to record for a decision whose body says {@code by}: an authenticated identity is itself, whatever
     * the body claims (the body's {@code by} is then at most a comment); only a caller let in by the local-development
     * switch is taken at its word.
     */
    public Identity claiming(String by) {
        return kind == Kind.LOCAL_DEVELOPMENT ? localDevelopment(by) : this;
    }

    /** Everyone, with every role: what the local-development switch makes of any caller. */
    public static Identity localDevelopment(String by) {
        String name = by == null || by.isBlank() ? "local-developer" : by;
        return new Identity("user:" + name, Set.of(), Set.of(Role.ADMIN), Kind.LOCAL_DEVELOPMENT);
    }
}
