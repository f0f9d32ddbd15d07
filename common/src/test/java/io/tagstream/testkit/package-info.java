/**
 * Real servers for tests, on 127.0.0.1 and without Docker: a KRaft Kafka broker, Debian's {@code docker-registry}
 * (CNCF distribution), {@code git daemon}, and jib-built images pushed to them. Every server keeps its files under the
 * module's {@code target/} directory and is stopped when the test JVM ends.
 */
package io.tagstream.testkit;
