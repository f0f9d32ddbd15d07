package io.tagstream.launcher;

import io.tagstream.common.config.GitRepository;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.Secrets;
import io.tagstream.common.config.TagstreamConfig;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Least privilege for the processes the launcher starts: each service gets only the {@code TAGSTREAM_SECRET_*}
 * variables of the secrets it uses, by the configuration in force at start (what a Kubernetes pod gets from its
 * projected volume). A secret a later edit names reaches the services at the next start.
 */
public final class ChildSecrets {

    private ChildSecrets() {}

    /** The secrets a service reads for this configuration, as {@code namespace/name}. */
    public static Set<ResourceId> uses(String service, TagstreamConfig c, Optional<String> tokensSecret) {
        Set<ResourceId> out = new TreeSet<>(java.util.Comparator.comparing(ResourceId::toString));
        tokensSecret.filter(t -> t.contains("/")).map(ResourceId::parse).ifPresent(out::add);
        switch (service) {
            case "registry-poller" -> {
                registryAccess(c, out);
                c.receivers().forEach(r -> out.add(new ResourceId(r.id().namespace(), r.secretRef())));
            }
            case "promoter" -> registryAccess(c, out);
            case "git-writer" -> {
                c.all(GitRepository.class).forEach(g -> g.secretRef().ifPresent(s -> out.add(new ResourceId(g.id().namespace(), s))));
                c.automations().forEach(a -> a.signingKeySecretRef().ifPresent(s -> out.add(new ResourceId(a.id().namespace(), s))));
            }
            case "notifier" -> c.providers().forEach(p -> {
                p.secretRef().ifPresent(s -> out.add(new ResourceId(p.id().namespace(), s)));
                p.certSecretRef().ifPresent(s -> out.add(new ResourceId(p.id().namespace(), s)));
                p.proxySecretRef().ifPresent(s -> out.add(new ResourceId(p.id().namespace(), s)));
            });
            default -> { } // policy-evaluator reads no secret
        }
        return out;
    }

    /**
     * The secrets a service names in its environment rather than in the configuration: the promoter's approvals from
     * chat ({@code TAGSTREAM_CHAT_SLACK_SECRET}, {@code TAGSTREAM_CHAT_LINKS_SECRET}), the console's OIDC client
     * secret ({@code TAGSTREAM_CONSOLE_OIDC_CLIENT_SECRET}).
     */
    public static Set<ResourceId> fromEnvironment(String service, Map<String, String> env) {
        Set<ResourceId> out = new TreeSet<>(Comparator.comparing(ResourceId::toString));
        List<String> names = switch (service) {
            case "promoter" -> List.of("TAGSTREAM_CHAT_SLACK_SECRET", "TAGSTREAM_CHAT_LINKS_SECRET");
            case "console" -> List.of("TAGSTREAM_CONSOLE_OIDC_CLIENT_SECRET");
            default -> List.of();
        };
        for (String k : names) {
            Optional.ofNullable(env.get(k)).filter(v -> v.contains("/")).map(String::strip).map(ResourceId::parse).ifPresent(out::add);
        }
        return out;
    }

    private static void registryAccess(TagstreamConfig c, Set<ResourceId> out) {
        c.imageRepositories().forEach(r -> {
            r.secretRef().ifPresent(s -> out.add(new ResourceId(r.id().namespace(), s)));
            r.certSecretRef().ifPresent(s -> out.add(new ResourceId(r.id().namespace(), s)));
        });
        c.registries().forEach(r -> {
            r.secretRef().ifPresent(s -> out.add(new ResourceId(r.id().namespace(), s)));
            r.caSecretRef().ifPresent(s -> out.add(new ResourceId(r.id().namespace(), s)));
        });
    }

    /** Removes from a child's environment every secret variable of a secret it does not use. */
    public static void restrict(Map<String, String> env, Set<ResourceId> uses) {
        env.keySet().removeIf(k -> k.startsWith(Secrets.ENV_PREFIX)
                && uses.stream().noneMatch(s -> k.startsWith(Secrets.envName(s.namespace(), s.name(), ""))));
    }
}
