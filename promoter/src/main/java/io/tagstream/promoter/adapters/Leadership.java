package io.tagstream.promoter.adapters;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Collection;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The requests topic has one partition; the pod holding it leads. Kafka runs these callbacks on the consumer's
 * polling thread, so no request is delivered before {@link Leader#lead} has caught up with the state topic.
 */
@ApplicationScoped
@Identifier("promoter-leadership")
public class Leadership implements KafkaConsumerRebalanceListener {

    @Inject
    Leader leader;

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
            leader.lead();
        }
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
            leader.follow();
        }
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        onPartitionsRevoked(consumer, partitions);
    }
}
