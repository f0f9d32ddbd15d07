package io.tagstream.common.config;

/**
 * A resource left out of the configuration in force because something it refers to is not there, as Flux marks such
 * an object not Ready; the status APIs list it with {@code reason} as its error.
 *
 * @param kind e.g. {@code ImagePolicy}
 * @param reason what is missing, with the file and line to look at
 */
public record NotReady(String kind, ResourceId id, String reason) {

    @Override
    public String toString() {
        return kind + " " + id + ": " + reason;
    }
}
