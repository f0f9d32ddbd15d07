package io.tagstream.common.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * References between resources, resolved as Flux does: a resource naming something that is not in the configuration
 * is not ready (left out, with the reason), and everything else applies. What is left out may leave others dangling in
 * turn (a promotion of a policy whose repository is missing), so this runs until nothing changes.
 */
final class References {

    private References() {}

    static TagstreamConfig resolve(TagstreamConfig config, List<NotReady> notReady) {
        while (true) {
            List<Resource> kept = new ArrayList<>();
            boolean changed = false;
            var repos = config.byId(ImageRepository.class);
            var policies = config.byId(ImagePolicy.class);
            var gits = config.byId(GitRepository.class);
            var providers = config.byId(Provider.class);
            var mirrors = config.byId(ImageMirror.class);
            for (Resource r : config.resources()) {
                Resource resolved = resolve(r, repos, mirrors, policies, gits, providers, notReady);
                changed |= resolved != r;
                if (resolved != null) {
                    kept.add(resolved);
                }
            }
            if (!changed) {
                return config;
            }
            config = new TagstreamConfig(kept);
        }
    }

    /** The resource as it can run: itself, a Receiver without its dangling targets, or null when it cannot run. */
    private static Resource resolve(Resource r, Map<ResourceId, ImageRepository> repos, Map<ResourceId, ImageMirror> mirrors,
            Map<ResourceId, ImagePolicy> policies,
            Map<ResourceId, GitRepository> gits, Map<ResourceId, Provider> providers, List<NotReady> notReady) {
        if (r instanceof Provider p && !Provider.SUPPORTED.contains(p.type())) {
            notReady.add(new NotReady(p.kind(), p.id(), reason(p, "type", Provider.unsupported(p.type())
                    + "; its Alerts send nothing")));
            return null;
        }
        if (r instanceof ImageMirror m && (m.blocked().isPresent() || m.verifyNotYet().isPresent())) {
            // said, not silently accepted: a mirror that cannot verify as asked is not run at all
            notReady.add(new NotReady(m.kind(), m.id(), m.blocked().or(m::verifyNotYet).orElseThrow()
                    + " (" + m.config().orElse(m.origin().file() + ":" + m.origin().line()) + ")"));
            return null;
        }
        if (r instanceof Alert a && !providers.containsKey(a.providerRef())) {
            return notReady(a, "providerRef", "Provider " + a.providerRef(), notReady);
        }
        if (r instanceof ImagePolicy p && !repos.containsKey(p.imageRepositoryRef())) {
            return notReady(p, "imageRepositoryRef", "ImageRepository " + p.imageRepositoryRef(), notReady);
        }
        if (r instanceof ImageUpdateAutomation a && !gits.containsKey(a.sourceRef())) {
            return notReady(a, "sourceRef", "GitRepository " + a.sourceRef(), notReady);
        }
        if (r instanceof ImagePromotion p && !policies.containsKey(p.sourcePolicyRef())) {
            return notReady(p, "sourcePolicyRef", "ImagePolicy " + p.sourcePolicyRef(), notReady);
        }
        if (r instanceof Receiver rc) {
            List<Receiver.Target> found = new ArrayList<>();
            Set<String> missing = new HashSet<>();
            for (Receiver.Target t : rc.resources()) {
                ResourceId target = new ResourceId(t.namespace().orElse(rc.id().namespace()), t.name());
                boolean there = t.kind().equals("ImageMirror") ? mirrors.containsKey(target) : repos.containsKey(target);
                if (t.name().equals("*") || there) {
                    found.add(t);
                } else {
                    missing.add(t.kind() + " " + target);
                }
            }
            if (missing.isEmpty()) {
                return r;
            }
            if (found.isEmpty()) {
                return notReady(rc, "resources", String.join(", ", new java.util.TreeSet<>(missing)), notReady);
            }
            notReady.add(new NotReady(rc.kind(), rc.id(), reason(rc, "resources", "names "
                    + String.join(", ", new java.util.TreeSet<>(missing)) + ", which is not in the configuration: a webhook for it"
                    + " triggers nothing")));
            return new Receiver(rc.id(), rc.labels(), rc.origin(), rc.type(), rc.secretRef(), found);
        }
        return r;
    }

    private static Resource notReady(Resource r, String field, String what, List<NotReady> notReady) {
        notReady.add(new NotReady(r.kind(), r.id(), reason(r, field, "names " + what + ", which is not in the configuration: "
                + r.kind() + " " + r.id() + " is not ready and does nothing until it is added")));
        return null;
    }

    /** The field and why, with the file and line (the resource's kind and id are said by {@link NotReady}). */
    private static String reason(Resource r, String field, String message) {
        ConfigError e = r.error(field, message);
        return field + " " + message + " (" + e.file() + ":" + e.line() + ")";
    }
}
