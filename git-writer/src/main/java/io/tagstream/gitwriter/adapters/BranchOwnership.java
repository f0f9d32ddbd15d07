package io.tagstream.gitwriter.adapters;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Collection;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Tells the {@link BranchWorkers} which branch-topic partitions (so which branches) this pod owns. Kafka runs these callbacks
 * on the consumer's polling thread and hands a revoked partition to another pod only after they return.
 */
@ApplicationScoped
@Identifier("branch-ownership")
public class BranchOwnership implements KafkaConsumerRebalanceListener {

    @Inject
    BranchWorkers workers;

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        workers.assigned(partitions.stream().map(TopicPartition::partition).toList());
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        workers.revoked(partitions.stream().map(TopicPartition::partition).toList(), true);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        workers.revoked(partitions.stream().map(TopicPartition::partition).toList(), false);
    }
}
