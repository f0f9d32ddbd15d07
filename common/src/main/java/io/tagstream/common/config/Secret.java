package io.tagstream.common.config;

/** A secret value. {@link #toString()} never shows it, so a secret that ends up in a log line stays hidden. */
public final class Secret {

    private final String value;

    public Secret(String value) {
        this.value = value;
    }

    /** The value itself: call only where it is handed to a registry, git server or signature check. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "Secret(***)";
    }
}
