/**
 * A small client for the OCI distribution API, shared by the registry-poller and the promoter.
 *
 * <p>Written here on {@code java.net.http} rather than taken from a library because none fits: jib-core cannot list
 * tags and re-serialises manifests (a copy would change the digest), and {@code land.oras:oras-java-sdk} 0.7.0 was tried
 * and rejected: Docker-format manifests failed with 400, index copies changed the digest, non-ASCII manifest bytes were
 * mangled through the platform charset, and it brings Jackson 3, which breaks under the Quarkus BOM. What this client
 * does: list tags page by page, resolve a tag to its digest with HEAD (GET where HEAD gives no digest), fetch manifests
 * as raw bytes, authenticate (anonymous, basic, bearer-token challenge with tokens cached per scope), trust a custom CA,
 * retry 429/5xx/connection errors with backoff and jitter honouring {@code Retry-After} and {@code RateLimit-*}, and keep
 * each registry under its request rate and concurrency.
 */
package io.tagstream.common.registry;
