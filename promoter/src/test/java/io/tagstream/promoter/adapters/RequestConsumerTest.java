package io.tagstream.promoter.adapters;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** Which failures of applying a request are waited out, and which make it a request to refuse and skip. */
class RequestConsumerTest {

    record Row(String name, Throwable failure, boolean retried) {}

    @Test
    void kafkaBeingAwayIsWaitedOutARecordItRefusesIsNot() {
        List<Row> rows = List.of(
                new Row("broker timeout, wrapped as the state topic wraps it",
                        new IllegalStateException("cannot write state", new java.util.concurrent.ExecutionException(
                                new TimeoutException("Expiring 1 record"))), true),
                new Row("leader moving", new IllegalStateException(new NotLeaderOrFollowerException("moving")), true),
                new Row("waiting for the broker's ack timed out", new IllegalStateException(
                        new java.util.concurrent.TimeoutException()), true),
                new Row("a record larger than Kafka accepts", new IllegalStateException("cannot write state",
                        new RecordTooLargeException("The message is 2800000 bytes")), false),
                new Row("a request the broker calls invalid", new IllegalStateException(new InvalidRequestException("bad")), false),
                new Row("a bug or bad data: never fixed by waiting", new NullPointerException(), false));
        for (Row r : rows) {
            assertEquals(r.retried(), RequestConsumer.retryable(r.failure()), r.name());
        }
    }
}
