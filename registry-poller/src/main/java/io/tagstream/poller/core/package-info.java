/**
 * The registry-poller's rules in plain Java: {@link io.tagstream.poller.core.Scan} turns a registry listing (through
 * the {@link io.tagstream.poller.core.TagSource} port) and the known state into tag events while resolving as few
 * digests as possible; {@link io.tagstream.poller.core.Schedule} says when each repository is due;
 * {@link io.tagstream.poller.core.RepositoryState} is everything held about one repository, as one value;
 * {@link io.tagstream.poller.core.KnownTags} keeps tags with the image they were read from;
 * {@link io.tagstream.poller.core.ImageOwners} says which ImageRepositories an image belongs to (webhooks, promotion
 * copies, scans); {@link io.tagstream.poller.core.WebhookPayloads} reads each provider's push notification as a hint,
 * and {@link io.tagstream.poller.core.WebhookAuth} checks that it came from whoever holds the receiver's secret.
 */
package io.tagstream.poller.core;
