package io.tagstream.poller.core;

import io.tagstream.common.config.ImageRepository;
import java.time.Duration;
import java.time.Instant;

/** When an ImageRepository is scanned: pure functions of its spec and the clock. */
public final class Schedule {

    private Schedule() {}

    /**
     * The first scan after start: at a point fixed by the repository's name within the first tenth of its interval
     * (at most 30 s), so a restart does not hit every registry at once.
     */
    public static Instant first(ImageRepository repo, Instant now) {
        long window = Math.min(repo.interval().toMillis() / 10, 30_000);
        return now.plusMillis(window <= 0 ? 0 : Math.floorMod(repo.id().toString().hashCode(), window));
    }

    /**
     * The scan after one that began at {@code began}. The interval runs from the start of a scan, so a 1 s interval
     * scans every second; a scan that outlasted its interval still leaves the registry one interval of rest. A scan of
     * the old image that was under way when {@code spec.image} moved leaves the new image due at once.
     */
    public static Instant next(ImageRepository repo, Instant began, Instant now, boolean imageMoved) {
        if (imageMoved) {
            return now;
        }
        Instant next = began.plus(repo.interval());
        return next.isAfter(now) ? next : now.plus(repo.interval());
    }

    /** How long one scan may take: {@code spec.timeout}, else the interval, but at least five minutes. */
    public static Duration timeout(ImageRepository repo) {
        return repo.timeout().orElse(repo.interval().compareTo(Duration.ofMinutes(5)) < 0 ? Duration.ofMinutes(5) : repo.interval());
    }
}
