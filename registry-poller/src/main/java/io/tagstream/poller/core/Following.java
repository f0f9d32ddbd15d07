package io.tagstream.poller.core;

import io.tagstream.common.config.ImagePolicy;
import io.tagstream.common.config.ImageRepository;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.registry.RepositoryName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Flux's {@code digestReflectionPolicy: Always}: the tag a policy selected is re-checked against the registry every
 * {@code spec.interval} of the policy, whether or not the ImageRepository lists it in {@code mutableTags}, so a
 * re-pushed {@code :dev} is seen without a full scan or a webhook. The poller learns each policy's selection from
 * policy-matched and keeps it in its state; which selections are followed is decided from the configuration of the
 * moment, so a policy switched to {@code Always} (or away from it) takes effect at the next reload.
 */
public final class Following {

    /** The tag a policy selected last, from the image it was read from. */
    public record Selected(String image, String tag, String digest) {}

    /** A selected tag to look up now, for the policies that follow it. */
    public record Due(ImageRepository repository, String tag, List<String> policies) {}

    private Following() {}

    /**
     * The followed tags due at {@code now}: of each policy with {@code Always} (not suspended, its ImageRepository
     * configured and not suspended, the selection read from the image it names now) whose last check is at least its
     * interval ago, or was never made. A tag followed by several policies is looked up once.
     */
    public static List<Due> due(TagstreamConfig config, Map<String, Selected> selected, Map<String, Instant> lastChecked,
            Instant now) {
        Map<String, Due> out = new LinkedHashMap<>();
        for (ImagePolicy p : config.imagePolicies()) {
            String id = p.id().toString();
            Selected s = selected.get(id);
            if (s == null || p.suspend() || p.digestReflectionPolicy() != ImagePolicy.DigestReflection.ALWAYS
                    || p.interval().isEmpty()) {
                continue;
            }
            Optional<ImageRepository> repo = config.find(ImageRepository.class, p.imageRepositoryRef())
                    .filter(r -> !r.suspend())
                    .filter(r -> RepositoryName.canonicalOf(r.image()).map(s.image()::equals).orElse(false));
            if (repo.isEmpty()) {
                continue;
            }
            Instant last = lastChecked.get(id);
            if (last != null && last.plus(p.interval().get()).isAfter(now)) {
                continue;
            }
            String key = repo.get().id() + "|" + s.tag();
            Due before = out.get(key);
            List<String> policies = new ArrayList<>(before == null ? List.of() : before.policies());
            policies.add(id);
            out.put(key, new Due(repo.get(), s.tag(), List.copyOf(policies)));
        }
        return List.copyOf(out.values());
    }
}
