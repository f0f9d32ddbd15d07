package io.tagstream.poller.adapters;

import io.tagstream.common.config.Receiver;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.Secret;
import io.tagstream.common.config.Secrets;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.service.ConfigWatch;
import io.tagstream.poller.core.ImageOwners;
import io.tagstream.poller.core.WebhookAuth;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which Receiver a webhook path names, with its token, for the REST resource and for the check made before a body is
 * read. Tokens are read from their secrets once per configuration and again at most every 10 seconds (a rotated
 * token takes effect within that), never once per request: the early check runs on the HTTP event loop.
 */
@ApplicationScoped
public class Receivers {

    static final Duration REREAD = Duration.ofSeconds(10);

    /** A configured Receiver, its token if its secret has one, and the Flux {@code /hook/} digest that token gives. */
    public record Keyed(Receiver receiver, Optional<String> token, Optional<String> fluxPath) {}

    private record Snapshot(TagstreamConfig config, Instant readAt, List<Keyed> receivers) {}

    @Inject
    ConfigWatch config;

    @Inject
    Secrets secrets;

    private volatile Snapshot snapshot;

    List<Keyed> all() {
        TagstreamConfig cfg = config.config();
        Snapshot s = snapshot;
        Instant now = Instant.now();
        if (s == null || s.config() != cfg || Duration.between(s.readAt(), now).compareTo(REREAD) >= 0) {
            List<Keyed> keyed = new ArrayList<>();
            for (Receiver r : cfg.receivers()) {
                Optional<String> token = secrets.get(new ResourceId(r.id().namespace(), r.secretRef()), "token").map(Secret::reveal);
                keyed.add(new Keyed(r, token, token.map(t -> WebhookAuth.fluxHookPath(t, r.id().name(), r.id().namespace()))));
            }
            s = new Snapshot(cfg, now, List.copyOf(keyed));
            snapshot = s;
        }
        return s.receivers();
    }

    /**
     * The Receiver of {@code /api/v1/webhooks/<type>/<ns>/<name>}: one of that type with that name, else one of that
     * type that covers the ImageRepository of that name.
     */
    public Optional<Keyed> named(String type, String ns, String name) {
        TagstreamConfig cfg = config.config();
        ResourceId id = new ResourceId(ns, name);
        List<Keyed> all = all();
        return all.stream().filter(k -> k.receiver().id().equals(id) && k.receiver().type().equals(type)).findFirst()
                .or(() -> all.stream().filter(k -> k.receiver().type().equals(type))
                        .filter(k -> ImageOwners.triggeredBy(k.receiver(), cfg).stream().anyMatch(repo -> repo.id().equals(id)))
                        .findFirst());
    }

    /** The Receiver whose token, name and namespace hash to this {@code /hook/} path (compared in constant time). */
    public Optional<Keyed> byFluxPath(String digest) {
        Keyed found = null;
        for (Keyed k : all()) {
            if (k.fluxPath().isPresent() && WebhookAuth.constantTimeEquals(digest, k.fluxPath().get()) && found == null) {
                found = k;
            }
        }
        return Optional.ofNullable(found);
    }
}
