package io.tagstream.common.events;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The five topics of the chain. Names are configurable (a shared cluster may need a prefix); the defaults are what the
 * AsyncAPI document and the Kubernetes manifests use.
 */
public enum Topic {
    TAG_DISCOVERED("tag-discovered"),
    POLICY_MATCHED("policy-matched"),
    PROMOTION_APPROVED("promotion-approved"),
    COMMIT_PUSHED("commit-pushed"),
    AUDIT("audit");

    /** Configuration key prefix: {@code tagstream.topic.<channel>} overrides the topic name of one channel. */
    public static final String CONFIG_PREFIX = "tagstream.topic.";

    private final String channel;

    Topic(String channel) {
        this.channel = channel;
    }

    /** The channel name used in service configuration, e.g. {@code tag-discovered}. */
    public String channel() {
        return channel;
    }

    public String defaultName() {
        return "tagstream." + channel;
    }

    public String configKey() {
        return CONFIG_PREFIX + channel;
    }

    /** The topic name under the given configuration lookup, or the default. */
    public String name(Function<String, Optional<String>> config) {
        return config.apply(configKey()).filter(s -> !s.isBlank()).orElse(defaultName());
    }

    /** The topic name under a plain map of overrides. */
    public String name(Map<String, String> overrides) {
        return name(k -> Optional.ofNullable(overrides.get(k)));
    }
}
