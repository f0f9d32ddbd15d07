package io.tagstream.promoter.adapters;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.tagstream.common.config.ImageMirror;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.Secret;
import io.tagstream.common.config.Secrets;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.AuditAction;
import io.tagstream.common.gotemplate.GoTemplate;
import io.tagstream.common.registry.ImageCopier;
import io.tagstream.common.registry.RegistryAccess;
import io.tagstream.common.registry.RegistryClient;
import io.tagstream.common.registry.RepositoryName;
import io.tagstream.common.service.ConfigWatch;
import io.tagstream.promoter.core.CosignSignatures;
import io.tagstream.promoter.core.MirrorPlan;
import io.tagstream.promoter.core.MirrorPlan.AtDestination;
import io.tagstream.promoter.core.MirrorSelector;
import io.tagstream.promoter.core.ReferrersIndex;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * Carries the mirrors out on the leading pod: when a mirror's source changed (a scan's batch ended, a webhook's tag)
 * and on every check, it plans the mirror ({@link MirrorPlan}) from {@link MirrorFacts} and does what the plan says:
 * each copy at most {@code concurrency} at once, recorded as an intent before it starts and as done after the digest
 * was verified at the destination (so a copy cut short is finished after a restart, and none is made twice); drift
 * and failures are said once in the audit and kept in the status; prune runs only when nothing failed.
 */
@ApplicationScoped
public class MirrorEngine {

    private static final Logger LOG = Logger.getLogger(MirrorEngine.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(10);
    private static final Duration LAST_RETRY = Duration.ofMinutes(10);
    /** A simple-signing payload is a few hundred bytes; more is not read. */
    private static final int MAX_PAYLOAD = 1 << 20;

    @Inject
    MirrorFacts facts;

    @Inject
    Leader leader;

    @Inject
    ConfigWatch config;

    @Inject
    Secrets secrets;

    @Inject
    Publisher publisher;

    /** One run per mirror at a time; copies of all mirrors; blob transfers of all copies. */
    private final ExecutorService runs = Executors.newCachedThreadPool();
    private final ExecutorService copies = Executors.newCachedThreadPool();
    private final ExecutorService blobs = Executors.newFixedThreadPool(8);
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final Set<String> again = ConcurrentHashMap.newKeySet();
    /** The last outcome of each destination tag, by mirror (what the status shows beside the plan). */
    private final Map<String, Map<String, Outcome>> outcomes = new ConcurrentHashMap<>();
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();
    private final Map<String, Instant> referrersChecked = new ConcurrentHashMap<>();
    private RegistryAccess access;

    /** What happened to a destination tag last, in flux-mirror's words. */
    public record Outcome(String status, String digest, Optional<String> reason, Instant at) {}

    private record Failure(String reason, int attempts, Instant retryAt) {}

    void start(@Observes StartupEvent e) {
        access = new RegistryAccess(secrets);
        facts.onSourceChange(this::due);
    }

    void stop(@Observes ShutdownEvent e) {
        runs.shutdownNow();
        copies.shutdownNow();
        blobs.shutdownNow();
    }

    /** Every check: each mirror is planned again (cheap, from memory), for minAge, prune ages and retries. */
    @Scheduled(every = "${tagstream.promoter.mirror-check:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (leader.leads()) {
            config.config().mirrors().forEach(m -> due(m.id().toString()));
        }
    }

    /**
     * Source tags stored for a mirror no longer configured, or for a source it no longer reads, are dropped (on the
     * leader); the copies stay recorded under their destination, so prune still knows what Tagstream created there.
     */
    void reconfigured(@Observes TagstreamConfig cfg) {
        if (!leader.leads()) {
            return;
        }
        Set<String> current = new HashSet<>();
        cfg.mirrors().forEach(m -> name(m.source()).ifPresent(n -> current.add(m.id() + "|" + n.canonical())));
        for (String key : facts.sourceKeys()) {
            if (!current.contains(key)) {
                String mirror = key.substring(0, key.indexOf('|'));
                String repository = key.substring(key.indexOf('|') + 1);
                facts.source(mirror, repository).keySet().forEach(tag -> facts.source(mirror, repository, tag, null));
                if (facts.scanning(mirror, repository)) {
                    facts.scan(mirror, repository, null);
                }
            }
        }
    }

    /** Runs {@code mirror} soon, on the leader; asked again while it runs, it runs once more after. */
    void due(String mirror) {
        if (!leader.leads()) {
            return;
        }
        again.add(mirror);
        if (running.add(mirror)) {
            runs.submit(() -> {
                try {
                    while (again.remove(mirror) && leader.leads()) {
                        run(mirror);
                    }
                } catch (RuntimeException e) {
                    LOG.errorf(e, "mirror %s", mirror);
                } finally {
                    running.remove(mirror);
                    if (again.contains(mirror)) {
                        due(mirror);
                    }
                }
            });
        }
    }

    /** The plan for a mirror as it stands, for the status (any pod: the facts are followed everywhere). */
    Optional<MirrorPlan> plan(ImageMirror m, Instant now) {
        Optional<RepositoryName> from = name(m.source());
        Optional<RepositoryName> to = name(m.destination());
        if (from.isEmpty() || to.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(MirrorPlan.plan(m, facts.source(m.id().toString(), from.get().canonical()),
                facts.copies(to.get().canonical()), destinationTags(m), now));
    }

    Map<String, Outcome> outcomes(String mirror) {
        return Map.copyOf(outcomes.getOrDefault(mirror, Map.of()));
    }

    private void run(String mirror) {
        TagstreamConfig cfg = config.config();
        Optional<ImageMirror> found = cfg.find(ImageMirror.class, ResourceId.parse(mirror));
        if (found.isEmpty() || found.get().suspend()) {
            return;
        }
        ImageMirror m = found.get();
        RepositoryName from = RepositoryName.parse(m.source());
        RepositoryName to = RepositoryName.parse(m.destination());
        if (facts.scanning(mirror, from.canonical())) {
            return; // planned when the scan's last event is read
        }
        Instant now = Instant.now();
        MirrorPlan plan = plan(m, now).orElseThrow();
        Map<String, MirrorPlan.Copy> recorded = facts.copies(to.canonical());
        RegistryClient dst = access.client(to, cfg);
        RegistryClient src = access.client(m.scanTarget(), from, cfg);
        Semaphore slots = new Semaphore(m.concurrency());
        List<CompletableFuture<Boolean>> work = new ArrayList<>();
        boolean waiting = false;
        for (MirrorPlan.Step step : plan.steps()) {
            if (step instanceof MirrorPlan.CopyTag c) {
                Failure f = failures.get(mirror + "|" + c.destinationTag());
                if (f != null && f.retryAt().isAfter(now)) {
                    waiting = true; // failed before: tried again after its backoff
                    continue;
                }
                slots.acquireUninterruptibly();
                work.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return copy(m, c, src, from, dst, to, recorded.get(c.destinationTag()));
                    } finally {
                        slots.release();
                    }
                }, copies));
            } else if (step instanceof MirrorPlan.Drifted d) {
                outcome(m, d.destinationTag(), new Outcome("drifted", d.sourceDigest(), Optional.of("the source tag " + d.sourceTag()
                        + " now points at " + d.sourceDigest() + "; the destination keeps " + d.destinationDigest()
                        + " (overwrite is off)"), now), AuditAction.MIRROR_DRIFTED);
            }
        }
        boolean clean = work.stream().allMatch(CompletableFuture::join) && !waiting;
        boolean copied = !work.isEmpty();
        if (m.includeReferrers() && (copied || referrersChecked.getOrDefault(mirror, Instant.EPOCH).plus(m.interval()).isBefore(now))) {
            referrersChecked.put(mirror, now);
            clean &= referrers(m, plan, src, from, dst, to);
        }
        if (clean && plan.steps().stream().noneMatch(s -> failures.containsKey(mirror + "|" + s.destinationTag()))) {
            prune(m, plan.prune(), dst, to);
        }
    }

    /** One copy: the destination asked first when no finished record explains it, the intent stored, copied, stored done. */
    private boolean copy(ImageMirror m, MirrorPlan.CopyTag c, RegistryClient src, RepositoryName from, RegistryClient dst,
            RepositoryName to, MirrorPlan.Copy there) {
        String mirror = m.id().toString();
        String key = mirror + "|" + c.destinationTag();
        try {
            boolean intent = there != null && !there.done();
            Optional<String> atDestination = there != null && there.done() ? Optional.of(there.digest())
                    : dst.resolve(to.path(), c.destinationTag()).map(RegistryClient.Resolved::digest);
            AtDestination what = MirrorPlan.atDestination(c, atDestination, intent);
            Instant now = Instant.now();
            switch (what) {
                case ALREADY_THERE -> {
                    facts.copy(to.canonical(), c.destinationTag(), new MirrorPlan.Copy(mirror, c.sourceTag(), c.digest(), true, false, now));
                    outcome(m, c.destinationTag(), new Outcome("skipped", c.digest(), Optional.of("up-to-date: the destination"
                            + " held this digest already (not created by this mirror, so never pruned)"), now), null);
                }
                case DRIFTED -> outcome(m, c.destinationTag(), new Outcome("drifted", c.digest(), Optional.of("the destination's "
                        + c.destinationTag() + " is " + atDestination.get() + ", not the source's " + c.digest()
                        + " (overwrite is off)"), now), AuditAction.MIRROR_DRIFTED);
                case COPY, OVERWRITE -> {
                    Optional<String> unverified = unverified(m, c, src, from);
                    if (unverified.isPresent()) {
                        throw new Unverified(unverified.get());
                    }
                    facts.copy(to.canonical(), c.destinationTag(), new MirrorPlan.Copy(mirror, c.sourceTag(), c.digest(), false, true, now));
                    long t0 = System.nanoTime();
                    ImageCopier.Result r = ImageCopier.copy(src, from.path(), c.digest(), dst, to.path(), List.of(c.destinationTag()), blobs);
                    Instant done = Instant.now();
                    facts.copy(to.canonical(), c.destinationTag(), new MirrorPlan.Copy(mirror, c.sourceTag(), c.digest(), true, true, done));
                    boolean over = what == AtDestination.OVERWRITE && atDestination.filter(d -> !d.equals(c.digest())).isPresent();
                    String how = from.canonical() + ":" + c.sourceTag() + " → " + to.canonical() + ":" + c.destinationTag() + " ("
                            + c.digest() + "; " + r.manifests() + " manifest(s), " + r.blobsUploaded() + " blob(s) uploaded, "
                            + r.blobsMounted() + " mounted, " + r.blobsSkipped() + " there already, "
                            + (System.nanoTime() - t0) / 1_000_000 + " ms)";
                    outcome(m, c.destinationTag(), new Outcome(over ? "overwritten" : "copied", c.digest(), Optional.of(how), done),
                            over ? AuditAction.MIRROR_OVERWRITTEN : AuditAction.MIRROR_COPIED);
                }
            }
            failures.remove(key);
            return true;
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            Failure before = failures.get(key);
            int attempts = before == null ? 1 : before.attempts() + 1;
            Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(attempts - 1, 6));
            failures.put(key, new Failure(why, attempts, Instant.now().plus(wait.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : wait)));
            outcome(m, c.destinationTag(), new Outcome("failed", c.digest(), Optional.of(why), Instant.now()), AuditAction.MIRROR_FAILED);
            return false;
        }
    }

    /**
     * The OCI 1.1 referrers of each selected digest at the destination: read through the source's referrers API where it
     * serves one, else from its referrers tag schema index ({@code sha256-<hex>}); each missing referrer is copied by
     * digest, and where the destination has no referrers API its tag schema index is merged so clients find them. Run
     * when something was copied and once per {@code interval} (a referrer published later is copied then). False when
     * one failed (said in the audit).
     */
    private boolean referrers(ImageMirror m, MirrorPlan plan, RegistryClient src, RepositoryName from, RegistryClient dst,
            RepositoryName to) {
        boolean ok = true;
        Map<String, MirrorPlan.Copy> recorded = facts.copies(to.canonical());
        for (MirrorPlan.Step step : plan.steps()) {
            MirrorPlan.Copy subject = recorded.get(step.destinationTag());
            if (MirrorSelector.referrerTag(step.destinationTag()) || subject == null || !subject.done()) {
                continue;
            }
            String digest = subject.digest();
            String tag = MirrorPlan.referrerTags(digest).get(0);
            try {
                List<ReferrersIndex.Referrer> found = src.referrers(from.path(), digest)
                        .or(() -> src.manifest(from.path(), tag))
                        .map(i -> ReferrersIndex.referrers(i.bytes())).orElse(List.of());
                if (found.isEmpty()) {
                    continue;
                }
                for (ReferrersIndex.Referrer r : found) {
                    if (dst.resolve(to.path(), r.digest()).isEmpty()) {
                        ImageCopier.copy(src, from.path(), r.digest(), dst, to.path(), List.of(), blobs);
                        outcome(m, step.destinationTag() + "@" + r.digest(), new Outcome("copied", r.digest(), Optional.of("referrer "
                                + r.digest() + " (" + r.descriptor().path("artifactType").asText(r.mediaType()) + ") of "
                                + step.destinationTag()), Instant.now()), AuditAction.MIRROR_COPIED);
                    }
                }
                if (dst.referrers(to.path(), digest).isEmpty()) {
                    Optional<byte[]> index = ReferrersIndex.merged(dst.manifest(to.path(), tag).map(RegistryClient.Manifest::bytes), found);
                    if (index.isPresent()) {
                        String stored = dst.putManifest(to.path(), tag, index.get(), RegistryClient.OCI_INDEX);
                        facts.copy(to.canonical(), tag, new MirrorPlan.Copy(m.id().toString(), tag, stored, true, true, Instant.now()));
                    }
                }
            } catch (RuntimeException e) {
                String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                outcome(m, tag, new Outcome("failed", digest, Optional.of("referrers of " + step.destinationTag() + ": " + why),
                        Instant.now()), AuditAction.MIRROR_FAILED);
                ok = false;
            }
        }
        return ok;
    }

    /** A copy verification blocked; its reason goes to the status and the audit, and it is tried again later. */
    private static final class Unverified extends RuntimeException {
        Unverified(String reason) {
            super(reason);
        }
    }

    /**
     * Why the image may not be copied under {@code verify}, or empty: key-based cosign verification of its digest
     * against the public key in the secret ({@code cosign.pub}), from the source's signature tag. Referrers are not
     * images and are not verified themselves.
     */
    private Optional<String> unverified(ImageMirror m, MirrorPlan.CopyTag c, RegistryClient src, RepositoryName from) {
        if (m.verify().isEmpty() || c.referrer()) {
            return Optional.empty();
        }
        String secret = m.verify().get().publicKeySecretRef().orElseThrow(); // keyless mirrors are not run at all
        Optional<Secret> pem = secrets.get(m.id().namespace(), secret, "cosign.pub");
        if (pem.isEmpty()) {
            return Optional.of("verify: the secret " + m.id().namespace() + "/" + secret + " has no key cosign.pub");
        }
        PublicKey key;
        try {
            key = CosignSignatures.publicKey(pem.get().reveal());
        } catch (IllegalArgumentException e) {
            return Optional.of("verify: secret " + m.id().namespace() + "/" + secret + " key cosign.pub: " + e.getMessage());
        }
        String sigTag = MirrorPlan.referrerTags(c.digest()).get(1);
        Optional<RegistryClient.Manifest> sig = src.manifest(from.path(), sigTag);
        if (sig.isEmpty()) {
            return Optional.of("verify: " + from.canonical() + " has no cosign signature for " + c.digest() + " (" + sigTag + ")");
        }
        List<CosignSignatures.Layer> layers = new ArrayList<>();
        for (CosignSignatures.Listed l : CosignSignatures.layers(sig.get().bytes())) {
            if (l.mediaType().equals(CosignSignatures.PAYLOAD)) {
                try (InputStream in = src.openBlob(from.path(), l.digest())) {
                    layers.add(new CosignSignatures.Layer(l.mediaType(), in.readNBytes(MAX_PAYLOAD), l.signature()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return CosignSignatures.verify(c.digest(), layers, key).map(w -> "verify: " + w);
    }

    /**
     * Deletes what prune says. A registry that cannot delete a tag alone (distribution 2.x) has the manifest deleted by
     * digest instead, but only when no other tag at the destination points at it: a tag this mirror did not create is
     * never touched.
     */
    private void prune(ImageMirror m, List<MirrorPlan.Delete> deletes, RegistryClient dst, RepositoryName to) {
        Map<String, String> others = null; // the destination's tags, listed once per prune and only when asked
        for (MirrorPlan.Delete d : deletes) {
            try {
                boolean tagGone = dst.deleteManifest(to.path(), d.destinationTag());
                if (!tagGone || d.manifest()) {
                    if (others == null) {
                        others = destinationDigests(dst, to);
                    }
                    Optional<String> sharing = others.entrySet().stream()
                            .filter(e -> !e.getKey().equals(d.destinationTag()) && e.getValue().equals(d.digest()))
                            .map(Map.Entry::getKey).findFirst();
                    if (!tagGone && sharing.isPresent()) {
                        outcome(m, d.destinationTag(), new Outcome("kept", d.digest(), Optional.of("prune would delete it, but the registry cannot"
                                + " delete a tag alone and " + sharing.get() + " shares its digest"),
                                Instant.now()), AuditAction.MIRROR_PRUNED);
                        continue;
                    }
                    if (sharing.isEmpty()) {
                        dst.deleteManifest(to.path(), d.digest());
                    }
                }
                if (others != null) {
                    others.remove(d.destinationTag());
                }
                facts.copy(to.canonical(), d.destinationTag(), null);
                outcome(m, d.destinationTag(), new Outcome("pruned", d.digest(), Optional.of(d.why()), Instant.now()),
                        AuditAction.MIRROR_PRUNED);
            } catch (RuntimeException e) {
                String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                outcome(m, d.destinationTag(), new Outcome("failed", d.digest(), Optional.of("prune: " + why), Instant.now()),
                        AuditAction.MIRROR_FAILED);
                return; // nothing more is deleted after an error
            }
        }
    }

    /** Every tag at the destination with its digest: the recorded ones from the facts, the others asked (one HEAD each). */
    private Map<String, String> destinationDigests(RegistryClient dst, RepositoryName to) {
        Map<String, MirrorPlan.Copy> recorded = facts.copies(to.canonical());
        Map<String, String> out = new HashMap<>();
        for (String tag : dst.listTags(to.path(), 1000, OptionalInt.empty()).tags()) {
            MirrorPlan.Copy c = recorded.get(tag);
            if (c != null && c.done()) {
                out.put(tag, c.digest());
            } else {
                dst.resolve(to.path(), tag).ifPresent(r -> out.put(tag, r.digest()));
            }
        }
        return out;
    }

    /** Stores the outcome; audits it when it differs from the last one said for that tag (drift and failures once). */
    private void outcome(ImageMirror m, String tag, Outcome o, AuditAction action) {
        Outcome before = outcomes.computeIfAbsent(m.id().toString(), k -> new ConcurrentHashMap<>()).put(tag, o);
        boolean same = before != null && before.status().equals(o.status()) && before.digest().equals(o.digest())
                && before.reason().equals(o.reason());
        if (action == null || same && !action.equals(AuditAction.MIRROR_COPIED) && !action.equals(AuditAction.MIRROR_OVERWRITTEN)) {
            return;
        }
        String subject = m.id().toString();
        String text = tag + ": " + o.status() + o.reason().map(r -> " — " + r).orElse("");
        publisher.audit(action == AuditAction.MIRROR_FAILED
                ? Publisher.AUDIT.error(action, subject, text, Optional.empty())
                : Publisher.AUDIT.ok(action, subject, text, Optional.empty()));
    }

    /** The destination tag for a source tag: {@code tagTemplate} over {@code .Tag}, else the same name. */
    static UnaryOperator<String> destinationTags(ImageMirror m) {
        if (m.tagTemplate().isEmpty()) {
            return UnaryOperator.identity();
        }
        GoTemplate t = GoTemplate.parse(m.tagTemplate().get());
        return tag -> t.execute(Map.of("Tag", tag)).trim();
    }

    private static Optional<RepositoryName> name(String image) {
        try {
            return Optional.of(RepositoryName.parse(image));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
