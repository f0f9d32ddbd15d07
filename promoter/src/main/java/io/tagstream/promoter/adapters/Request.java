package io.tagstream.promoter.adapters;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * A decision asked of the promoter over REST, sent through the requests topic to the one pod that leads, so that
 * every pod can take it and promotions never have two writers. The id names the reply the leader stores.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Request.Approve.class, name = "approve"),
        @JsonSubTypes.Type(value = Request.Reject.class, name = "reject"),
        @JsonSubTypes.Type(value = Request.Signal.class, name = "signal")})
public sealed interface Request {

    String id();

    String by();

    /** What it concerns, for the audit of a refusal: a promotion's id, or a signal's digest. */
    String subject();

    record Approve(String id, String promotion, String by, String comment) implements Request {
        @Override
        public String subject() {
            return promotion;
        }
    }

    record Reject(String id, String promotion, String by, String comment) implements Request {
        @Override
        public String subject() {
            return promotion;
        }
    }

    record Signal(String id, String signal, String digest, String by) implements Request {
        @Override
        public String subject() {
            return digest;
        }
    }
}
