/**
 * The event contract between the four Tagstream services. Every record here is one message payload on one Kafka topic;
 * {@code docs/asyncapi.yaml} documents the same shapes for consumers outside this code base, and a test keeps the two
 * in step.
 */
package io.tagstream.common.events;
