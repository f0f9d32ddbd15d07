package io.tagstream.testkit;

import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One real Kafka broker per test JVM: an in-process KRaft node from Kafka's own test kit, or a Testcontainers broker
 * where a Docker engine answers. Started on first use, stopped when the JVM exits.
 */
public abstract class KafkaBroker {

    private static KafkaBroker shared;

    public static synchronized KafkaBroker shared() {
        if (shared == null) {
            KafkaBroker b = DockerKafka.available() ? new DockerKafka() : new EmbeddedKafka();
            b.start();
            Runtime.getRuntime().addShutdownHook(new Thread(b::stop, "kafka-broker-stop"));
            shared = b;
        }
        return shared;
    }

    protected abstract void start();

    protected abstract void stop();

    public abstract String bootstrapServers();

    /** Publishes an event the way the services do: key, CloudEvents headers, JSON value. */
    public void publish(String topic, CloudEvent<?> event) {
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            p.send(new ProducerRecord<>(topic, null, event.key().getBytes(), event.value(), event.headers())).get();
        } catch (Exception e) {
            throw new IllegalStateException("publish to " + topic + " failed", e);
        }
    }

    public KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p);
    }

    /** Every record of a topic from the beginning, read until {@code done} holds or the timeout passes. */
    public List<ConsumerRecord<byte[], byte[]>> read(
            String topic, Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            while (parts.isEmpty() && System.nanoTime() < deadline) {
                var infos = c.partitionsFor(topic, Duration.ofSeconds(2));
                if (infos != null) {
                    infos.forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
                }
                if (parts.isEmpty()) {
                    Ports.sleep(100);
                }
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            while (!done.test(seen) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(seen::add);
            }
        }
        return seen;
    }

    /** The events of one type on a topic, read until {@code done} holds for them or the timeout passes. */
    public <T extends Event> List<CloudEvent<T>> events(
            String topic, Class<T> type, Predicate<List<CloudEvent<T>>> done, Duration timeout) {
        List<CloudEvent<T>> out = new ArrayList<>();
        read(topic, records -> {
            out.clear();
            records.forEach(r -> out.add(CloudEvent.read(r.headers(), r.value(), type)));
            return done.test(out);
        }, timeout);
        return out;
    }

    /** KRaft broker and controller in this JVM, from {@code org.apache.kafka:kafka-test-common-runtime}. */
    static final class EmbeddedKafka extends KafkaBroker {
        private org.apache.kafka.common.test.KafkaClusterTestKit cluster;
        private Path logs;

        @Override
        protected void start() {
            try {
                logs = WorkDirs.create("kafka");
                var nodes = new org.apache.kafka.common.test.TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .setBaseDirectory(logs)
                        .build();
                cluster = new org.apache.kafka.common.test.KafkaClusterTestKit.Builder(nodes)
                        .setConfigProp("auto.create.topics.enable", "true")
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .setConfigProp("num.partitions", "3")
                        .setDeleteOnClose(true)
                        .build();
                cluster.format();
                cluster.startup();
                cluster.waitForReadyBrokers();
            } catch (Exception e) {
                throw new IllegalStateException("embedded Kafka did not start", e);
            }
        }

        @Override
        protected void stop() {
            try {
                cluster.close();
            } catch (Exception e) {
                // the JVM is ending; nothing to hand the error to
            }
            WorkDirs.delete(logs);
        }

        @Override
        public String bootstrapServers() {
            return cluster.bootstrapServers();
        }
    }

    /** A broker in a container, only where a Docker engine is reachable (never on the build machines here). */
    static final class DockerKafka extends KafkaBroker {
        private org.testcontainers.kafka.KafkaContainer container;

        static boolean available() {
            if (System.getenv("DOCKER_HOST") == null && !Files.exists(Path.of("/var/run/docker.sock"))) {
                return false;
            }
            try {
                return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
            } catch (Throwable t) {
                return false;
            }
        }

        @Override
        protected void start() {
            container = new org.testcontainers.kafka.KafkaContainer("apache/kafka:4.1.1")
                    .withEnv(Map.of("KAFKA_NUM_PARTITIONS", "3"));
            container.start();
        }

        @Override
        protected void stop() {
            container.stop();
        }

        @Override
        public String bootstrapServers() {
            return container.getBootstrapServers();
        }
    }
}
