package io.tagstream.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tagstream.common.config.ConfigLoader;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.launcher.ChildSecrets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The launcher gives each child only the secret variables of the secrets it uses, as a pod's projected volume does. */
class ChildSecretsTest {

    static final TagstreamConfig CFG = new ConfigLoader().parse(Map.of("c.yaml", """
            apiVersion: image.toolkit.fluxcd.io/v1
            kind: ImageRepository
            metadata: {name: app, namespace: ns}
            spec: {image: r.example/app, interval: 1m, secretRef: {name: pull}}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1
            kind: Receiver
            metadata: {name: hook, namespace: ns}
            spec: {type: harbor, secretRef: {name: hook-token}, resources: [{kind: ImageRepository, name: app}]}
            ---
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: GitRepository
            metadata: {name: fleet, namespace: ns}
            spec: {url: 'https://git.example/fleet.git', ref: {branch: main}, secretRef: {name: fleet-git}}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Provider
            metadata: {name: slack, namespace: ns}
            spec: {type: slack, secretRef: {name: slack-url}}
            """)).config();

    @Test
    void eachServiceGetsOnlyItsOwnSecrets() {
        Map<String, Set<String>> expected = Map.of(
                "registry-poller", Set.of("TAGSTREAM_SECRET_NS_PULL_PASSWORD", "TAGSTREAM_SECRET_NS_HOOK_TOKEN_TOKEN", "TAGSTREAM_SECRET_OPS_API_TOKENS_TOKENS"),
                "promoter", Set.of("TAGSTREAM_SECRET_NS_PULL_PASSWORD", "TAGSTREAM_SECRET_OPS_API_TOKENS_TOKENS"),
                "git-writer", Set.of("TAGSTREAM_SECRET_NS_FLEET_GIT_PASSWORD", "TAGSTREAM_SECRET_OPS_API_TOKENS_TOKENS"),
                "policy-evaluator", Set.of("TAGSTREAM_SECRET_OPS_API_TOKENS_TOKENS"),
                "notifier", Set.of("TAGSTREAM_SECRET_NS_SLACK_URL_ADDRESS", "TAGSTREAM_SECRET_OPS_API_TOKENS_TOKENS"));
        expected.forEach((service, secrets) -> {
            Map<String, String> env = new HashMap<>(Map.of("PATH", "/usr/bin",
                    "TAGSTREAM_SECRET_NS_PULL_PASSWORD", "p", "TAGSTREAM_SECRET_NS_HOOK_TOKEN_TOKEN", "t",
                    "TAGSTREAM_SECRET_NS_FLEET_GIT_PASSWORD", "g", "TAGSTREAM_SECRET_OPS_API_TOKENS_TOKENS", "a",
                    "TAGSTREAM_SECRET_NS_UNUSED_PASSWORD", "u", "TAGSTREAM_SECRET_NS_SLACK_URL_ADDRESS", "s"));
            ChildSecrets.restrict(env, ChildSecrets.uses(service, CFG, Optional.of("ops/api-tokens")));
            Set<String> got = new TreeSet<>(env.keySet());
            got.remove("PATH");
            assertEquals(new TreeSet<>(secrets), got, service);
            assertEquals("/usr/bin", env.get("PATH"), "other variables pass");
        });
    }
}
