package io.tagstream.notifier.core;

import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CommitPushed;
import io.tagstream.common.events.PolicyMatched;

/**
 * A record the notifier reads, with the id of the CloudEvent it came in: what a delivery is keyed by, so a redelivered
 * record is sent at most once.
 */
public sealed interface Input {

    String eventId();

    record Audited(String eventId, AuditRecord record) implements Input {}

    record Selected(String eventId, PolicyMatched matched) implements Input {}

    record Pushed(String eventId, CommitPushed pushed) implements Input {}
}
