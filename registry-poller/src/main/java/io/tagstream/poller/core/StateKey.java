package io.tagstream.poller.core;

import java.util.Optional;

/**
 * The key of the poller's state topic ({@code tagstream.registry-poller.state}): one known tag of an ImageRepository,
 * {@code <namespace>/<name>|<tag>}. {@link #encode()} and {@link #decode} are the only places the text layout lives;
 * neither part can hold a '|' (a DNS name and an OCI tag).
 */
public record StateKey(String imageRepository, String tag) {

    public String encode() {
        return imageRepository + "|" + tag;
    }

    /** The key a record was stored under, or empty for one this version does not know (left alone). */
    public static Optional<StateKey> decode(String key) {
        int bar = key.indexOf('|');
        return bar <= 0 || key.indexOf('|', bar + 1) >= 0 ? Optional.empty()
                : Optional.of(new StateKey(key.substring(0, bar), key.substring(bar + 1)));
    }
}
