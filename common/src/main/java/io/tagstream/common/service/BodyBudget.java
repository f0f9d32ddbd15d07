package io.tagstream.common.service;

import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many bytes of request bodies a service holds at once while they arrive. A body reserves what it declares
 * ({@code Content-Length}, at least {@link #MIN_RESERVATION}; a chunked body the largest body allowed) before the first
 * byte is read, and gives it back when its response is sent. A request that does not fit is refused at once (503 with
 * Retry-After) instead of being buffered: 96 bodies of 3 MiB can no longer exhaust the heap, and a thousand slow
 * senders hold a bounded amount of memory. Plain Java, shared by the {@link BodyIntake} of every service.
 */
public final class BodyBudget {

    /** The least a body reserves, so that many small slow bodies are bounded too. */
    public static final long MIN_RESERVATION = 64 * 1024;

    private final long capacity;
    private final long maxBody;
    private final AtomicLong used = new AtomicLong();

    public BodyBudget(long capacity, long maxBody) {
        if (capacity < MIN_RESERVATION || maxBody <= 0) {
            throw new IllegalArgumentException("a body budget of " + capacity + " bytes cannot hold one body (at least "
                    + MIN_RESERVATION + ")");
        }
        this.capacity = capacity;
        this.maxBody = maxBody;
    }

    /** What a body of the declared length (empty: chunked) would reserve. */
    public long cost(OptionalLong declared) {
        long want = declared.isPresent() ? Math.min(declared.getAsLong(), maxBody) : maxBody;
        return Math.min(capacity, Math.max(MIN_RESERVATION, want));
    }

    /** Reserves the body's cost and returns it, or empty (nothing reserved) when it does not fit now. */
    public OptionalLong reserve(OptionalLong declared) {
        long cost = cost(declared);
        while (true) {
            long now = used.get();
            if (now + cost > capacity) {
                return OptionalLong.empty();
            }
            if (used.compareAndSet(now, now + cost)) {
                return OptionalLong.of(cost);
            }
        }
    }

    public void release(long reserved) {
        used.addAndGet(-reserved);
    }

    public long used() {
        return used.get();
    }

    public long capacity() {
        return capacity;
    }
}
