package io.tagstream.gitwriter.core;

/**
 * The keys of git-writer's state topic ({@code tagstream.git-writer.state}). {@link #encode()} and {@link #decode}
 * are the only places the text layout lives: a ref written into a marker is stored under {@code <scope>|<marker>} (a
 * scope is {@code <automation>@<repository URL>#<branch>:<path>}, see {@link Ledger#scope}; entries from before scopes
 * have the automation's id alone), a ref the marker's file blocked under {@code blocked|<scope>|<marker>}, and a push
 * about to happen under {@code intent|<branch>}, a pull-request proposal under {@code pr|<scope>}. Markers never hold a '|' ({@code <namespace>:<name>}); a scope may
 * (a URL's query), so the marker is what follows the last one.
 */
public sealed interface StateKey {

    String BLOCKED = "blocked|";
    String INTENT = "intent|";
    String PROPOSED = "pr|";

    String encode();

    /** The ref last written into a marker of a scope (a ledger entry). */
    record Written(String scope, String marker) implements StateKey {
        @Override
        public String encode() {
            return scope + "|" + marker;
        }

        /** An entry stored before scopes, under the automation's id alone (no '@'). */
        public boolean beforeScopes() {
            return !scope.contains("@");
        }

        /** The automation the scope belongs to. */
        public String automation() {
            int at = scope.indexOf('@');
            return at < 0 ? scope : scope.substring(0, at);
        }
    }

    /** A ref that could not be written because the marker's file has a problem, kept to be tried again. */
    record Blocked(String scope, String marker) implements StateKey {
        @Override
        public String encode() {
            return BLOCKED + scope + "|" + marker;
        }
    }

    /** A commit about to be pushed to a branch ({@code <repository URL>#<branch>}). */
    record Intent(String branch) implements StateKey {
        @Override
        public String encode() {
            return INTENT + branch;
        }
    }

    /** What an automation in pull-request mode proposes ({@link Proposal}), by scope. */
    record Proposed(String scope) implements StateKey {
        @Override
        public String encode() {
            return PROPOSED + scope;
        }
    }

    /** The key a record was stored under; one with no '|' at all is not a layout any version wrote. */
    static java.util.Optional<StateKey> decode(String key) {
        if (key.startsWith(PROPOSED)) {
            return java.util.Optional.of(new Proposed(key.substring(PROPOSED.length())));
        }
        if (key.startsWith(INTENT)) {
            return java.util.Optional.of(new Intent(key.substring(INTENT.length())));
        }
        boolean blocked = key.startsWith(BLOCKED);
        String rest = blocked ? key.substring(BLOCKED.length()) : key;
        int bar = rest.lastIndexOf('|');
        if (bar <= 0) {
            return java.util.Optional.empty();
        }
        String scope = rest.substring(0, bar);
        String marker = rest.substring(bar + 1);
        return java.util.Optional.of(blocked ? new Blocked(scope, marker) : new Written(scope, marker));
    }
}
