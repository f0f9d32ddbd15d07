package io.tagstream.poller.core;

import java.util.Optional;

/**
 * Where a hinted tag came from, carried into the tag-discovered event its check makes: the chain it continues (a
 * promotion's copy) and who pushed it (a registry notification that says).
 */
public record HintOrigin(Optional<String> correlation, Optional<String> pushedBy) {

    public static final HintOrigin NONE = new HintOrigin(Optional.empty(), Optional.empty());

    public HintOrigin {
        correlation = correlation == null ? Optional.empty() : correlation;
        pushedBy = pushedBy == null ? Optional.empty() : pushedBy;
    }

    /** Two hints for one tag before it is checked: what either knows, the earlier one first. */
    public HintOrigin merge(HintOrigin later) {
        return new HintOrigin(correlation.or(later::correlation), pushedBy.or(later::pushedBy));
    }
}
