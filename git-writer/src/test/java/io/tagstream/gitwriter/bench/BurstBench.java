package io.tagstream.gitwriter.bench;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.common.events.Topic;
import io.tagstream.gitwriter.GitWriterFixture;
import io.tagstream.testkit.KafkaBroker;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * 1,000 approvals arriving at once for the seven policies of one fleet branch: how long until git holds the last of
 * them, and how many commits that took. Run: {@code ./mvnw verify -Pbench -pl git-writer}.
 */
@Tag("bench")
@QuarkusTest
@WithTestResource(GitWriterFixture.class)
class BurstBench {

    @Test
    void thousandApprovalsAtOnce() throws Exception {
        List<String> apps = GitWriterFixture.APPS;
        int before = commits();
        long t0 = System.nanoTime();
        try (var producer = KafkaBroker.shared().producer()) {
            for (int i = 0; i < 1000; i++) {
                String app = apps.get(i % apps.size());
                String ref = "r.example/" + app + ":" + (10_000 + i) + "@sha256:" + "f".repeat(64);
                var ev = CloudEvent.start("bench", new PromotionApproved("flux-system/" + app, "flux-system/" + app,
                        io.tagstream.common.events.ImageRef.parse(ref), io.tagstream.common.events.ImageRef.parse(ref),
                        "auto", Instant.now(), false));
                producer.send(new ProducerRecord<>(Topic.PROMOTION_APPROVED.defaultName(), null, ev.key().getBytes(), ev.value(), ev.headers()));
            }
        }
        long sent = System.nanoTime();
        // the last approval of each app carries the highest number: wait until git holds all of them
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline && !allLanded(apps)) {
            Thread.sleep(50);
        }
        long done = System.nanoTime();
        if (!allLanded(apps)) {
            throw new AssertionError("not all approvals reached git");
        }
        System.out.printf("BENCH 1,000 approvals (7 policies, one branch): published in %d ms, all in git after %d ms, "
                + "%d commits (%.0f approvals/s)%n", (sent - t0) / 1_000_000, (done - t0) / 1_000_000, commits() - before,
                1000 / ((done - t0) / 1e9));
    }

    static boolean allLanded(List<String> apps) {
        String last = GitWriterFixture.git.inBare("fleet", "grep", "-h", "image:", "feat/pemclau-master", "--", "fleet-sync");
        for (int k = 0; k < apps.size(); k++) {
            int lastIndex = 999 - ((999 - k) % apps.size());
            if (!last.contains("r.example/" + apps.get(k) + ":" + (10_000 + lastIndex) + " ")) {
                return false;
            }
        }
        return true;
    }

    static int commits() {
        return Integer.parseInt(GitWriterFixture.git.inBare("fleet", "rev-list", "--count", "feat/pemclau-master").trim());
    }
}
