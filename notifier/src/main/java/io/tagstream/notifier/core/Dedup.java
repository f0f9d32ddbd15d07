package io.tagstream.notifier.core;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Flux's duplicate suppression: an event equal to one sent in the last five minutes (same object name, namespace and
 * kind, same message, same {@code revision} metadata) is dropped. Keys are remembered with the time they were first
 * sent; the adapter stores them, so a restarted or another pod suppresses the same events.
 */
public final class Dedup {

    public static final Duration WINDOW = Duration.ofMinutes(5);

    private final Map<String, Instant> seen = new ConcurrentHashMap<>();
    private final Duration window;

    public Dedup(Duration window) {
        this.window = window;
    }

    /** Flux's event key: sha256 over the object, the message and the revision. */
    public static String key(FluxEvent e) {
        StringBuilder b = new StringBuilder("event/name=").append(e.involvedObject().name())
                .append("/namespace=").append(e.involvedObject().namespace())
                .append("/kind=").append(e.involvedObject().kind())
                .append("/message=").append(e.message());
        String revision = e.metadata().get(e.meta("revision"));
        if (revision != null) {
            b.append("/revision=").append(revision);
        }
        return io.tagstream.common.registry.RegistryClient.sha256(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** True when the key was sent within the window before {@code now}; false (and remembered) otherwise. */
    public boolean duplicate(String key, Instant now) {
        Instant first = seen.get(key);
        if (first != null && now.isBefore(first.plus(window))) {
            return true;
        }
        seen.put(key, now);
        return false;
    }

    /** A key another pod (or this one, before a restart) stored. */
    public void remember(String key, Instant at) {
        seen.merge(key, at, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** A key whose event was not sent after all: the next equal event is not a duplicate. */
    public void forget(String key) {
        seen.remove(key);
    }

    /** Keys older than the window, to forget (and tombstone). */
    public java.util.List<String> expired(Instant now) {
        java.util.List<String> old = seen.entrySet().stream().filter(e -> !now.isBefore(e.getValue().plus(window)))
                .map(Map.Entry::getKey).toList();
        old.forEach(seen::remove);
        return old;
    }
}
