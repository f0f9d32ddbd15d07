package io.tagstream.common.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A service's durable state as a compacted Kafka topic of string keys and JSON values; a {@code null} value
 * (tombstone) deletes a key. Services keep no disk: a started pod {@linkplain #load reads the topic to its end} before
 * handling events, and writes each change synchronously before acknowledging what caused it.
 */
public final class CompactedTopic implements AutoCloseable {

    private final String topic;
    private final Properties base = new Properties();
    private final KafkaProducer<String, String> producer;
    private volatile Thread follower;
    private volatile KafkaConsumer<String, String> followed;
    private volatile boolean closing;
    /** Where the follower has read to, per partition: what {@link #awaitFollowed} compares with the end offsets. */
    private final Map<TopicPartition, Long> followedTo = new java.util.concurrent.ConcurrentHashMap<>();

    public CompactedTopic(String bootstrapServers, String topic) {
        this.topic = topic;
        base.put("bootstrap.servers", bootstrapServers);
        Properties p = new Properties();
        p.putAll(base);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        this.producer = new KafkaProducer<>(p);
    }

    public String name() {
        return topic;
    }

    /** Creates the topic with {@code cleanup.policy=compact} unless it exists (Strimzi may have made it already). */
    public CompactedTopic ensureExists(int partitions) {
        Topics.ensure(base.getProperty("bootstrap.servers"), topic, partitions,
                Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        return this;
    }

    /**
     * Loads the topic like {@link #load}, then keeps applying what other writers (other pods of the service) add, on a
     * daemon thread, until {@link #close}. {@code apply} must be thread-safe; a pod's own writes come back to it too.
     */
    public int loadAndFollow(BiConsumer<String, String> apply) {
        KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerProperties());
        int applied;
        try {
            applied = readToEnd(c, apply);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        c.assignment().forEach(tp -> followedTo.put(tp, c.position(tp)));
        Thread t = new Thread(() -> {
            try (c) {
                while (!closing) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                        try {
                            apply.accept(r.key(), r.value());
                        } catch (RuntimeException e) {
                            // a record this version cannot read must not stop the others from arriving
                            System.getLogger(CompactedTopic.class.getName()).log(System.Logger.Level.WARNING,
                                    "skipping state record " + r.key() + " of " + topic + ": " + e.getMessage());
                        }
                    }
                    c.assignment().forEach(tp -> followedTo.put(tp, c.position(tp)));
                }
            } catch (org.apache.kafka.common.errors.InterruptException | org.apache.kafka.common.errors.WakeupException e) {
                // closing
            }
        }, "follow-" + topic);
        t.setDaemon(true);
        followed = c;
        t.start();
        follower = t;
        return applied;
    }

    /**
     * Waits until the follower has applied everything written to the topic before this call, e.g. by a pod that led
     * before this one; {@code false} if that took longer than {@code timeout}.
     */
    public boolean awaitFollowed(Duration timeout) {
        if (follower == null) {
            throw new IllegalStateException("awaitFollowed needs loadAndFollow first");
        }
        Map<TopicPartition, Long> end = new HashMap<>();
        // the admin client, not a consumer: a consumer asked for partitions it is not assigned logs a warning each time
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(base)) {
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
            followedTo.keySet().forEach(tp -> latest.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()));
            admin.listOffsets(latest).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach((tp, info) -> end.put(tp, info.offset()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (end.entrySet().stream().anyMatch(e -> followedTo.getOrDefault(e.getKey(), 0L) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private Properties consumerProperties() {
        Properties p = new Properties();
        p.putAll(base);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        return p;
    }

    /** Every record from the beginning to the end offsets seen at the start, in order; returns how many. */
    public int load(BiConsumer<String, String> apply) {
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerProperties())) {
            return readToEnd(c, apply);
        }
    }

    private int readToEnd(KafkaConsumer<String, String> c, BiConsumer<String, String> apply) {
        int applied = 0;
        List<TopicPartition> parts = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (parts.isEmpty()) { // a topic created a moment ago may not be in the metadata yet
            var infos = c.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos != null) {
                infos.forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
            }
            if (parts.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("state topic " + topic + " has no partitions");
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
        c.assign(parts);
        c.seekToBeginning(parts);
        Map<TopicPartition, Long> end = new HashMap<>(c.endOffsets(parts));
        while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
            for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                apply.accept(r.key(), r.value());
                applied++;
            }
        }
        return applied;
    }

    /** Stores a value ({@code null} deletes the key) and waits until the broker has it. */
    public void put(String key, String value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write state " + key + " to " + topic + ": " + e.getMessage(), e);
        }
    }

    /** Stores a value without waiting; the future completes when the broker has it. */
    public java.util.concurrent.CompletableFuture<Void> putAsync(String key, String value) {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        producer.send(new ProducerRecord<>(topic, key, value), (meta, failure) -> {
            if (failure == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(new IllegalStateException("cannot write state " + key + " to " + topic + ": "
                        + failure.getMessage(), failure));
            }
        });
        return done;
    }

    /** Stores many values, waiting once for all of them. */
    public void putAll(Map<String, String> values) {
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        values.forEach((k, v) -> sent.add(producer.send(new ProducerRecord<>(topic, k, v))));
        for (var f : sent) {
            try {
                f.get(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (Exception e) {
                throw new IllegalStateException("cannot write state to " + topic + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() {
        Thread t = follower;
        if (t != null) {
            // woken rather than interrupted, so the follower closes its consumer cleanly
            closing = true;
            followed.wakeup();
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        producer.close(Duration.ofSeconds(5));
    }
}
