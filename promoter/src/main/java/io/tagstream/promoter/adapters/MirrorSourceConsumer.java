package io.tagstream.promoter.adapters;

import io.smallrye.common.annotation.Blocking;
import io.tagstream.common.config.ImageMirror;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.EventType;
import io.tagstream.common.events.ScanBatch;
import io.tagstream.common.events.TagDiscovered;
import io.tagstream.common.events.TagRemoved;
import io.tagstream.common.registry.RepositoryName;
import io.tagstream.common.service.AuditLog;
import io.tagstream.common.service.ConfigWatch;
import io.tagstream.promoter.core.MirrorPlan;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Reads {@code tag-discovered} for the mirrors' sources (the poller lists each mirror's source under the mirror's name):
 * each tag is stored in {@link MirrorFacts}, and a scan's batch is marked open until its last event, so the leader plans
 * a mirror on a whole listing, never on part of one. Events of other ImageRepositories, or of a source the mirror no
 * longer names, are not the mirrors'.
 */
@ApplicationScoped
public class MirrorSourceConsumer {

    @Inject
    AuditLog audit;

    @Inject
    ConfigWatch config;

    @Inject
    MirrorFacts facts;

    @Incoming("mirror-sources")
    @Blocking // ordered: one record at a time, as a repository's tags were found
    public void consume(ConsumerRecord<String, byte[]> record) {
        try {
            EventType type = CloudEvent.typeOf(record.headers()).orElse(EventType.TAG_DISCOVERED);
            if (type == EventType.TAG_REMOVED) {
                TagRemoved e = CloudEvent.read(record.headers(), record.value(), TagRemoved.class).data();
                if (mirrored(e.imageRepository(), e.repository())) {
                    opened(e.imageRepository(), e.repository(), e.batch());
                    facts.source(e.imageRepository(), e.repository(), e.tag(), null);
                    closed(e.imageRepository(), e.repository(), e.batch());
                }
            } else if (type == EventType.TAG_DISCOVERED) {
                TagDiscovered e = CloudEvent.read(record.headers(), record.value(), TagDiscovered.class).data();
                if (mirrored(e.imageRepository(), e.repository())) {
                    opened(e.imageRepository(), e.repository(), e.batch());
                    facts.source(e.imageRepository(), e.repository(), e.tag(),
                            new MirrorPlan.SourceTag(e.digest(), e.pushedAt().orElse(e.discoveredAt())));
                    closed(e.imageRepository(), e.repository(), e.batch());
                }
            }
        } catch (CloudEvent.MalformedEventException e) {
            audit.malformed(record.topic(), record.partition(), record.offset(), e);
        }
    }

    /** Whether {@code imageRepository} names a mirror whose source is {@code repository} now. */
    private boolean mirrored(String imageRepository, String repository) {
        Optional<ImageMirror> m;
        try {
            m = config.config().find(ImageMirror.class, ResourceId.parse(imageRepository));
        } catch (IllegalArgumentException e) {
            return false;
        }
        return m.flatMap(x -> RepositoryName.canonicalOf(x.source())).filter(repository::equals).isPresent();
    }

    private void opened(String mirror, String repository, Optional<ScanBatch> batch) {
        if (batch.isPresent() && !batch.get().last() && !facts.scanning(mirror, repository, batch.get().scan())) {
            facts.scan(mirror, repository, batch.get().scan());
        }
    }

    private void closed(String mirror, String repository, Optional<ScanBatch> batch) {
        if (batch.isPresent() && batch.get().last() && facts.scanning(mirror, repository, batch.get().scan())) {
            facts.scan(mirror, repository, null);
        }
    }
}
