/**
 * The console's decisions in plain Java: what one event or audit record says to a person ({@link
 * io.tagstream.console.core.Entries}), the bounded live feed with its filters ({@link io.tagstream.console.core.Feed}),
 * and the registry matrix built from the poller's repositories ({@link io.tagstream.console.core.RegistryMatrix}).
 * The adapters read Kafka and the services' APIs and hand values here.
 */
package io.tagstream.console.core;
