package io.tagstream.poller.adapters;

import io.tagstream.common.service.ConfigWatch;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tagstream.common.config.ImageRepository;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.Secrets;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.Json;
import io.tagstream.common.events.TagDiscovered.DiscoverySource;
import io.tagstream.common.registry.RegistryClient;
import io.tagstream.common.registry.RepositoryName;
import io.tagstream.common.state.CompactedTopic;
import io.tagstream.poller.core.KnownTag;
import io.tagstream.poller.core.KnownTags;
import io.tagstream.common.registry.RegistryAccess;
import io.tagstream.poller.core.Scan;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Scans every ImageRepository on its interval (start times spread so a restart does not hit every registry at once),
 * acts on webhook hints and promotion copies at once, and keeps the known tags in a compacted topic so a restarted or
 * second pod neither announces every tag again nor misses one.
 */
@ApplicationScoped
public class Poller {

    private static final Logger LOG = Logger.getLogger(Poller.class);

    /** What the status API shows for one ImageRepository. */
    public record RepositoryStatus(
            String id, String image, String canonical, Optional<Instant> lastScan, long lastScanMillis, int tagCount,
            List<String> latestTags, Optional<String> lastError, Optional<Instant> nextScan, boolean suspended,
            Optional<String> capped) {}

    /** A known tag in the state topic ({@code <namespace>/<name>|<tag>}), with the image it was read from. */
    private record StoredTag(String digest, String mediaType, String repository) {}

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "tagstream.poller.state-topic")
    String stateTopic;

    @ConfigProperty(name = "tagstream.poller.scan-threads", defaultValue = "4")
    int scanThreads;

    @Inject
    ConfigWatch config;

    @Inject
    Publisher publisher;

    @Inject
    MeterRegistry metrics;

    @Inject
    Secrets secrets;

    private final Map<String, KnownTags> state = new ConcurrentHashMap<>();
    /** The image a moved repository was last scheduled to be scanned as new for, until that scan is recorded. */
    private final Map<String, String> movingTo = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastScan = new ConcurrentHashMap<>();
    private final Map<String, Long> lastScanMillis = new ConcurrentHashMap<>();
    private final Map<String, String> lastError = new ConcurrentHashMap<>();
    private final Map<String, String> capped = new ConcurrentHashMap<>();
    private final Map<String, Instant> nextScan = new ConcurrentHashMap<>();
    private final Map<String, Deque<String>> recent = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final Clock clock = Clock.systemUTC();
    private RegistryAccess access;
    private CompactedTopic store;
    private ExecutorService scans;
    private ExecutorService resolvers;
    // Quarkus' scheduler runs jobs at most once a second; a 1 s interval needs a finer tick to really scan every second
    private java.util.concurrent.ScheduledExecutorService ticker;
    private final Set<String> exported = ConcurrentHashMap.newKeySet();
    private final Map<String, Map<String, Optional<String>>> pendingHints = new HashMap<>();
    private final Map<String, Integer> hintRetries = new ConcurrentHashMap<>();
    private static final long[] HINT_RETRY_DELAYS_MS = {200, 1000, 5000};
    private volatile boolean ready;

    @ConfigProperty(name = "tagstream.poller.tick", defaultValue = "250ms")
    Duration tick;

    void start(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 1000) StartupEvent e) {
        access = new RegistryAccess(secrets);
        scans = Executors.newFixedThreadPool(scanThreads);
        resolvers = Executors.newFixedThreadPool(16);
        store = new CompactedTopic(bootstrap, stateTopic).ensureExists(3);
        long t0 = System.nanoTime();
        Map<String, Map<String, KnownTag>> tags = new HashMap<>();
        Map<String, String> images = new HashMap<>();
        int n = store.load((key, value) -> restore(key, value, tags, images));
        tags.forEach((id, t) -> state.put(id, new KnownTags(Optional.ofNullable(images.get(id)), t)));
        LOG.infof("restored %d state records (%d repositories) from %s in %d ms", n, state.size(), stateTopic,
                (System.nanoTime() - t0) / 1_000_000);
        ready = true;
        reconfigured(config.config()); // a repository removed or moved while no pod ran
        ticker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "poller-tick"));
        ticker.scheduleWithFixedDelay(() -> {
            try {
                tick();
            } catch (RuntimeException ex) {
                LOG.warnf("scheduling scans failed: %s", ex.getMessage());
            }
        }, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent e) {
        ready = false;
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (scans != null) {
            scans.shutdownNow();
            resolvers.shutdownNow();
        }
        if (store != null) {
            store.close();
        }
    }

    private static void restore(String key, String value, Map<String, Map<String, KnownTag>> tags, Map<String, String> images) {
        int bar = key.indexOf('|');
        if (bar < 0) {
            return;
        }
        String repo = key.substring(0, bar);
        String tag = key.substring(bar + 1);
        Map<String, KnownTag> known = tags.computeIfAbsent(repo, k -> new HashMap<>());
        if (value == null) {
            known.remove(tag);
        } else {
            StoredTag t = Json.read(value.getBytes(StandardCharsets.UTF_8), StoredTag.class);
            known.put(tag, new KnownTag(t.digest(), t.mediaType()));
            if (t.repository() != null) {
                images.put(repo, t.repository());
            }
        }
    }

    /**
     * A new configuration: the state of a removed ImageRepository is dropped (tombstoned) and its status forgotten; a
     * repository whose {@code spec.image} now names another image is scanned at once, as for the first time, and shows
     * nothing of the old image meanwhile.
     */
    void reconfigured(@Observes TagstreamConfig cfg) {
        if (!ready) {
            return;
        }
        Map<String, ImageRepository> configured = new HashMap<>();
        cfg.imageRepositories().forEach(r -> configured.put(r.id().toString(), r));
        for (String id : List.copyOf(state.keySet())) {
            ImageRepository repo = configured.get(id);
            if (repo == null) {
                synchronized (locks.computeIfAbsent(id, k -> new Object())) {
                    KnownTags gone = state.remove(id);
                    Map<String, String> tombstones = new HashMap<>();
                    gone.tags().keySet().forEach(t -> tombstones.put(id + "|" + t, null));
                    store.putAll(tombstones);
                    forget(id);
                    movingTo.remove(id);
                    publisher.audit(Publisher.AUDIT.ok("repository.removed", id, "ImageRepository " + id
                            + " is no longer configured: its " + gone.tags().size() + " known tags are dropped", Optional.empty()));
                }
                continue;
            }
            Optional<String> moved = canonical(repo).filter(c -> !state.get(id).derivedFrom(c));
            if (moved.isEmpty() || moved.get().equals(movingTo.get(id))) {
                continue; // not moved, or its scan as new is already due: a later reload keeps its status and errors
            }
            movingTo.put(id, moved.get());
            forget(id);
            nextScan.put(id, clock.instant());
            publisher.audit(Publisher.AUDIT.ok("repository.moved", id, "spec.image now names " + moved.get() + " instead of "
                    + state.get(id).repository().orElse("?") + ": scanning it as new", Optional.empty()));
        }
    }

    private void forget(String id) {
        lastScan.remove(id);
        lastScanMillis.remove(id);
        lastError.remove(id);
        capped.remove(id);
        nextScan.remove(id);
        recent.remove(id);
    }

    private static Optional<String> canonical(ImageRepository repo) {
        return RepositoryName.canonicalOf(repo.image());
    }

    /** Starts the scans that are due; a scan already running for a repository is never started twice. */
    void tick() {
        if (!ready) {
            return;
        }
        Instant now = clock.instant();
        for (ImageRepository repo : config.config().imageRepositories()) {
            String id = repo.id().toString();
            if (repo.suspend()) {
                continue;
            }
            Instant due = nextScan.computeIfAbsent(id, k -> now.plus(spread(repo)));
            if (!due.isAfter(now) && running.add(id)) {
                scans.submit(() -> scanNow(repo, Optional.empty(), DiscoverySource.POLL, Map.of()));
            }
        }
    }

    /** The first scan after start comes at a point fixed by the name within the first tenth of the interval (≤ 30 s). */
    private static Duration spread(ImageRepository repo) {
        long window = Math.min(repo.interval().toMillis() / 10, 30_000);
        return Duration.ofMillis(window <= 0 ? 0 : Math.floorMod(repo.id().toString().hashCode(), window));
    }

    /** Scan now, e.g. on request over the API. */
    public boolean requestScan(ResourceId id) {
        Optional<ImageRepository> repo = config.config().find(ImageRepository.class, id);
        repo.ifPresent(r -> scans.submit(() -> scanNow(r, Optional.empty(), DiscoverySource.POLL, Map.of())));
        return repo.isPresent();
    }

    /**
     * A webhook or a promotion named a repository (and maybe a tag): check it against the registry now. A hint caused by
     * an event (a promotion's copy) continues that event's chain: its tag-discovered carries the same correlation id.
     */
    public void hint(ImageRepository repo, Optional<String> tag, DiscoverySource source, Optional<String> correlation) {
        if (tag.isEmpty()) {
            scans.submit(() -> scanNow(repo, Optional.empty(), source, Map.of()));
            return;
        }
        // hints for one repository coalesce while it is being scanned: a burst of 1,000 pushes becomes a few scans of
        // many tags each, resolved in parallel, instead of 1,000 scans one after the other
        String id = repo.id().toString();
        boolean first;
        synchronized (pendingHints) {
            Map<String, Optional<String>> pending = pendingHints.computeIfAbsent(id, k -> new LinkedHashMap<>());
            first = pending.isEmpty();
            pending.merge(tag.get(), correlation, (a, b) -> a.isPresent() ? a : b);
        }
        if (first) {
            scans.submit(() -> {
                synchronized (locks.computeIfAbsent(id, k -> new Object())) {
                    Map<String, Optional<String>> batch;
                    synchronized (pendingHints) {
                        batch = pendingHints.remove(id);
                    }
                    if (batch != null) {
                        scanNow(repo, Optional.of(batch.keySet()), source, batch);
                    }
                }
            });
        }
    }

    /**
     * A registry may notify before the pushed tag is readable: distribution posts ManifestPushed before it links the
     * tag. A hinted tag the registry does not know yet is asked for again a little later, three times at most.
     */
    private void retryNotFound(ImageRepository repo, List<String> notFound, DiscoverySource source,
            Map<String, Optional<String>> correlations) {
        String id = repo.id().toString();
        for (String t : notFound) {
            int attempt = hintRetries.merge(id + "|" + t, 1, Integer::sum);
            if (attempt > HINT_RETRY_DELAYS_MS.length) {
                hintRetries.remove(id + "|" + t);
                LOG.infof("webhook named %s:%s, which the registry does not have", id, t);
                continue;
            }
            ticker.schedule(() -> hint(repo, Optional.of(t), source, correlations.getOrDefault(t, Optional.empty())),
                    HINT_RETRY_DELAYS_MS[attempt - 1], TimeUnit.MILLISECONDS);
        }
    }

    /** A full scan, or a check of the given tags; {@code correlations} continue the chains that named them. */
    private void scanNow(ImageRepository repo, Optional<java.util.Set<String>> tag, DiscoverySource source,
            Map<String, Optional<String>> correlations) {
        String id = repo.id().toString();
        running.add(id);
        synchronized (locks.computeIfAbsent(id, k -> new Object())) {
            Instant began = clock.instant();
            try {
                awaitReady();
                TagstreamConfig cfg = config.config();
                RepositoryName name = RepositoryName.parse(repo.image());
                RegistryClient client = access.client(repo, name, cfg);
                KnownTags stored = state.getOrDefault(id, KnownTags.NONE);
                Map<String, KnownTag> known = stored.of(name.canonical());
                Future<Scan.Result> f = resolvers.submit(() -> tag.isPresent()
                        ? Scan.some(repo, name, known, client, tag.get(), source, resolvers, clock)
                        : Scan.full(repo, name, known, client, source, resolvers, clock));
                Duration timeout = repo.timeout().orElse(repo.interval().compareTo(Duration.ofMinutes(5)) < 0
                        ? Duration.ofMinutes(5) : repo.interval());
                Scan.Result r;
                try {
                    r = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    f.cancel(true);
                    throw new IllegalStateException("scan did not finish within its timeout of " + timeout);
                }
                apply(repo, name, stored, r, correlations);
                if (tag.isPresent()) {
                    retryNotFound(repo, r.notFound(), source, correlations);
                }
                if (tag.isEmpty()) {
                    lastScan.put(id, clock.instant());
                    lastScanMillis.put(id, r.took().toMillis());
                    metrics.timer("tagstream.poller.scan", "repository", id).record(r.took());
                    metrics.counter("tagstream.poller.tags.seen", "repository", id).increment(r.listed());
                }
                if (r.capped()) {
                    capped.put(id, "considering the last " + r.considered() + " of " + r.listed() + " tags (spec.maxTags)");
                } else {
                    capped.remove(id);
                }
                if (r.errors().isEmpty()) {
                    lastError.remove(id);
                } else {
                    lastError.put(id, r.errors().size() + " tags could not be resolved, e.g. " + r.errors().get(0));
                }
            } catch (RuntimeException | InterruptedException | java.util.concurrent.ExecutionException e) {
                Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
                String reason = String.valueOf(cause.getMessage());
                boolean repeated = reason.equals(lastError.put(id, reason));
                metrics.counter("tagstream.poller.scan.errors", "repository", id).increment();
                if (!repeated) {
                    publisher.audit(Publisher.AUDIT.error("scan.failed", id, "scan of " + repo.image() + " failed: "
                            + reason, Optional.empty()));
                }
                LOG.warnf("scan of %s failed: %s", id, reason);
            } finally {
                if (tag.isEmpty()) {
                    // the interval runs from the start of a scan, so a 1 s interval scans every second; a scan that
                    // outlasted its interval still leaves the registry one interval of rest
                    Instant now = clock.instant();
                    Instant next = began.plus(repo.interval());
                    boolean moved = config.config().find(ImageRepository.class, repo.id())
                            .map(r -> !r.image().equals(repo.image())).orElse(false);
                    // a scan of the old image that was under way when spec.image moved: scan the new one at once
                    nextScan.put(id, moved ? now : next.isAfter(now) ? next : now.plus(repo.interval()));
                } // a hint checked one tag: the full scan stays on its schedule
                running.remove(id);
                exportRegistryMetrics();
            }
        }
    }

    private void awaitReady() throws InterruptedException {
        while (!ready) {
            Thread.sleep(50);
        }
    }

    /** Events first, then the state that records them, then the audit: a crash in between repeats, never loses. */
    private void apply(ImageRepository repo, RepositoryName name, KnownTags stored, Scan.Result r,
            Map<String, Optional<String>> correlations) {
        String id = repo.id().toString();
        String image = name.canonical();
        Set<String> stale = stored.staleAfter(image, r.state());
        if (!r.changed()) {
            if (!stored.derivedFrom(image) || stored.repository().isEmpty()) {
                state.put(id, new KnownTags(Optional.of(image), r.state()));
                movingTo.remove(id);
            }
            if (!stale.isEmpty()) {
                Map<String, String> tombstones = new HashMap<>();
                stale.forEach(t -> tombstones.put(id + "|" + t, null));
                store.putAll(tombstones);
            }
            return;
        }
        r.discovered().forEach(d -> hintRetries.remove(id + "|" + d.tag()));
        List<CloudEvent<?>> events = new ArrayList<>();
        r.discovered().forEach(d -> events.add(correlations.getOrDefault(d.tag(), Optional.empty())
                .<CloudEvent<?>>map(c -> CloudEvent.inChain(c, Publisher.SERVICE, d)).orElseGet(() -> CloudEvent.start(Publisher.SERVICE, d))));
        r.removed().forEach(d -> events.add(CloudEvent.start(Publisher.SERVICE, d)));
        publisher.tagEvents(events);
        Map<String, String> changes = new HashMap<>();
        r.discovered().forEach(d -> changes.put(id + "|" + d.tag(),
                Json.writeString(new StoredTag(d.digest(), d.mediaType(), image))));
        r.removed().forEach(d -> changes.put(id + "|" + d.tag(), null));
        stale.forEach(t -> changes.put(id + "|" + t, null)); // the old image's tags, once the new image's are stored
        store.putAll(changes);
        state.put(id, new KnownTags(Optional.of(image), r.state()));
        movingTo.remove(id);
        Deque<String> latest = recent.computeIfAbsent(id, k -> new ArrayDeque<>());
        synchronized (latest) {
            r.discovered().forEach(d -> {
                latest.remove(d.tag());
                latest.addFirst(d.tag());
            });
            r.removed().forEach(d -> latest.remove(d.tag()));
            while (latest.size() > 10) {
                latest.removeLast();
            }
        }
        long moved = r.discovered().stream().filter(d -> d.previousDigest().isPresent()).count();
        publisher.audit(Publisher.AUDIT.ok("scan.changed", id, name.canonical() + ": " + (r.discovered().size() - moved)
                + " new, " + moved + " moved, " + r.removed().size() + " removed of " + r.listed() + " listed; "
                + r.resolved() + " digests resolved", Optional.of(events.get(0))));
        for (int i = 0; i < r.removed().size(); i++) {
            var removed = r.removed().get(i);
            publisher.audit(Publisher.AUDIT.ok("tag.removed", removed.subject(), "the registry no longer lists "
                    + removed.tag() + " (was " + removed.lastDigest() + ")", Optional.of(events.get(r.discovered().size() + i))));
        }
    }

    /** Registry requests by host and status code, retries and rate-limit waits, as Prometheus counters. */
    private void exportRegistryMetrics() {
        access.clients().forEach((key, client) -> {
            String host = client.settings().host();
            if (!exported.add(key + "|" + client.stats().responses().keySet())) {
                return; // every counter of this client is registered already
            }
            client.stats().responses().keySet().forEach(code -> io.micrometer.core.instrument.FunctionCounter
                    .builder("tagstream.registry.responses", client, c -> c.stats().responses().getOrDefault(code, 0L))
                    .tags("host", host, "status", String.valueOf(code)).register(metrics));
            io.micrometer.core.instrument.FunctionCounter.builder("tagstream.registry.retries", client, c -> c.stats().retries())
                    .tags("host", host).register(metrics);
            io.micrometer.core.instrument.FunctionCounter.builder("tagstream.registry.ratelimit.waits", client,
                    c -> c.stats().rateLimitWaits()).tags("host", host).register(metrics);
        });
    }

    public List<RepositoryStatus> status() {
        List<RepositoryStatus> out = new ArrayList<>();
        for (ImageRepository repo : config.config().imageRepositories()) {
            String id = repo.id().toString();
            String canonical = canonical(repo).orElse(repo.image());
            Deque<String> latest = recent.getOrDefault(id, new ArrayDeque<>());
            List<String> latestTags;
            synchronized (latest) {
                latestTags = List.copyOf(latest);
            }
            out.add(new RepositoryStatus(id, repo.image(), canonical, Optional.ofNullable(lastScan.get(id)),
                    lastScanMillis.getOrDefault(id, 0L), state.getOrDefault(id, KnownTags.NONE).of(canonical).size(), latestTags,
                    Optional.ofNullable(lastError.get(id)), Optional.ofNullable(nextScan.get(id)), repo.suspend(),
                    Optional.ofNullable(capped.get(id))));
        }
        return out;
    }

    /** The known tags of one ImageRepository (tests and the status API). */
    public Map<String, KnownTag> known(String id) {
        KnownTags known = state.getOrDefault(id, KnownTags.NONE);
        return config.config().find(ImageRepository.class, ResourceId.parse(id)).flatMap(Poller::canonical)
                .map(known::of).orElse(known.tags());
    }
}
