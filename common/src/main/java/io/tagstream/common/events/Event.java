package io.tagstream.common.events;

/** A payload on one of Tagstream's topics. The key keeps the ordering that matters for that topic. */
public sealed interface Event permits TagDiscovered, TagRemoved, PolicyMatched, PromotionApproved, CommitPushed, AuditRecord {

    /** The Kafka record key: records with the same key land on one partition and are consumed in order. */
    String key();

    /** The CloudEvents {@code subject}: what the event is about, readable by a person or a bot. */
    String subject();

    default EventType type() {
        return EventType.of(getClass());
    }
}
