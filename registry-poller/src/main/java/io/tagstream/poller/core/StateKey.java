package io.tagstream.poller.core;

import java.util.Optional;

/**
 * The keys of the poller's state topic ({@code tagstream.registry-poller.state}). {@link #encode()} and {@link #decode}
 * are the only places the text layouts live; no part can hold a '|' (a DNS name, an OCI tag, a Kubernetes name).
 * <ul>
 *   <li>{@link Tag}: one known tag of an ImageRepository, {@code <namespace>/<name>|<tag>};
 *   <li>{@link Selected}: the tag a policy selected last, as policy-matched announced it,
 *       {@code policy|<namespace>/<name>|selected} (two bars, so versions before it leave it alone).
 * </ul>
 */
public sealed interface StateKey permits StateKey.Tag, StateKey.Selected {

    String encode();

    record Tag(String imageRepository, String tag) implements StateKey {
        @Override
        public String encode() {
            return imageRepository + "|" + tag;
        }
    }

    record Selected(String policy) implements StateKey {
        @Override
        public String encode() {
            return "policy|" + policy + "|selected";
        }
    }

    /** The key a record was stored under, or empty for one this version does not know (left alone). */
    static Optional<StateKey> decode(String key) {
        String[] parts = key.split("\\|", -1);
        if (parts.length == 2 && !parts[0].isEmpty()) {
            return Optional.of(new Tag(parts[0], parts[1]));
        }
        if (parts.length == 3 && parts[0].equals("policy") && parts[1].contains("/") && parts[2].equals("selected")) {
            return Optional.of(new Selected(parts[1]));
        }
        return Optional.empty();
    }
}
