package io.tagstream.evaluator.core;

import io.tagstream.common.config.ImagePolicy;
import java.time.Instant;
import java.util.Optional;

/**
 * What the evaluator knows of one tag: its digest, and the times a {@code newest} policy orders it by, as the poller
 * reported them ({@code TagDiscovered.pushedAt}, {@code builtAt}).
 */
public record TagFacts(String digest, Optional<Instant> pushed, Optional<Instant> built) {

    public TagFacts {
        pushed = pushed == null ? Optional.empty() : pushed;
        built = built == null ? Optional.empty() : built;
    }

    public TagFacts(String digest) {
        this(digest, Optional.empty(), Optional.empty());
    }

    /** The time {@code by} orders this tag by. */
    public Optional<Instant> time(ImagePolicy.By by) {
        return by == ImagePolicy.By.BUILT ? built : pushed;
    }
}
