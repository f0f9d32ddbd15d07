package io.tagstream.common.config;

import java.util.List;

/**
 * A loaded configuration with what the loader noticed but did not refuse.
 *
 * @param fingerprint a digest of every file read, to tell whether the directory changed since
 */
public record ConfigLoad(TagstreamConfig config, List<String> warnings, String fingerprint) {}
