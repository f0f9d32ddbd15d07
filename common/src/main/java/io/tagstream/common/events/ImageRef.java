package io.tagstream.common.events;

import java.util.Optional;

/**
 * An image reference {@code repository[:tag][@digest]} as it travels in events: typed in the records, one string on
 * the wire ({@link #toString()} writes it, {@link #parse} reads it). The repository may carry a registry port
 * ({@code localhost:5000/app}), so the tag separator is the last colon after the last slash.
 */
public record ImageRef(String repository, Optional<String> tag, Optional<String> digest) {

    public ImageRef {
        if (repository == null || repository.isBlank()) {
            throw new IllegalArgumentException("image reference has no repository");
        }
        tag = tag == null ? Optional.empty() : tag;
        digest = digest == null ? Optional.empty() : digest;
    }

    @com.fasterxml.jackson.annotation.JsonCreator(mode = com.fasterxml.jackson.annotation.JsonCreator.Mode.DELEGATING)
    public static ImageRef parse(String ref) {
        if (ref == null || ref.isBlank()) {
            throw new IllegalArgumentException("empty image reference");
        }
        String rest = ref.trim();
        Optional<String> digest = Optional.empty();
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = Optional.of(rest.substring(at + 1));
            rest = rest.substring(0, at);
        }
        Optional<String> tag = Optional.empty();
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = Optional.of(rest.substring(colon + 1));
            rest = rest.substring(0, colon);
        }
        return new ImageRef(rest, tag, digest);
    }

    public static ImageRef of(String repository, String tag, String digest) {
        return new ImageRef(repository, Optional.ofNullable(tag), Optional.ofNullable(digest));
    }

    @com.fasterxml.jackson.annotation.JsonValue
    @Override
    public String toString() {
        return repository + tag.map(t -> ":" + t).orElse("") + digest.map(d -> "@" + d).orElse("");
    }
}
