package io.tagstream.promoter.adapters;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.promoter.core.Gates;
import java.time.Instant;

/**
 * What travels through the requests topic to the one pod that leads, so that every pod can take decisions and
 * promotions never have two writers: a selection that opens promotions, or a decision asked over REST. The id of a
 * decision names the reply the leader stores.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Request.Open.class, name = "open"),
        @JsonSubTypes.Type(value = Request.Approve.class, name = "approve"),
        @JsonSubTypes.Type(value = Request.Reject.class, name = "reject"),
        @JsonSubTypes.Type(value = Request.Signal.class, name = "signal")})
public sealed interface Request {

    String id();

    /** A selection gated by one or more ImagePromotions: open their promotions. Its id is the policy-matched event's. */
    record Open(String id, String source, Instant time, String correlationId, PolicyMatched match) implements Request {

        static Open of(CloudEvent<PolicyMatched> event) {
            return new Open(event.id(), event.source(), event.time(), event.correlationId(), event.data());
        }

        /** The policy-matched event this came from, as the cause of what it opens. */
        CloudEvent<PolicyMatched> event() {
            return new CloudEvent<>(id, source, time, correlationId, match);
        }
    }

    /**
     * A decision taken by someone over REST; answered with a {@link Reply}. {@code by} is the caller's authenticated
     * identity ({@code user:alice}, {@code token:ci}; a bare name in requests stored before identities were kept) and
     * {@code groups} its groups, which approver lists may name.
     */
    sealed interface Decision extends Request {

        String by();

        java.util.List<String> groups();

        default Gates.Caller caller() {
            return new Gates.Caller(by(), groups() == null ? java.util.Set.of() : java.util.Set.copyOf(groups()));
        }

        /** What it concerns, for the audit of a refusal: a promotion's id, or a signal's digest. */
        String subject();
    }

    record Approve(String id, String promotion, String by, java.util.List<String> groups, String comment) implements Decision {
        @Override
        public String subject() {
            return promotion;
        }
    }

    record Reject(String id, String promotion, String by, java.util.List<String> groups, String comment) implements Decision {
        @Override
        public String subject() {
            return promotion;
        }
    }

    record Signal(String id, String signal, String digest, String by, java.util.List<String> groups) implements Decision {
        @Override
        public String subject() {
            return digest;
        }
    }
}
