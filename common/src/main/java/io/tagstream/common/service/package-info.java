/**
 * The runtime the four Quarkus services share, and nothing else: how an event becomes a Kafka record and is awaited,
 * the audit channel, configuration reload with readiness, secrets and the JSON error body. It is the one place in
 * {@code common} that uses Quarkus (as a provided dependency); the contract packages beside it do not, and no
 * service's domain core may use this package.
 */
package io.tagstream.common.service;
