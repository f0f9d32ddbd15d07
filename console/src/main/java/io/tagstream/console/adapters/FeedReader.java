package io.tagstream.console.adapters;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.EventType;
import io.tagstream.common.events.Topic;
import io.tagstream.console.core.Entries;
import io.tagstream.console.core.Entry;
import io.tagstream.console.core.Feed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Reads the chain's event topics and the audit topic, read-only: partitions assigned (no consumer group, nothing
 * committed), starting {@code tagstream.console.feed-backlog} records before each partition's end, then following.
 * Every console pod reads the same and holds its own {@link Feed}; the chain never waits for it.
 */
@ApplicationScoped
public class FeedReader {

    private static final Logger LOG = Logger.getLogger(FeedReader.class);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "tagstream.console.feed-size", defaultValue = "5000")
    int feedSize;

    @ConfigProperty(name = "tagstream.console.feed-backlog", defaultValue = "500")
    int backlog;

    private Feed feed;
    private final List<Consumer<Entry>> listeners = new CopyOnWriteArrayList<>();
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean following;
    private volatile boolean stopping;
    private Thread thread;

    void start(@Observes StartupEvent e) {
        feed = new Feed(feedSize);
        thread = new Thread(this::run, "console-feed");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent e) {
        stopping = true;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    public Feed feed() {
        return feed;
    }

    /** Whether the topics are assigned and being followed (readiness). */
    public boolean following() {
        return following;
    }

    /** Called with each new entry, on the reader's thread; a listener must not block. */
    public void listen(Consumer<Entry> listener) {
        listeners.add(listener);
    }

    public void unlisten(Consumer<Entry> listener) {
        listeners.remove(listener);
    }

    private void run() {
        while (!stopping) {
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(properties())) {
                consumer = c;
                follow(c);
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                following = false;
                LOG.warnf("reading the chain's topics failed (%s); again in 5 s", e.toString());
                sleep();
            }
        }
    }

    private void follow(KafkaConsumer<String, byte[]> c) {
        List<TopicPartition> parts = new ArrayList<>();
        for (Topic t : Topic.values()) {
            String name = t.name(k -> ConfigProvider.getConfig().getOptionalValue(k, String.class));
            var found = c.partitionsFor(name, Duration.ofSeconds(10));
            if (found == null || found.isEmpty()) {
                throw new IllegalStateException("topic " + name + " does not exist yet");
            }
            found.forEach(p -> parts.add(new TopicPartition(p.topic(), p.partition())));
        }
        c.assign(parts);
        Map<TopicPartition, Long> ends = c.endOffsets(parts);
        Map<TopicPartition, Long> begins = c.beginningOffsets(parts);
        for (TopicPartition tp : parts) {
            c.seek(tp, Math.max(begins.get(tp), ends.get(tp) - backlog));
        }
        following = true;
        LOG.infof("console feed: following %d partitions of %d topics", parts.size(), Topic.values().length);
        while (!stopping) {
            List<Entry> batch = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                entry(r).ifPresent(batch::add);
            }
            // one order for the backlog: by time across topics (each topic's own order is kept by the sort's stability)
            batch.sort(Comparator.comparing(Entry::time));
            for (Entry e : batch) {
                Entry stored = feed.add(e);
                listeners.forEach(l -> l.accept(stored));
            }
        }
    }

    private static Optional<Entry> entry(ConsumerRecord<String, byte[]> r) {
        Optional<EventType> type = CloudEvent.typeOf(r.headers());
        if (type.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Entries.of(CloudEvent.read(r.headers(), r.value(), type.get().payload())));
        } catch (CloudEvent.MalformedEventException e) {
            // the writer of that topic audits its own malformed input; the console only shows what it can read
            LOG.debugf("%s/%d@%d is not an event the console reads: %s", r.topic(), r.partition(), r.offset(), e.getMessage());
            return Optional.empty();
        }
    }

    private Properties properties() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "tagstream-console");
        return p;
    }

    private static void sleep() {
        try {
            Thread.sleep(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
