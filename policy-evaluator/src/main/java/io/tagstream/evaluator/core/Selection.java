package io.tagstream.evaluator.core;

import java.util.Objects;

/**
 * A selected tag with the digest it pointed at when selected, and the image (canonical repository) it was selected
 * from; {@code image} is null in selections stored before it was kept, which are taken to be of the image configured.
 */
public record Selection(String image, String tag, String digest) {

    public Selection(String tag, String digest) {
        this(null, tag, digest);
    }

    /** Whether this selection was made from {@code canonical}. */
    public boolean of(String canonical) {
        return image == null || Objects.equals(image, canonical);
    }
}
