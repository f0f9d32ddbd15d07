package io.tagstream.common.registry.cloud;

import io.tagstream.common.registry.CredentialSource;
import io.tagstream.common.registry.RegistryException;
import io.tagstream.common.registry.RegistrySettings.Credentials;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Registry credentials a cloud issues for a limited time: fetched on first use, kept until shortly before they expire
 * (a tenth of their lifetime, at least a minute and at most fifteen — so a 12 h ECR token is renewed 15 min early,
 * not when a scan is refused), and fetched again when the registry refuses them. One fetch at a time per source;
 * the secret is never in {@link #toString()} or {@link #describe()}.
 */
public abstract class CloudToken implements CredentialSource {

    /** Credentials and when the cloud says they stop working. */
    public record Issued(Credentials credentials, Instant expires) {}

    private final Clock clock;
    private Issued cached;
    private Instant renewAt = Instant.MIN;
    private long fetches;

    protected CloudToken(Clock clock) {
        this.clock = clock;
    }

    /** Asks the cloud for new credentials; throws {@link RegistryException} naming the endpoint and its answer. */
    protected abstract Issued fetch();

    @Override
    public synchronized Optional<Credentials> current() {
        Instant now = clock.instant();
        if (cached == null || !now.isBefore(renewAt)) {
            Issued fresh = fetch();
            fetches++;
            cached = fresh;
            Duration life = Duration.between(now, fresh.expires());
            Duration early = clamp(life.dividedBy(10), Duration.ofMinutes(1), Duration.ofMinutes(15));
            renewAt = life.compareTo(early) <= 0 ? now : fresh.expires().minus(early);
        }
        return Optional.of(cached.credentials());
    }

    @Override
    public synchronized void invalidate() {
        cached = null;
    }

    @Override
    public boolean renewable() {
        return true;
    }

    @Override
    public boolean offers() {
        return true;
    }

    /** How many times the cloud was asked (for tests and metrics). */
    public synchronized long fetches() {
        return fetches;
    }

    /** When the cached credentials will be renewed; {@link Instant#MIN} before the first fetch. */
    public synchronized Instant renewAt() {
        return cached == null ? Instant.MIN : renewAt;
    }

    @Override
    public String toString() {
        return describe();
    }

    private static Duration clamp(Duration d, Duration min, Duration max) {
        return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
    }
}
