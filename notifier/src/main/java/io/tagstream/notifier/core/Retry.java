package io.tagstream.notifier.core;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * When a delivery is tried again: an answer of 408, 429 or 5xx, or no answer at all, is tried again after an
 * exponential backoff ({@code initial} doubled per attempt up to {@code max}), or after the receiver's
 * {@code Retry-After} when it asks for longer; any other answer is final. A delivery still failing {@code budget}
 * after its event gives up.
 */
public record Retry(Duration initial, Duration max, Duration budget) {

    public sealed interface Verdict {}

    public record Delivered() implements Verdict {}

    public record Again(String reason, Instant at) implements Verdict {}

    public record GiveUp(String reason) implements Verdict {}

    /** What to do after attempt number {@code attempt} (1-based) answered {@code status} (absent: no answer). */
    public Verdict after(int attempt, Optional<Integer> status, boolean accepted, Optional<String> retryAfter, String problem,
            Instant created, Instant now) {
        if (status.isPresent() && accepted) {
            return new Delivered();
        }
        String reason = status.map(s -> "HTTP " + s + (problem.isEmpty() ? "" : ": " + problem)).orElse(problem);
        boolean retryable = status.isEmpty() || status.get() == 408 || status.get() == 429 || status.get() >= 500;
        if (!retryable) {
            return new GiveUp(reason + " (not retried: the receiver refused the message)");
        }
        Duration doubled = initial.multipliedBy(1L << Math.min(attempt - 1, 20));
        Duration backoff = doubled.compareTo(max) > 0 ? max : doubled;
        Optional<Duration> asked = retryAfter.flatMap(h -> parseRetryAfter(h, now));
        Duration wait = asked.filter(a -> a.compareTo(Duration.ZERO) > 0).map(a -> a.compareTo(backoff) > 0 ? a : backoff).orElse(backoff);
        Instant at = now.plus(wait);
        if (at.isAfter(created.plus(budget))) {
            return new GiveUp(reason + " after " + attempt + " attempt(s); giving up, the next try would be more than "
                    + budget.toSeconds() + "s after the event");
        }
        return new Again(reason + asked.map(a -> " (Retry-After " + a.toSeconds() + "s)").orElse(""), at);
    }

    /** {@code Retry-After} is seconds or an HTTP date. */
    static Optional<Duration> parseRetryAfter(String header, Instant now) {
        String h = header.trim();
        try {
            long seconds = Long.parseLong(h);
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
        } catch (NumberFormatException ignored) {
            // an HTTP date
        }
        try {
            Instant at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return Optional.of(at.isBefore(now) ? Duration.ZERO : Duration.between(now, at));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
