package io.tagstream.poller.core;

import io.tagstream.common.config.ImageMirror;
import io.tagstream.common.config.ImageRepository;
import io.tagstream.common.config.Receiver;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.registry.RepositoryName;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which ImageRepositories an image belongs to: the one rule behind webhooks, promotion copies and scans. An image
 * belongs to a repository whose {@code spec.image} names the same canonical repository ({@link
 * RepositoryName#canonicalOf}); a registry's notification, which may name the repository without its host or under
 * an internal host alias, matches by path and by host where it names a public one.
 */
public final class ImageOwners {

    private ImageOwners() {}

    /** The repositories whose {@code spec.image} is {@code image} (a promotion's copy, a scan's own image). */
    public static List<ImageRepository> of(String image, List<ImageRepository> repos) {
        Optional<String> canonical = RepositoryName.canonicalOf(image);
        if (canonical.isEmpty()) {
            return List.of();
        }
        return repos.stream().filter(r -> RepositoryName.canonicalOf(r.image()).equals(canonical)).toList();
    }

    /**
     * The repositories a notification naming {@code path} (and maybe {@code host}) is about: the path equals the
     * repository's path or ends it after a {@code /} (Harbor and Quay drop the namespace prefix); a host, when it looks
     * like a public one (has a dot), must be the repository's registry or its API host.
     */
    public static List<ImageRepository> notified(Optional<String> host, String path, List<ImageRepository> repos) {
        return repos.stream().filter(r -> notified(r, host, path)).toList();
    }

    private static boolean notified(ImageRepository repo, Optional<String> host, String path) {
        RepositoryName name;
        try {
            name = RepositoryName.parse(repo.image());
        } catch (IllegalArgumentException e) {
            return false; // reported by the repository's own scan
        }
        if (!name.path().equals(path) && !name.path().endsWith("/" + path)) {
            return false;
        }
        return host.map(h -> h.equalsIgnoreCase(name.registry()) || h.equalsIgnoreCase(name.apiHost()) || !h.contains("."))
                .orElse(true);
    }

    /** The ImageRepositories a Receiver may trigger: named ones, or {@code *} in a namespace, filtered by labels. */
    public static List<ImageRepository> triggeredBy(Receiver r, TagstreamConfig cfg) {
        List<ImageRepository> out = new ArrayList<>();
        for (Receiver.Target t : r.resources()) {
            String ns = t.namespace().orElse(r.id().namespace());
            List<ImageRepository> candidates = t.kind().equals("ImageMirror")
                    ? cfg.mirrors().stream().map(ImageMirror::scanTarget).toList() : cfg.imageRepositories();
            for (ImageRepository repo : candidates) {
                boolean named = t.name().equals("*") ? repo.id().namespace().equals(ns)
                        : repo.id().equals(new ResourceId(ns, t.name()));
                boolean labelled = t.matchLabels().entrySet().stream()
                        .allMatch(l -> l.getValue().equals(repo.labels().get(l.getKey())));
                if (named && labelled && !out.contains(repo)) {
                    out.add(repo);
                }
            }
        }
        return out;
    }
}
