/**
 * The registry-poller's rules in plain Java: {@link io.tagstream.poller.core.Scan} turns a registry listing and the
 * known state into tag events while resolving as few digests as possible, {@link io.tagstream.poller.core.WebhookPayloads}
 * reads each provider's push notification as a hint, and {@link io.tagstream.poller.core.WebhookAuth} checks that it
 * came from whoever holds the receiver's secret.
 */
package io.tagstream.poller.core;
