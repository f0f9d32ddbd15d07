package io.tagstream.e2e;

import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.CommitPushed;
import io.tagstream.common.events.Topic;
import io.tagstream.testkit.KafkaBroker;
import io.tagstream.testkit.TestImages;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Push → {@code commit-pushed} latency through the whole chain on loopback, webhook path: 100 sequential pushes of a
 * higher {@code blog-N} tag (one manifest PUT each), each timed from the registry's 201 to the commit-pushed record
 * reaching a consumer. Run: {@code ./mvnw verify -Pbench -pl e2e}.
 */
@Tag("bench")
class ChainLatencyBench {

    @BeforeAll
    static void start() throws Exception {
        TazLabChainTest.start();
    }

    @AfterAll
    static void stop() {
        TazLabChainTest.stop();
    }

    @Test
    void hundredSequentialPushesViaWebhooks() throws Exception {
        var base = TestImages.push(TazLabChainTest.registry, "tazlab/hugo-blog", "blog-100-0000000");
        Properties p = new Properties();
        p.put("bootstrap.servers", KafkaBroker.shared().bootstrapServers());
        p.put("key.deserializer", ByteArrayDeserializer.class);
        p.put("value.deserializer", ByteArrayDeserializer.class);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = c.partitionsFor(Topic.COMMIT_PUSHED.defaultName()).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            c.assign(parts);
            c.seekToEnd(parts);
            parts.forEach(c::position);
            waitFor(c, "blog-100-0000000", Duration.ofSeconds(30)); // warm-up: the first commit clones
            long[] ms = new long[100];
            for (int i = 0; i < ms.length; i++) {
                String tag = "blog-" + (101 + i) + "-0000000";
                TestImages.retag(TazLabChainTest.registry, base, List.of(tag));
                long t0 = System.nanoTime();
                waitFor(c, tag, Duration.ofSeconds(30));
                ms[i] = (System.nanoTime() - t0) / 1_000_000;
            }
            Arrays.sort(ms);
            System.out.printf("BENCH push -> commit-pushed, webhook path, 100 sequential pushes: p50 %d ms, p95 %d ms, p99 %d ms, max %d ms%n",
                    ms[49], ms[94], ms[98], ms[99]);
        }
    }

    static void waitFor(KafkaConsumer<byte[], byte[]> c, String tag, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (var r : c.poll(Duration.ofMillis(5))) {
                CommitPushed e = CloudEvent.read(r.headers(), r.value(), CommitPushed.class).data();
                if (e.changes().stream().anyMatch(ch -> ch.newValue().endsWith(":" + tag))) {
                    return;
                }
            }
        }
        throw new AssertionError(tag + " did not reach git within " + timeout);
    }
}
