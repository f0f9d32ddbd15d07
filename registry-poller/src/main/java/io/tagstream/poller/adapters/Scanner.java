package io.tagstream.poller.adapters;

import io.tagstream.common.events.AuditAction;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tagstream.common.config.ImagePolicy;
import io.tagstream.common.config.ImageRepository;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.Secrets;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.ScanBatch;
import io.tagstream.common.events.TagDiscovered;
import io.tagstream.common.events.TagRemoved;
import io.tagstream.common.events.TagDiscovered.DiscoverySource;
import io.tagstream.common.registry.RegistryAccess;
import io.tagstream.poller.core.RegistryLoad;
import io.tagstream.common.registry.RepositoryName;
import io.tagstream.common.service.AuditThrottle;
import io.tagstream.common.service.ConfigWatch;
import io.tagstream.poller.core.Following;
import io.tagstream.poller.core.KnownTag;
import io.tagstream.poller.core.HintOrigin;
import io.tagstream.poller.core.KnownTags;
import io.tagstream.poller.core.RepositoryState;
import io.tagstream.poller.core.Scan;
import io.tagstream.poller.core.Schedule;
import io.tagstream.poller.core.TagSource;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.tagstream.common.registry.RegistryClient;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Scans every ImageRepository when {@link Schedule} says it is due, acts on webhook hints and promotion copies at once,
 * and writes what a {@link Scan} found: events first (one {@link ScanBatch} per scan), then the {@link KnownTagStore},
 * then the audit. What it holds about each repository is one {@link RepositoryState} value.
 */
@ApplicationScoped
public class Scanner {

    private static final Logger LOG = Logger.getLogger(Scanner.class);
    private static final long[] HINT_RETRY_DELAYS_MS = {200, 1000, 5000};
    /** Tags of one repository asked for again at once: names a registry does not have cost a few requests, not many. */
    private static final int MAX_RETRIED_HINTS = 20;

    /** What the status API shows for one ImageRepository. */
    public record RepositoryStatus(
            String id, String image, String canonical, Optional<Instant> lastScan, long lastScanMillis, int tagCount,
            List<String> latestTags, Optional<String> lastError, Optional<Instant> nextScan, boolean suspended,
            Optional<String> capped) {}

    @ConfigProperty(name = "tagstream.poller.scan-threads", defaultValue = "4")
    int scanThreads;

    /** Quarkus' scheduler runs jobs at most once a second; a 1 s interval needs a finer tick to really scan every second. */
    @ConfigProperty(name = "tagstream.poller.tick", defaultValue = "250ms")
    Duration tick;

    @Inject
    ConfigWatch config;

    @Inject
    Publisher publisher;

    @Inject
    KnownTagStore store;

    @Inject
    RegistryMetrics registryMetrics;

    @Inject
    MeterRegistry metrics;

    @Inject
    Secrets secrets;

    private final Map<String, RepositoryState> repositories = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final Set<String> queuedFull = ConcurrentHashMap.newKeySet();
    private final Map<String, Map<String, HintOrigin>> pendingHints = new HashMap<>();
    private final Map<String, Integer> hintRetries = new ConcurrentHashMap<>();
    /** Each policy's last selection (from policy-matched, kept in the state topic), and when it was last looked up. */
    private final Map<String, Following.Selected> selections = new ConcurrentHashMap<>();
    private final Map<String, Instant> followed = new ConcurrentHashMap<>();
    private final Clock clock = Clock.systemUTC();
    private RegistryAccess access;
    private ExecutorService scans;
    private ExecutorService resolvers;
    private ScheduledExecutorService ticker;
    private volatile boolean ready;
    /** Set by the first tick: what a later reload adds is new to a running poller, not part of a restart. */
    private volatile boolean ticked;

    void start(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) StartupEvent e) {
        access = new RegistryAccess(secrets);
        scans = Executors.newFixedThreadPool(scanThreads);
        resolvers = Executors.newFixedThreadPool(16);
        KnownTagStore.Loaded loaded = store.load();
        loaded.tags().forEach((id, known) -> repositories.put(id, RepositoryState.restored(known)));
        selections.putAll(loaded.selections());
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
    }

    private Object lock(String id) {
        return locks.computeIfAbsent(id, k -> new Object());
    }

    private RepositoryState state(String id) {
        return repositories.getOrDefault(id, RepositoryState.NEW);
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
        Set<String> policies = new java.util.HashSet<>();
        cfg.imagePolicies().forEach(p -> policies.add(p.id().toString()));
        for (String policy : List.copyOf(selections.keySet())) {
            if (!policies.contains(policy)) { // derived from a policy no longer configured
                selections.remove(policy);
                followed.remove(policy);
                store.selected(policy, Optional.empty());
            }
        }
        Map<String, ImageRepository> configured = new HashMap<>();
        cfg.scanTargets().forEach(r -> configured.put(r.id().toString(), r));
        if (ticked) {
            // added while running: listed at once (the first scans after a restart are spread, see Schedule.first)
            Instant now = clock.instant();
            configured.keySet().forEach(id -> repositories.putIfAbsent(id, RepositoryState.NEW.due(now)));
        }
        for (String id : List.copyOf(repositories.keySet())) {
            ImageRepository repo = configured.get(id);
            if (repo == null) {
                synchronized (lock(id)) {
                    KnownTags gone = repositories.remove(id).known();
                    if (!gone.tags().isEmpty()) {
                        store.write(id, "", List.of(), Map.of(), gone.tags().keySet());
                        publisher.audit(Publisher.AUDIT.ok(AuditAction.REPOSITORY_REMOVED, id, "ImageRepository " + id
                                + " is no longer configured: its " + gone.tags().size() + " known tags are dropped", Optional.empty()));
                    }
                }
                continue;
            }
            Optional<String> moved = RepositoryName.canonicalOf(repo.image()).flatMap(c -> state(id).movedTo(c));
            if (moved.isEmpty()) {
                continue; // not moved, or its scan as new is already due: a later reload keeps its status and errors
            }
            RepositoryState was = repositories.compute(id, (k, s) -> (s == null ? RepositoryState.NEW : s)
                    .moving(moved.get(), clock.instant()));
            publisher.audit(Publisher.AUDIT.ok(AuditAction.REPOSITORY_MOVED, id, "spec.image now names " + moved.get() + " instead of "
                    + was.known().repository().orElse("?") + ": scanning it as new", Optional.empty()));
        }
    }

    /** Starts the scans that are due; a scan already running for a repository is never started twice. */
    void tick() {
        if (!ready) {
            return;
        }
        Instant now = clock.instant();
        for (ImageRepository repo : config.config().scanTargets()) {
            String id = repo.id().toString();
            if (repo.suspend()) {
                continue;
            }
            RepositoryState s = repositories.compute(id, (k, v) -> v == null ? RepositoryState.NEW.due(Schedule.first(repo, now))
                    : v.nextScan().isPresent() ? v : v.due(Schedule.first(repo, now)));
            if (!s.nextScan().get().isAfter(now) && running.add(id)) {
                scans.submit(() -> scanNow(repo, Optional.empty(), DiscoverySource.POLL, Map.of()));
            }
        }
        for (Following.Due due : Following.due(config.config(), selections, followed, now)) {
            due.policies().forEach(p -> followed.put(p, now));
            hint(due.repository(), Optional.of(due.tag()), DiscoverySource.POLL, HintOrigin.NONE);
        }
        ticked = true;
    }

    /**
     * A policy selected a tag (policy-matched): kept, so that {@code digestReflectionPolicy: Always} can follow its
     * digest; a redelivered or older announcement of the same selection changes nothing.
     */
    public void selected(String policy, Following.Selected selection) throws InterruptedException {
        awaitReady(); // the stored selections are read first, so a newer one is never overwritten by them
        if (!selection.equals(selections.put(policy, selection))) {
            store.selected(policy, Optional.of(selection));
        }
    }

    /** What became of a request to scan now. */
    public enum ScanRequest { STARTED, ALREADY_QUEUED, SUSPENDED, UNKNOWN }

    /** Scan now, e.g. on request over the API: at most one full scan waits per repository, however often it is asked. */
    public ScanRequest requestScan(ResourceId id) {
        Optional<ImageRepository> repo = config.config().scanTarget(id);
        if (repo.isEmpty()) {
            return ScanRequest.UNKNOWN;
        }
        if (repo.get().suspend()) {
            return ScanRequest.SUSPENDED;
        }
        return fullScan(repo.get(), DiscoverySource.POLL) ? ScanRequest.STARTED : ScanRequest.ALREADY_QUEUED;
    }

    /**
     * Queues a full scan unless one is waiting already; one that is running does not count (it may have listed the
     * tags before the push the request is about).
     */
    private boolean fullScan(ImageRepository repo, DiscoverySource source) {
        String id = repo.id().toString();
        if (!queuedFull.add(id)) {
            return false;
        }
        scans.submit(() -> scanNow(repo, Optional.empty(), source, Map.of())); // un-queued once it holds the lock
        return true;
    }

    /**
     * A webhook or a promotion named a repository (and maybe a tag): check it against the registry now. A hint caused by
     * an event (a promotion's copy) continues that event's chain: its tag-discovered carries the same correlation id.
     */
    public void hint(ImageRepository repo, Optional<String> tag, DiscoverySource source, Optional<String> correlation) {
        hint(repo, tag, source, new HintOrigin(correlation, Optional.empty()));
    }

    /** As above, with who pushed the tag where the notification said. */
    public void hint(ImageRepository repo, Optional<String> tag, DiscoverySource source, HintOrigin origin) {
        if (repo.suspend()) {
            return; // as Flux: a suspended ImageRepository is not reconciled, whoever asks
        }
        if (tag.isEmpty()) {
            fullScan(repo, source);
            return;
        }
        // hints for one repository coalesce while it is being scanned: a burst of 1,000 pushes becomes a few scans of
        // many tags each, resolved in parallel, instead of 1,000 scans one after the other
        String id = repo.id().toString();
        boolean first;
        synchronized (pendingHints) {
            Map<String, HintOrigin> pending = pendingHints.computeIfAbsent(id, k -> new LinkedHashMap<>());
            first = pending.isEmpty();
            pending.merge(tag.get(), origin, HintOrigin::merge);
        }
        if (first) {
            scans.submit(() -> {
                synchronized (lock(id)) {
                    Map<String, HintOrigin> batch;
                    synchronized (pendingHints) {
                        batch = pendingHints.remove(id);
                    }
                    if (batch != null) {
                        // a repository not listed yet is listed whole (the hints' origins kept): a policy or a mirror
                        // never decides on the few tags a hint named
                        boolean listed = state(id).lastScan().isPresent();
                        scanNow(repo, listed ? Optional.of(batch.keySet()) : Optional.empty(), source, batch);
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
            Map<String, HintOrigin> correlations) {
        String id = repo.id().toString();
        long waiting = hintRetries.keySet().stream().filter(k -> k.startsWith(id + "|")).count();
        for (String t : notFound) {
            if (!hintRetries.containsKey(id + "|" + t) && waiting >= MAX_RETRIED_HINTS) {
                LOG.infof("webhook named %s:%s, which the registry does not have; %d tags of it are being asked for again"
                        + " already: left to the next scan", id, AuditThrottle.escape(t), waiting);
                continue;
            }
            int attempt = hintRetries.merge(id + "|" + t, 1, Integer::sum);
            waiting++;
            if (attempt > HINT_RETRY_DELAYS_MS.length) {
                hintRetries.remove(id + "|" + t);
                LOG.infof("webhook named %s:%s, which the registry does not have", id, AuditThrottle.escape(t));
                continue;
            }
            ticker.schedule(() -> hint(repo, Optional.of(t), source, correlations.getOrDefault(t, HintOrigin.NONE)),
                    HINT_RETRY_DELAYS_MS[attempt - 1], TimeUnit.MILLISECONDS);
        }
    }

    /** A full scan, or a check of the given tags; {@code correlations} continue the chains that named them. */
    private void scanNow(ImageRepository repo, Optional<Set<String>> tags, DiscoverySource source,
            Map<String, HintOrigin> correlations) {
        String id = repo.id().toString();
        boolean full = tags.isEmpty();
        running.add(id);
        synchronized (lock(id)) {
            if (full) {
                queuedFull.remove(id);
            }
            Instant began = clock.instant();
            try {
                awaitReady();
                TagstreamConfig cfg = config.config();
                RepositoryName name = RepositoryName.parse(repo.image());
                RegistryClient client = access.client(repo, name, cfg);
                // the registry's push times are asked only for repositories a policy orders by them, once per new tag
                boolean byPush = cfg.policiesOf(repo.id()).stream().anyMatch(ImagePolicy::needsPushTimes);
                TagSource registry = TagSource.of(client, byPush ? access.pushTimes(client, name, cfg) : Optional.empty());
                KnownTags stored = state(id).known();
                Map<String, KnownTag> known = stored.of(name.canonical());
                // build times are read only for repositories a policy orders by them, once per digest
                boolean byBuild = cfg.policiesOf(repo.id()).stream().anyMatch(ImagePolicy::needsBuildTimes);
                Future<Scan.Result> f = resolvers.submit(() -> full
                        ? Scan.full(repo, name, known, registry, source, resolvers, clock, byBuild)
                        : Scan.some(repo, name, known, registry, tags.get(), source, resolvers, clock, byBuild));
                Duration timeout = Schedule.timeout(repo);
                Scan.Result r;
                try {
                    r = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    f.cancel(true);
                    throw new IllegalStateException("scan did not finish within its timeout of " + timeout);
                }
                record(repo, name, stored, r, correlations);
                repositories.compute(id, (k, s) -> (s == null ? RepositoryState.NEW : s).scanned(r, full, clock.instant()));
                if (!full) {
                    retryNotFound(repo, r.notFound(), source, correlations);
                } else {
                    metrics.timer("tagstream.poller.scan", "repository", id).record(r.took());
                    metrics.counter("tagstream.poller.tags.seen", "repository", id).increment(r.listed());
                }
            } catch (RuntimeException | InterruptedException | ExecutionException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                String reason = String.valueOf(cause.getMessage());
                boolean repeated = state(id).repeats(reason);
                repositories.compute(id, (k, s) -> (s == null ? RepositoryState.NEW : s).failed(reason));
                metrics.counter("tagstream.poller.scan.errors", "repository", id).increment();
                if (!repeated) {
                    publisher.audit(Publisher.AUDIT.error(AuditAction.SCAN_FAILED, id, "scan of " + repo.image() + " failed: "
                            + reason, Optional.empty()));
                }
                LOG.warnf("scan of %s failed: %s", id, reason);
            } finally {
                if (full) { // a hint checked some tags: the full scan stays on its schedule
                    boolean moved = config.config().scanTarget(repo.id())
                            .map(r -> !r.image().equals(repo.image())).orElse(false);
                    Instant next = Schedule.next(repo, began, clock.instant(), moved);
                    repositories.computeIfPresent(id, (k, s) -> s.due(next));
                }
                running.remove(id);
                registryMetrics.export(access);
            }
        }
    }

    private void awaitReady() throws InterruptedException {
        while (!ready) {
            Thread.sleep(50);
        }
    }

    /** Events first, then the state that records them, then the audit: a crash in between repeats, never loses. */
    private void record(ImageRepository repo, RepositoryName name, KnownTags stored, Scan.Result r,
            Map<String, HintOrigin> correlations) {
        String id = repo.id().toString();
        String image = name.canonical();
        Set<String> stale = stored.staleAfter(image, r.state()); // the old image's tags, once the new image's are stored
        KnownTags after = new KnownTags(Optional.of(image), r.state());
        if (!r.changed()) {
            if (!stored.derivedFrom(image) || stored.repository().isEmpty()) {
                repositories.compute(id, (k, s) -> (s == null ? RepositoryState.NEW : s).knowing(after));
            }
            store.write(id, image, List.of(), Map.of(), stale);
            return;
        }
        r.discovered().forEach(d -> hintRetries.remove(id + "|" + d.tag()));
        // one batch per scan: the evaluator decides once it has all of it, never on part of a listing
        String scan = UUID.randomUUID().toString();
        int size = r.discovered().size() + r.removed().size();
        List<CloudEvent<?>> events = new ArrayList<>();
        for (TagDiscovered found : r.discovered()) {
            HintOrigin origin = correlations.getOrDefault(found.tag(), HintOrigin.NONE);
            TagDiscovered d = found.inBatch(new ScanBatch(scan, events.size() + 1, size)).pushedBy(origin.pushedBy());
            events.add(origin.correlation()
                    .<CloudEvent<?>>map(c -> CloudEvent.inChain(c, Publisher.SERVICE, d))
                    .orElseGet(() -> CloudEvent.start(Publisher.SERVICE, d)));
        }
        for (TagRemoved gone : r.removed()) {
            events.add(CloudEvent.start(Publisher.SERVICE, gone.inBatch(new ScanBatch(scan, events.size() + 1, size))));
        }
        publisher.tagEvents(events);
        List<String> gone = new ArrayList<>(stale);
        r.removed().forEach(d -> gone.add(d.tag()));
        store.write(id, image, r.discovered(), r.state(), gone);
        repositories.compute(id, (k, s) -> (s == null ? RepositoryState.NEW : s).knowing(after));
        long moved = r.discovered().stream().filter(d -> d.previousDigest().isPresent()).count();
        publisher.audit(Publisher.AUDIT.ok(AuditAction.SCAN_CHANGED, id, image + ": " + (r.discovered().size() - moved)
                + " new, " + moved + " moved, " + r.removed().size() + " removed of " + r.listed() + " listed; "
                + r.resolved() + " digests resolved", Optional.of(events.get(0))));
        for (int i = 0; i < r.removed().size(); i++) {
            var removed = r.removed().get(i);
            publisher.audit(Publisher.AUDIT.ok(AuditAction.TAG_REMOVED, removed.subject(), "the registry no longer lists "
                    + removed.tag() + " (was " + removed.lastDigest() + ")", Optional.of(events.get(r.discovered().size() + i))));
        }
    }

    /** Each registry host's load, over the clients made so far. */
    public List<RegistryLoad> registryLoad() {
        RegistryAccess a = access;
        return a == null ? List.of() : RegistryLoad.of(a.clients().values().stream()
                .map(c -> Map.entry(c.settings().host(), c.stats())).toList());
    }

    public List<RepositoryStatus> status() {
        List<RepositoryStatus> out = new ArrayList<>();
        for (ImageRepository repo : config.config().scanTargets()) {
            String id = repo.id().toString();
            String canonical = RepositoryName.canonicalOf(repo.image()).orElse(repo.image());
            RepositoryState s = state(id);
            out.add(new RepositoryStatus(id, repo.image(), canonical, s.lastScan(), s.lastScanMillis(),
                    s.known().of(canonical).size(), s.latest(), s.lastError(), s.nextScan(), repo.suspend(), s.capped()));
        }
        return out;
    }

    /** The known tags of one ImageRepository (tests and the status API). */
    public Map<String, KnownTag> known(String id) {
        KnownTags known = state(id).known();
        return config.config().scanTarget(ResourceId.parse(id)).flatMap(r -> RepositoryName.canonicalOf(r.image()))
                .map(known::of).orElse(known.tags());
    }
}
