package io.tagstream.common.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** One consistent, validated set of resources: what a service acts on until a newer valid set replaces it. */
public record TagstreamConfig(List<Resource> resources) {

    public static final TagstreamConfig EMPTY = new TagstreamConfig(List.of());

    public TagstreamConfig {
        resources = resources.stream()
                .sorted(Comparator.comparing(Resource::kind).thenComparing(Resource::id))
                .toList();
    }

    public <T extends Resource> List<T> all(Class<T> kind) {
        return resources.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    public <T extends Resource> Optional<T> find(Class<T> kind, ResourceId id) {
        return resources.stream().filter(kind::isInstance).map(kind::cast).filter(r -> r.id().equals(id)).findFirst();
    }

    public <T extends Resource> Map<ResourceId, T> byId(Class<T> kind) {
        return all(kind).stream().collect(Collectors.toMap(Resource::id, Function.identity(), (first, again) -> first));
    }

    public List<ImageRepository> imageRepositories() {
        return all(ImageRepository.class);
    }

    public List<ImageMirror> mirrors() {
        return all(ImageMirror.class);
    }

    /** What the poller lists: every ImageRepository and every mirror's source ({@link ImageMirror#scanTarget()}). */
    public List<ImageRepository> scanTargets() {
        List<ImageRepository> out = new ArrayList<>(imageRepositories());
        mirrors().forEach(m -> out.add(m.scanTarget()));
        return out;
    }

    /** The ImageRepository or mirror source the poller lists under {@code id}. */
    public Optional<ImageRepository> scanTarget(ResourceId id) {
        return scanTargets().stream().filter(r -> r.id().equals(id)).findFirst();
    }

    public List<ImagePolicy> imagePolicies() {
        return all(ImagePolicy.class);
    }

    public List<ImageUpdateAutomation> automations() {
        return all(ImageUpdateAutomation.class);
    }

    public List<ImagePromotion> promotions() {
        return all(ImagePromotion.class);
    }

    public List<Registry> registries() {
        return all(Registry.class);
    }

    public List<Receiver> receivers() {
        return all(Receiver.class);
    }

    public List<Provider> providers() {
        return all(Provider.class);
    }

    public List<Alert> alerts() {
        return all(Alert.class);
    }

    /** The Registry settings for a host, if the user wrote any. */
    public Optional<Registry> registryFor(String host) {
        return registries().stream().filter(r -> r.host().equalsIgnoreCase(host)).findFirst();
    }

    /** The policies that select from one ImageRepository. */
    public List<ImagePolicy> policiesOf(ResourceId imageRepository) {
        return imagePolicies().stream().filter(p -> p.imageRepositoryRef().equals(imageRepository)).toList();
    }
}
