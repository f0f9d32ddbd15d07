package io.tagstream.evaluator.core;

import java.util.Optional;

/**
 * The keys of the evaluator's state topic ({@code tagstream.policy-evaluator.state}), one record per kind of fact,
 * each keyed by what it was derived from. {@link #encode()} and {@link #decode} are the only places the text layout
 * lives; the parts are '|'-separated, which no part can hold (resource ids are DNS names, repositories and tags follow
 * the OCI grammar).
 */
public sealed interface StateKey {

    String encode();

    /** A known tag of an image, as read for an ImageRepository: {@code tag|<imageRepository>|<repository>|<tag>}. */
    record Tag(String imageRepository, String repository, String tag) implements StateKey {
        @Override
        public String encode() {
            return "tag|" + imageRepository + "|" + repository + "|" + tag;
        }
    }

    /** A known tag under the layout from before the image was part of the key: {@code tag|<imageRepository>|<tag>}. */
    record LegacyTag(String imageRepository, String tag) implements StateKey {
        @Override
        public String encode() {
            return "tag|" + imageRepository + "|" + tag;
        }
    }

    /** The scan batch being read for an image: {@code scan|<imageRepository>|<repository>} → scan id. */
    record Scan(String imageRepository, String repository) implements StateKey {
        @Override
        public String encode() {
            return "scan|" + imageRepository + "|" + repository;
        }
    }

    /** A policy's announced selection: {@code selection|<policy>}. */
    record Selected(String policy) implements StateKey {
        @Override
        public String encode() {
            return "selection|" + policy;
        }
    }

    /** The key a record was stored under, or empty for one this version does not know (left alone). */
    static Optional<StateKey> decode(String key) {
        String[] k = key.split("\\|", -1);
        return Optional.ofNullable(switch (k[0]) {
            case "tag" -> k.length == 4 ? new Tag(k[1], k[2], k[3]) : k.length == 3 ? new LegacyTag(k[1], k[2]) : null;
            case "scan" -> k.length == 3 ? new Scan(k[1], k[2]) : null;
            case "selection" -> k.length == 2 ? new Selected(k[1]) : null;
            default -> null;
        });
    }
}
