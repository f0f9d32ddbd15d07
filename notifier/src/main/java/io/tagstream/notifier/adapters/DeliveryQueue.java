package io.tagstream.notifier.adapters;

import io.quarkus.runtime.StartupEvent;
import io.tagstream.common.events.Json;
import io.tagstream.common.state.Topics;
import io.tagstream.notifier.core.Delivery;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Writes deliveries to {@code tagstream.notifier.deliveries}, keyed by Provider, and waits for the broker. */
@ApplicationScoped
public class DeliveryQueue {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "tagstream.notifier.delivery-topic")
    String topic;

    @ConfigProperty(name = "tagstream.notifier.delivery-partitions")
    int partitions;

    @ConfigProperty(name = "tagstream.notifier.give-up-after")
    Duration giveUpAfter;

    private KafkaProducer<String, String> producer;

    /** Before the connectors and the delivery worker start. */
    void start(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE + 100) StartupEvent e) {
        // kept well past the retry budget: a record is read again only while its delivery may still be retried
        Topics.ensure(bootstrap, topic, partitions, Map.of(TopicConfig.RETENTION_MS_CONFIG,
                String.valueOf(Math.max(Duration.ofDays(1).toMillis(), giveUpAfter.multipliedBy(4).toMillis()))));
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        producer = new KafkaProducer<>(p);
    }

    /** After the connectors stopped: a record still being handled can still be queued. */
    @jakarta.annotation.PreDestroy
    void stop() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    public String topic() {
        return topic;
    }

    public void enqueue(List<Delivery> deliveries) {
        List<Future<?>> sent = new ArrayList<>();
        for (Delivery d : deliveries) {
            sent.add(producer.send(new ProducerRecord<>(topic, d.provider(), Json.writeString(d))));
        }
        for (Future<?> f : sent) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            } catch (Exception ex) {
                throw new IllegalStateException("cannot queue a notification on " + topic + ": " + ex.getMessage(), ex);
            }
        }
    }
}
