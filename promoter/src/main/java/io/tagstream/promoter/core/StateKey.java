package io.tagstream.promoter.core;

/**
 * The keys of the promoter's state topic ({@code tagstream.promoter.state}): a promotion's newest version under its
 * id, and the leader's reply to a request under {@code reply/<request id>}. {@link #encode()} and {@link #decode} are
 * the only places the text layout lives; a promotion id never holds a '/' (it is made of resource names, a tag and a
 * digest prefix, joined by dots).
 */
public sealed interface StateKey {

    String REPLY = "reply/";

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

    static StateKey decode(String key) {
        return key.startsWith(REPLY) ? new OfReply(key.substring(REPLY.length())) : new OfPromotion(key);
    }
}
