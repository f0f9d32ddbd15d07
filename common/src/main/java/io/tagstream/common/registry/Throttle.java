package io.tagstream.common.registry;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Keeps one registry under its request rate (a token bucket allowing short bursts) and its concurrency limit, and
 * pauses everyone when the registry says to slow down ({@code Retry-After}, {@code RateLimit-Reset}).
 */
final class Throttle {

    private final double ratePerNano;
    private final double burst;
    private final Semaphore inFlight;
    private double tokens;
    private long refilledAt = System.nanoTime();
    private long pausedUntil;
    private long waits;

    Throttle(double requestsPerSecond, int maxConcurrency) {
        this.ratePerNano = requestsPerSecond / 1e9;
        this.burst = Math.max(1, requestsPerSecond);
        this.tokens = burst;
        this.inFlight = new Semaphore(Math.max(1, maxConcurrency), true);
    }

    /** Blocks until a request may start; the caller must {@link #release()} when it ends. */
    void acquire() throws InterruptedException {
        inFlight.acquire();
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - refilledAt) * ratePerNano);
            refilledAt = now;
            tokens -= 1;
            wait = Math.max(pausedUntil - now, tokens < 0 ? (long) (-tokens / ratePerNano) : 0);
            if (wait > 0) {
                waits++;
            }
        }
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    void release() {
        inFlight.release();
    }

    /** The registry asked for a pause: nobody starts a request towards it before then. */
    synchronized void pauseFor(long nanos) {
        pausedUntil = Math.max(pausedUntil, System.nanoTime() + nanos);
    }

    synchronized long waits() {
        return waits;
    }
}
