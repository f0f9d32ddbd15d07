/**
 * The launcher behind {@code ./tagstream}: a single-node KRaft Kafka broker in its own JVM (unless
 * {@code KAFKA_BOOTSTRAP_SERVERS} names one) and the four services as separate processes, exactly as they run in
 * production. The system tests start the chain through the same {@link io.tagstream.e2e.Chain}.
 */
package io.tagstream.e2e;
