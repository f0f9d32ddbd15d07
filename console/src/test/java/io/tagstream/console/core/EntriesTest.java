package io.tagstream.console.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tagstream.common.events.Audit;
import io.tagstream.common.events.AuditAction;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.CommitPushed;
import io.tagstream.common.events.Event;
import io.tagstream.common.events.ImageRef;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.common.events.TagDiscovered;
import io.tagstream.common.events.TagRemoved;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EntriesTest {

    static final Instant AT = Instant.parse("2026-12-07T10:00:00Z");
    static final String A = "sha256:" + "a".repeat(64);

    static Stream<Arguments> lines() {
        CloudEvent<TagDiscovered> pushed = CloudEvent.start("registry-poller", new TagDiscovered("apps/blog", "ghcr.io", "ghcr.io/tazlab/blog",
                "blog-46-ffffff0", A, "application/vnd.oci.image.manifest.v1+json", Optional.empty(), TagDiscovered.DiscoverySource.WEBHOOK, AT)
                .pushedBy(Optional.of("ci-bot")));
        return Stream.of(
                Arguments.of(pushed, "tag-discovered", "tag blog-46-ffffff0 of ghcr.io/tazlab/blog is at sha256:aaaaaaaaaaaa, pushed by ci-bot"),
                Arguments.of(CloudEvent.causedBy(pushed, "registry-poller", new TagRemoved("apps/blog", "ghcr.io", "ghcr.io/tazlab/blog",
                        "blog-45-a1b2c3d", A, AT)), "tag-removed", "tag blog-45-a1b2c3d of ghcr.io/tazlab/blog is gone"),
                Arguments.of(CloudEvent.causedBy(pushed, "policy-evaluator", new PolicyMatched("apps/blog", "ghcr.io/tazlab/blog", "blog-46-ffffff0",
                        A, Optional.of(new PolicyMatched.TagRef("blog-45-a1b2c3d", A)), AT)), "policy-matched",
                        "policy apps/blog selects blog-46-ffffff0 (was blog-45-a1b2c3d)"),
                Arguments.of(CloudEvent.causedBy(pushed, "promoter", new PromotionApproved("apps/to-prod", "apps/blog",
                        ImageRef.parse("qe.azurecr.io/api:901.0.0@" + A), ImageRef.parse("prod.azurecr.io/api:901.0.0@" + A), "user:alice", AT, true)),
                        "promotion-approved", "promotion apps/to-prod approved by user:alice: prod.azurecr.io/api:901.0.0@" + A),
                Arguments.of(CloudEvent.causedBy(pushed, "git-writer", new CommitPushed("apps/fleet", "ssh://git/fleet.git", "main",
                        "0123456789abcdef0123", List.of(new CommitPushed.Change("apps/blog.yaml", "apps:blog", "blog-45-a1b2c3d", "blog-46-ffffff0")),
                        AT, List.of())), "commit-pushed",
                        "commit 0123456789ab pushed to main of ssh://git/fleet.git: apps/blog.yaml blog-45-a1b2c3d → blog-46-ffffff0"),
                Arguments.of(new Audit("promoter").rejected(AuditAction.values()[0], "apps/to-prod", "403: needs approver", Optional.of(pushed)),
                        "audit", "403: needs approver"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("lines")
    void oneLinePerRecordInItsChain(CloudEvent<? extends Event> e, String kind, String text) {
        Entry entry = Entries.of(e);
        assertEquals(kind, entry.kind());
        assertEquals(text, entry.text());
        assertEquals(Optional.of(e.correlationId()), entry.correlationId());
        assertEquals(e.data().subject(), entry.subject());
    }
}
