package io.tagstream.common.state;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Creating a topic a service needs before it consumes it, unless it exists (Strimzi may have made it already). */
public final class Topics {

    private Topics() {}

    /** Creates {@code topic} with the broker's replication factor and the given configs; an existing topic is left as is. */
    public static void ensure(String bootstrapServers, String topic, int partitions, Map<String, String> configs) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        try (Admin admin = Admin.create(p)) {
            NewTopic t = new NewTopic(topic, Optional.of(partitions), Optional.empty()).configs(configs);
            admin.createTopics(List.of(t)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer creating " + topic, e);
        }
    }

    /**
     * How many partitions {@code topic} has, as the broker says; a topic created a moment ago may not be known to the
     * broker's metadata yet, so that is asked again for up to 30 s.
     */
    public static int partitions(String bootstrapServers, String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Admin admin = Admin.create(p)) {
            while (true) {
                try {
                    return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                            .size();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(100);
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot describe topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer describing " + topic, e);
        }
    }
}
