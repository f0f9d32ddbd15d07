package io.tagstream.evaluator.core;

import java.time.Instant;
import java.util.Optional;

/** The time a {@code newest} policy orders a tag by, as the poller reported it; empty when not known. */
@FunctionalInterface
public interface OrderTimes {

    OrderTimes NONE = tag -> Optional.empty();

    Optional<Instant> of(String tag);
}
