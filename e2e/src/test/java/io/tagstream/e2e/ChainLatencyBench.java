package io.tagstream.e2e;

import io.tagstream.launcher.Chain;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.CommitPushed;
import io.tagstream.common.events.Topic;
import io.tagstream.testkit.KafkaBroker;
import io.tagstream.testkit.TestImages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Push → {@code commit-pushed} latency through the whole chain on loopback, webhook path: 100 sequential pushes of a
 * higher {@code blog-N} tag (one manifest PUT each), each timed from the registry's 201 to the commit-pushed record
 * reaching a consumer; then the throughput of 1,000 tags pushed as fast as possible. Run:
 * {@code ./mvnw verify -Pbench -pl e2e -Dtest='Chain*Bench'}.
 */
@Tag("bench")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChainLatencyBench {

    @BeforeAll
    static void start() throws Exception {
        TazLabChainTest.start(true, "1h", java.util.Optional.of(1000)); // our own registry: no need to be polite
    }

    @AfterAll
    static void stop() {
        TazLabChainTest.stop();
    }

    @Test
    @Order(1)
    void hundredSequentialPushesViaWebhooks() throws Exception {
        sequentialPushes("webhook path", Duration.ofSeconds(30));
    }

    /** 100 pushes one after another, each waited for; prints p50/p95/p99 from the registry's 201 to commit-pushed. */
    static void sequentialPushes(String path, Duration timeout) {
        sequentialPushes(path, timeout, 0);
    }

    /** With {@code maxPauseMs}, each push waits a random pause first, so pushes are not in step with the poller. */
    static void sequentialPushes(String path, Duration timeout, int maxPauseMs) {
        java.util.Random random = new java.util.Random(42);
        var base = TestImages.push(TazLabChainTest.registry, "tazlab/hugo-blog", "blog-100-0000000");
        try (KafkaConsumer<byte[], byte[]> c = commitPushedFromNow()) {
            waitFor(c, "blog-100-0000000", Duration.ofSeconds(60)); // warm-up: the first commit clones
            long[] ms = new long[100];
            for (int i = 0; i < ms.length; i++) {
                String tag = "blog-" + (101 + i) + "-0000000";
                if (maxPauseMs > 0) {
                    Chain.sleep(random.nextInt(maxPauseMs));
                }
                TestImages.retag(TazLabChainTest.registry, base, List.of(tag));
                long t0 = System.nanoTime();
                waitFor(c, tag, timeout);
                ms[i] = (System.nanoTime() - t0) / 1_000_000;
            }
            Arrays.sort(ms);
            System.out.printf("BENCH push -> commit-pushed, %s, 100 sequential pushes: p50 %d ms, p95 %d ms, p99 %d ms, max %d ms%n",
                    path, ms[49], ms[94], ms[98], ms[99]);
        }
    }

    @Test
    @Order(2)
    void thousandTagsPushedAsFastAsPossible() throws Exception {
        var base = TestImages.push(TazLabChainTest.registry, "tazlab/hugo-blog", "blog-1000-0000000");
        try (KafkaConsumer<byte[], byte[]> c = commitPushedFromNow()) {
            waitFor(c, "blog-1000-0000000", Duration.ofSeconds(60));
            Map<String, Long> before = endOffsets();
            List<String> tags = new ArrayList<>();
            for (int i = 1; i <= 1000; i++) {
                tags.add("blog-" + (1000 + i) + "-0000000");
            }
            long t0 = System.nanoTime();
            TestImages.retag(TazLabChainTest.registry, base, tags); // 1,000 manifest PUTs back to back
            double pushSeconds = (System.nanoTime() - t0) / 1e9;
            waitFor(c, tags.get(tags.size() - 1), Duration.ofSeconds(300));
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Long> after = endOffsets();
            Map<String, Long> events = new LinkedHashMap<>();
            after.forEach((t, n) -> events.put(t.replace("tagstream.", ""), n - before.getOrDefault(t, 0L)));
            long total = events.entrySet().stream().filter(e -> !e.getKey().equals("audit")).mapToLong(Map.Entry::getValue).sum();
            System.out.printf("BENCH 1,000 tags pushed in %.1f s; the last in git after %.1f s: %s events, %.0f events/s through the chain"
                    + " (audit records not counted), %d commits%n", pushSeconds, seconds, events, total / seconds,
                    events.get("commit-pushed"));
        }
    }

    static KafkaConsumer<byte[], byte[]> commitPushedFromNow() {
        Properties p = new Properties();
        p.put("bootstrap.servers", KafkaBroker.shared().bootstrapServers());
        p.put("key.deserializer", ByteArrayDeserializer.class);
        p.put("value.deserializer", ByteArrayDeserializer.class);
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p);
        List<TopicPartition> parts = c.partitionsFor(Topic.COMMIT_PUSHED.defaultName()).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        c.assign(parts);
        c.seekToEnd(parts);
        parts.forEach(c::position);
        return c;
    }

    /** Records in each event topic so far, summed over partitions. */
    static Map<String, Long> endOffsets() {
        Properties p = new Properties();
        p.put("bootstrap.servers", KafkaBroker.shared().bootstrapServers());
        p.put("key.deserializer", ByteArrayDeserializer.class);
        p.put("value.deserializer", ByteArrayDeserializer.class);
        Map<String, Long> out = new LinkedHashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            for (Topic t : Topic.values()) {
                List<TopicPartition> parts = c.partitionsFor(t.defaultName()).stream()
                        .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
                out.put(t.defaultName(), c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum());
            }
        }
        return out;
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
