package io.tagstream.common.events;

import java.util.Arrays;
import java.util.Optional;

/** Each event kind with its CloudEvents {@code type}, its payload class and the topic it travels on. */
public enum EventType {
    TAG_DISCOVERED("io.tagstream.tag.discovered.v1", TagDiscovered.class, Topic.TAG_DISCOVERED),
    TAG_REMOVED("io.tagstream.tag.removed.v1", TagRemoved.class, Topic.TAG_DISCOVERED),
    POLICY_MATCHED("io.tagstream.policy.matched.v1", PolicyMatched.class, Topic.POLICY_MATCHED),
    PROMOTION_APPROVED("io.tagstream.promotion.approved.v1", PromotionApproved.class, Topic.PROMOTION_APPROVED),
    COMMIT_PUSHED("io.tagstream.commit.pushed.v1", CommitPushed.class, Topic.COMMIT_PUSHED),
    AUDIT("io.tagstream.audit.v1", AuditRecord.class, Topic.AUDIT);

    private final String ceType;
    private final Class<? extends Event> payload;
    private final Topic topic;

    EventType(String ceType, Class<? extends Event> payload, Topic topic) {
        this.ceType = ceType;
        this.payload = payload;
        this.topic = topic;
    }

    public String ceType() {
        return ceType;
    }

    public Class<? extends Event> payload() {
        return payload;
    }

    public Topic topic() {
        return topic;
    }

    public static EventType of(Class<? extends Event> payload) {
        for (EventType t : values()) {
            if (t.payload == payload) {
                return t;
            }
        }
        throw new IllegalArgumentException("not an event class: " + payload);
    }

    public static Optional<EventType> ofCeType(String ceType) {
        return Arrays.stream(values()).filter(t -> t.ceType.equals(ceType)).findFirst();
    }
}
