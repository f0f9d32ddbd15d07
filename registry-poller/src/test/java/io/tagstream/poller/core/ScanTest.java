package io.tagstream.poller.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tagstream.common.config.ConfigLoader;
import io.tagstream.common.config.ImageRepository;
import io.tagstream.common.events.TagDiscovered;
import io.tagstream.common.events.TagDiscovered.DiscoverySource;
import io.tagstream.common.events.TagRemoved;
import io.tagstream.common.registry.RegistryClient;
import io.tagstream.common.registry.RegistryException;
import io.tagstream.common.registry.RepositoryName;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** {@link Scan} against a registry held in a map: what is announced, removed, resolved and kept. */
class ScanTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-04T00:00:00Z"), ZoneOffset.UTC);
    static final String D1 = "sha256:" + "1".repeat(64);
    static final String D2 = "sha256:" + "2".repeat(64);
    static final String D3 = "sha256:" + "3".repeat(64);

    /**
     * A registry as a map of tag → digest, listed in lexical order as distribution lists them (never in the random
     * order of {@code Map.of}, which made the maxTags row depend on the JVM's hash seed); a digest "error" fails that
     * tag's lookup; counts the lookups.
     */
    static final class MapRegistry implements TagSource {
        final Map<String, String> tags;
        final Set<String> vanished;
        final List<String> resolved = new ArrayList<>();

        MapRegistry(Map<String, String> tags, Set<String> vanished) {
            this.tags = new TreeMap<>(tags);
            this.vanished = vanished;
        }

        @Override
        public List<String> tags(String path) {
            List<String> out = new ArrayList<>(tags.keySet());
            out.addAll(vanished);
            return out;
        }

        @Override
        public synchronized Optional<RegistryClient.Resolved> resolve(String path, String tag) {
            resolved.add(tag);
            String d = tags.get(tag);
            if ("error".equals(d)) {
                throw new RegistryException("HEAD " + tag + ": 500", 500);
            }
            return Optional.ofNullable(d).map(x -> new RegistryClient.Resolved(x, "application/vnd.oci.image.manifest.v1+json", 1));
        }
    }

    static ImageRepository repo(String extra) {
        return new ConfigLoader().parse(Map.of("r.yaml", """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: app, namespace: ns}
                spec: {image: registry.example/team/app, interval: 1m%s}
                """.formatted(extra))).config().imageRepositories().get(0);
    }

    static Map<String, KnownTag> known(Map<String, String> tags) {
        Map<String, KnownTag> out = new LinkedHashMap<>();
        tags.forEach((t, d) -> out.put(t, new KnownTag(d, "application/vnd.oci.image.manifest.v1+json")));
        return out;
    }

    record Row(String name, String spec, Map<String, String> known, Map<String, String> registry, Set<String> vanished,
            List<String> discovered, List<String> removed, List<String> resolved, int errors, boolean capped) {}

    @Test
    void aFullScanAnnouncesWhatIsNewOrMovedAndResolvesOnlyThat() {
        List<Row> rows = List.of(
                new Row("first scan: every tag is new", "", Map.of(), Map.of("1.0", D1, "1.1", D2), Set.of(),
                        List.of("1.0", "1.1"), List.of(), List.of("1.0", "1.1"), 0, false),
                new Row("nothing new: one listing, no lookups", "", Map.of("1.0", D1), Map.of("1.0", D1), Set.of(),
                        List.of(), List.of(), List.of(), 0, false),
                new Row("a tag gone from the listing is removed", "", Map.of("1.0", D1, "1.1", D2), Map.of("1.1", D2), Set.of(),
                        List.of(), List.of("1.0"), List.of(), 0, false),
                new Row("latest is mutable: re-resolved every scan, announced when it moved", "", Map.of("latest", D1),
                        Map.of("latest", D2), Set.of(), List.of("latest"), List.of(), List.of("latest"), 0, false),
                new Row("latest that did not move: resolved, not announced", "", Map.of("latest", D1), Map.of("latest", D1),
                        Set.of(), List.of(), List.of(), List.of("latest"), 0, false),
                new Row("cosign signatures are excluded by Flux's default", "", Map.of(),
                        Map.of("1.0", D1, "sha256-abc.sig", D2), Set.of(), List.of("1.0"), List.of(), List.of("1.0"), 0, false),
                new Row("maxTags keeps the last ones listed", ", maxTags: 2", Map.of(), Map.of("1", D1, "2", D2, "3", D3),
                        Set.of(), List.of("2", "3"), List.of(), List.of("2", "3"), 0, true),
                new Row("a tag failing to resolve stays unknown, reported, tried next scan", "", Map.of(),
                        Map.of("1.0", D1, "1.1", "error"), Set.of(), List.of("1.0"), List.of(), List.of("1.0", "1.1"), 1, false),
                new Row("a tag deleted between listing and lookup is neither new nor kept", "", Map.of(), Map.of("1.0", D1),
                        Set.of("gone"), List.of("1.0"), List.of(), List.of("1.0", "gone"), 0, false),
                new Row("a listed name that is not a tag is never asked for, and is reported", "", Map.of(),
                        Map.of("1.0", D1, "zz?x=../../", D2), Set.of(), List.of("1.0"), List.of(), List.of("1.0"), 1, false));
        for (Row r : rows) {
            MapRegistry registry = new MapRegistry(r.registry(), r.vanished());
            Map<String, KnownTag> before = known(r.known());
            Scan.Result res = Scan.full(repo(r.spec()), RepositoryName.parse("registry.example/team/app"), before, registry,
                    DiscoverySource.POLL, Runnable::run, CLOCK);
            assertEquals(Set.copyOf(r.discovered()), Set.copyOf(res.discovered().stream().map(TagDiscovered::tag).toList()), r.name());
            assertEquals(r.removed(), res.removed().stream().map(TagRemoved::tag).toList(), r.name());
            assertEquals(Set.copyOf(r.resolved()), Set.copyOf(registry.resolved), r.name());
            assertEquals(r.errors(), res.errors().size(), r.name());
            assertEquals(r.capped(), res.capped(), r.name());
            Map<String, KnownTag> expected = new LinkedHashMap<>(before);
            r.removed().forEach(expected::remove);
            res.discovered().forEach(d -> expected.put(d.tag(), new KnownTag(d.digest(), d.mediaType())));
            assertEquals(expected, res.state(), r.name() + ": the state after is what was known, changed by what was found");
        }
    }

    @Test
    void aMovedTagNamesItsPreviousDigestAndTheCanonicalRepository() {
        Scan.Result res = Scan.full(repo(""), RepositoryName.parse("registry.example/team/app"), known(Map.of("latest", D1)),
                new MapRegistry(Map.of("latest", D2), Set.of()), DiscoverySource.POLL, Runnable::run, CLOCK);
        TagDiscovered d = res.discovered().get(0);
        assertEquals(Optional.of(D1), d.previousDigest());
        assertEquals("registry.example/team/app", d.repository());
        assertEquals(CLOCK.instant(), d.discoveredAt());
    }

    @Test
    void hintedTagsAreCheckedOneByOneAgainstTheRegistry() {
        MapRegistry registry = new MapRegistry(Map.of("2.0", D2, "1.0", D1), Set.of());
        Scan.Result res = Scan.some(repo(""), RepositoryName.parse("registry.example/team/app"), known(Map.of("0.9", D3, "1.0", D1)),
                registry, List.of("2.0", "0.9", "3.0", "1.0", "x.sig"), DiscoverySource.WEBHOOK, Runnable::run, CLOCK);
        assertEquals(List.of("2.0"), res.discovered().stream().map(TagDiscovered::tag).toList(), "new");
        assertEquals(List.of("0.9"), res.removed().stream().map(TagRemoved::tag).toList(), "known, no longer in the registry");
        assertEquals(List.of("3.0"), res.notFound(), "not there yet: asked again later");
        assertEquals(List.of("2.0", "0.9", "3.0", "1.0"), registry.resolved, "excluded tags are not even asked for");

        MapRegistry failing = new MapRegistry(Map.of("1.0", "error"), Set.of());
        assertThrows(RegistryException.class, () -> Scan.one(repo(""), RepositoryName.parse("registry.example/team/app"),
                Map.of(), failing, "1.0", DiscoverySource.WEBHOOK, CLOCK), "one tag: its failure is the scan's");
    }
}
