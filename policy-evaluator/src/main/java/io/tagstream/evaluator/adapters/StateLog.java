package io.tagstream.evaluator.adapters;

import io.tagstream.common.events.Json;
import io.tagstream.evaluator.core.Selection;
import io.tagstream.evaluator.core.Selections;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The evaluator's durable state: a compacted topic of known tags ({@code tag|<imageRepository>|<tag>}) and announced
 * selections ({@code selection|<policy>}), tombstoned when they go away. Pods keep no disk; a started pod reads the
 * topic to the end before it handles any event.
 */
final class StateLog implements AutoCloseable {

    record TagValue(String repository, String digest) {}

    record SelectionValue(String tag, String digest) {}

    private final String topic;
    private final Properties base;
    private final KafkaProducer<String, String> producer;

    StateLog(String bootstrap, String topic) {
        this.topic = topic;
        this.base = new Properties();
        base.put("bootstrap.servers", bootstrap);
        Properties p = new Properties();
        p.putAll(base);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        this.producer = new KafkaProducer<>(p);
    }

    void ensureTopic(int partitions) {
        try (Admin admin = Admin.create(base)) {
            NewTopic t = new NewTopic(topic, partitions, (short) -1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(t)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create state topic " + topic, e.getCause());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create state topic " + topic, e);
        }
    }

    /** Reads the topic from the beginning to its current end into the state; returns how many records were applied. */
    int load(Selections state) {
        Properties p = new Properties();
        p.putAll(base);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        int applied = 0;
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(topic, Duration.ofSeconds(30)).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = new HashMap<>(c.endOffsets(parts));
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    apply(state, r.key(), r.value());
                    applied++;
                }
            }
        }
        return applied;
    }

    private static void apply(Selections state, String key, String value) {
        String[] k = key.split("\\|", 3);
        if (k[0].equals("tag") && k.length == 3) {
            if (value == null) {
                state.restoreTagRemoved(k[1], k[2]);
            } else {
                TagValue v = Json.read(value.getBytes(StandardCharsets.UTF_8), TagValue.class);
                state.restoreTag(k[1], v.repository(), k[2], v.digest());
            }
        } else if (k[0].equals("selection") && k.length == 2) {
            if (value == null) {
                state.restoreSelectionCleared(k[1]);
            } else {
                SelectionValue v = Json.read(value.getBytes(StandardCharsets.UTF_8), SelectionValue.class);
                state.restoreSelection(k[1], new Selection(v.tag(), v.digest()));
            }
        }
    }

    void tag(String imageRepository, String tag, String repository, String digest) {
        put("tag|" + imageRepository + "|" + tag, Json.writeString(new TagValue(repository, digest)));
    }

    void tagRemoved(String imageRepository, String tag) {
        put("tag|" + imageRepository + "|" + tag, null);
    }

    void selection(String policy, String tag, String digest) {
        put("selection|" + policy, Json.writeString(new SelectionValue(tag, digest)));
    }

    void selectionCleared(String policy) {
        put("selection|" + policy, null);
    }

    private void put(String key, String value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write state " + key + " to " + topic, e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
