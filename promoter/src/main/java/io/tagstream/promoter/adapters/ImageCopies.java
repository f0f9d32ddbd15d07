package io.tagstream.promoter.adapters;

import io.tagstream.common.events.AuditAction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tagstream.common.config.ImagePolicy;
import io.tagstream.common.config.ImagePromotion;
import io.tagstream.common.config.ImageRepository;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.Secrets;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.Audit;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.ImageRef;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.common.registry.ImageCopier;
import io.tagstream.common.registry.RegistryAccess;
import io.tagstream.common.registry.RegistryClient;
import io.tagstream.common.registry.RepositoryName;
import io.tagstream.common.service.ConfigWatch;
import io.tagstream.promoter.core.CopyPlan;
import io.tagstream.promoter.core.Gates;
import io.tagstream.promoter.core.Promotion;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Carries approved promotions out on the leader: copies the image to the gate's target as its {@link CopyPlan} says
 * (unless the target holds the digest already), then records where it is and announces {@code promotion-approved}.
 * An approved promotion is announced only when its image is at the target, the copy verified to have the source's
 * digest.
 */
@ApplicationScoped
public class ImageCopies {

    @Inject
    PromotionStore store;

    @Inject
    Publisher publisher;

    @Inject
    ConfigWatch config;

    @Inject
    Secrets secrets;

    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final Set<String> carrying = ConcurrentHashMap.newKeySet();
    private RegistryAccess access;

    void start(@Observes StartupEvent e) {
        access = new RegistryAccess(secrets);
    }

    void stop(@Observes ShutdownEvent e) {
        pool.shutdownNow();
    }

    /** Carries {@code p} out in the background, once however often it is asked. */
    void carry(Promotion p) {
        if (carrying.add(p.id())) {
            pool.submit(() -> {
                try {
                    carryOut(p);
                } finally {
                    carrying.remove(p.id());
                }
            });
        }
    }

    private void carryOut(Promotion p) {
        TagstreamConfig cfg = config.config();
        try {
            ImagePromotion gate = cfg.find(ImagePromotion.class, ResourceId.parse(p.promotion()))
                    .orElseThrow(() -> new IllegalStateException("ImagePromotion " + p.promotion() + " is no longer configured"));
            Optional<CopyPlan> plan = CopyPlan.of(gate, p);
            plan.ifPresent(c -> copy(c, p, cfg));
            String target = plan.map(CopyPlan::targetRef).orElse(p.source());
            Promotion done = carried(p, Optional.of(target), Optional.empty());
            PromotionApproved approved = new PromotionApproved(p.promotion(), p.policy(), ImageRef.parse(p.source()), ImageRef.parse(target),
                    p.decidedBy().orElse("auto"), p.decidedAt().orElse(Instant.now()), plan.isPresent());
            var event = CloudEvent.inChain(done.correlationId(), Publisher.SERVICE, approved);
            publisher.approved(event);
            publisher.audit(Publisher.AUDIT.ok(AuditAction.PROMOTION_AVAILABLE, p.promotion(), (plan.isPresent() ? "copied to " : "") + target
                    + " with digest " + p.digest(), Optional.of(event)));
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            carried(p, Optional.empty(), Optional.of(why));
            var audit = Publisher.AUDIT.error(AuditAction.PROMOTION_FAILED, p.promotion(), p.source() + ": " + why, Optional.empty());
            publisher.audit(Audit.inChain(audit, p.correlationId()));
        }
    }

    private Promotion carried(Promotion p, Optional<String> target, Optional<String> failure) {
        Gates gates = store.gates();
        Promotion done;
        synchronized (gates) {
            done = gates.carried(p.id(), target, failure, Instant.now());
        }
        store.put(done);
        return done;
    }

    /** The copy, skipped when the target's first tag already holds the digest; cosign artifacts follow when present. */
    private void copy(CopyPlan plan, Promotion p, TagstreamConfig cfg) {
        RegistryClient dst = access.client(plan.to(), cfg);
        boolean there = dst.resolve(plan.to().path(), plan.tags().get(0)).map(r -> r.digest().equals(plan.digest())).orElse(false);
        if (there) {
            return;
        }
        RegistryClient src = sourceClient(p, plan.from(), cfg);
        ImageCopier.copy(src, plan.from().path(), plan.digest(), dst, plan.to().path(), plan.tags(), pool);
        for (String tag : plan.signatureTags()) {
            if (src.resolve(plan.from().path(), tag).isPresent()) {
                ImageCopier.copy(src, plan.from().path(), tag, dst, plan.to().path(), List.of(tag), pool);
            }
        }
    }

    /** The source registry with the credentials of the ImageRepository the policy reads, when there is one. */
    private RegistryClient sourceClient(Promotion p, RepositoryName from, TagstreamConfig cfg) {
        Optional<ImageRepository> repo = cfg.find(ImagePolicy.class, ResourceId.parse(p.policy()))
                .flatMap(pol -> cfg.find(ImageRepository.class, pol.imageRepositoryRef()));
        return repo.map(r -> access.client(r, from, cfg)).orElseGet(() -> access.client(from, cfg));
    }
}
