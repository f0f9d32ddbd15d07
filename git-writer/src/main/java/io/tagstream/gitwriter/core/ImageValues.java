package io.tagstream.gitwriter.core;

import java.util.Optional;

/**
 * What a setter marker may write for one policy or promotion: the image name, the tag and the digest.
 *
 * @param pin write {@code name:tag@digest} for full-reference markers
 */
public record ImageValues(String image, String tag, String digest, boolean pin) {

    /** The value for a marker's field: empty name = full reference; {@code tag}, {@code name}, {@code digest}. */
    public Optional<String> field(String field) {
        return switch (field) {
            case "" -> Optional.of(image + ":" + tag + (pin ? "@" + digest : ""));
            case "tag" -> Optional.of(tag);
            case "name" -> Optional.of(image);
            case "digest" -> Optional.of(digest);
            default -> Optional.empty();
        };
    }
}
