package io.tagstream.promoter.core;

/**
 * The keys of the promoter's state topic ({@code tagstream.promoter.state}): a promotion's newest version under its
 * id, the leader's reply to a request under {@code reply/<request id>}, and the mirrors' facts (source tags, copies). {@link #encode()} and {@link #decode} are
 * the only places the text layout lives; a promotion id never holds a '/' (it is made of resource names, a tag and a
 * digest prefix, joined by dots).
 */
public sealed interface StateKey {

    String REPLY = "reply/";
    String MIRROR_SOURCE = "mirror-source/";
    String MIRROR_COPY = "mirror-copy/";
    String MIRROR_SCAN = "mirror-scan/";

    String encode();

    /** A promotion: its id. */
    record OfPromotion(String id) implements StateKey {
        @Override
        public String encode() {
            return id;
        }
    }

    /** The leader's reply to a request: {@code reply/<request id>}. */
    record OfReply(String request) implements StateKey {
        @Override
        public String encode() {
            return REPLY + request;
        }
    }

    /**
     * A tag of a mirror's source as the poller reported it, keyed by what it was read from:
     * {@code mirror-source/<mirror>|<canonical source repository>|<tag>} → {@link MirrorPlan.SourceTag}.
     */
    record MirrorSource(String mirror, String repository, String tag) implements StateKey {
        @Override
        public String encode() {
            return MIRROR_SOURCE + mirror + "|" + repository + "|" + tag;
        }
    }

    /**
     * A destination tag a mirror copied (or found holding its digest): {@code mirror-copy/<canonical destination
     * repository>|<tag>} → {@link MirrorPlan.Copy}; what makes a copy happen once and what prune may delete.
     */
    record MirrorCopy(String repository, String tag) implements StateKey {
        @Override
        public String encode() {
            return MIRROR_COPY + repository + "|" + tag;
        }
    }

    /**
     * A scan of a mirror's source being read (its batch has not ended): {@code mirror-scan/<mirror>|<repository>} → the
     * scan id. The mirror is not planned on a part of a listing; the record is removed at the batch's last event.
     */
    record MirrorScan(String mirror, String repository) implements StateKey {
        @Override
        public String encode() {
            return MIRROR_SCAN + mirror + "|" + repository;
        }
    }

    static StateKey decode(String key) {
        if (key.startsWith(MIRROR_SCAN)) {
            String[] p = key.substring(MIRROR_SCAN.length()).split("\\|", -1);
            if (p.length == 2) {
                return new MirrorScan(p[0], p[1]);
            }
        }
        if (key.startsWith(MIRROR_SOURCE)) {
            String[] p = key.substring(MIRROR_SOURCE.length()).split("\\|", -1);
            if (p.length == 3) {
                return new MirrorSource(p[0], p[1], p[2]);
            }
        }
        if (key.startsWith(MIRROR_COPY)) {
            String[] p = key.substring(MIRROR_COPY.length()).split("\\|", -1);
            if (p.length == 2) {
                return new MirrorCopy(p[0], p[1]);
            }
        }
        return key.startsWith(REPLY) ? new OfReply(key.substring(REPLY.length())) : new OfPromotion(key);
    }
}
