/**
 * The launcher behind {@code ./tagstream up} and {@code ./tagstream demo}: a single-node KRaft Kafka broker in its own
 * JVM (unless {@code KAFKA_BOOTSTRAP_SERVERS} names one) and the four services as separate processes, exactly as they
 * run in production; ports checked free first, children watched while they run. The system tests in {@code e2e} start
 * the chain through the same {@link io.tagstream.launcher.Chain}.
 */
package io.tagstream.launcher;
