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
import java.util.HashMap;
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

        /** digest → build time (absent: the config gives none); each read of a config is counted by digest. */
        final Map<String, Instant> created = new HashMap<>();
        final List<String> configsRead = new ArrayList<>();

        /** tag → when the registry's API says it was pushed (absent: it does not say); each question is counted. */
        final Map<String, Instant> pushedAt = new HashMap<>();
        final List<String> pushAsked = new ArrayList<>();

        @Override
        public synchronized Optional<Instant> pushed(String path, String tag) {
            pushAsked.add(tag);
            return Optional.ofNullable(pushedAt.get(tag));
        }

        @Override
        public synchronized Optional<Instant> built(String path, String digest) {
            configsRead.add(digest);
            return Optional.ofNullable(created.get(digest));
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
            res.discovered().forEach(d -> expected.put(d.tag(), new KnownTag(d.digest(), d.mediaType(), d.pushedAt(), Optional.empty())));
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
    void pushTimesAreWhenATagFirstPointedAtItsDigestAndSurviveRescans() {
        RepositoryName name = RepositoryName.parse("registry.example/team/app");
        Instant t1 = Instant.parse("2026-12-01T10:00:00Z");
        Instant t2 = t1.plusSeconds(600);
        MapRegistry registry = new MapRegistry(Map.of("aaa", D1, "latest", D1), Set.of());
        Scan.Result first = Scan.full(repo(""), name, Map.of(), registry, DiscoverySource.POLL, Runnable::run,
                Clock.fixed(t1, ZoneOffset.UTC));
        assertEquals(Optional.of(t1), first.discovered().get(0).pushedAt());
        assertEquals(Optional.of(t1), first.state().get("aaa").pushed());

        registry.tags.put("bbb", D2);
        registry.tags.put("latest", D2); // re-pushed: newest now
        Scan.Result second = Scan.full(repo(""), name, first.state(), registry, DiscoverySource.POLL, Runnable::run,
                Clock.fixed(t2, ZoneOffset.UTC));
        assertEquals(Map.of("bbb", Optional.of(t2), "latest", Optional.of(t2)), second.discovered().stream()
                .collect(java.util.stream.Collectors.toMap(TagDiscovered::tag, TagDiscovered::pushedAt)));
        assertEquals(Optional.of(t1), second.state().get("aaa").pushed(), "an old tag keeps its time");
        assertEquals(Optional.empty(), second.discovered().get(0).builtAt(), "build times are read only when asked for");
        assertEquals(List.of(), registry.configsRead);

        Scan.Result hinted = Scan.some(repo(""), name, second.state(), registry, List.of("aaa", "bbb"),
                DiscoverySource.WEBHOOK, Runnable::run, Clock.fixed(t2.plusSeconds(60), ZoneOffset.UTC));
        assertEquals(List.of(), hinted.discovered(), "a webhook repeating known tags changes no time");
        assertEquals(Optional.of(t1), hinted.state().get("aaa").pushed());
    }

    @Test
    void aRegistryThatTellsPushTimesOrdersTheTagsOfAFirstScanOnceAndNeverAgain() {
        RepositoryName name = RepositoryName.parse("registry.example/team/app");
        Instant now = Instant.parse("2026-12-05T12:00:00Z");
        String sha1 = "4f0c2a9e1b7d3c5a6e8f0a1b2c3d4e5f6a7b8c9d";
        String sha2 = "0a1b2c3d4e5f6a7b8c9d4f0c2a9e1b7d3c5a6e8f";
        MapRegistry registry = new MapRegistry(Map.of(sha1, D1, sha2, D2, "untold", D3, "future", D3, "latest", D1), Set.of());
        registry.pushedAt.put(sha1, now.minusSeconds(7200));
        registry.pushedAt.put("latest", now.minusSeconds(7200));
        registry.pushedAt.put(sha2, now.minusSeconds(3600)); // pushed later, though it sorts first
        registry.pushedAt.put("future", now.plusSeconds(60)); // a registry clock ahead of ours is not believed
        Scan.Result first = Scan.full(repo(""), name, Map.of(), registry, DiscoverySource.POLL, Runnable::run,
                Clock.fixed(now, ZoneOffset.UTC));
        Map<String, Optional<Instant>> times = first.discovered().stream()
                .collect(java.util.stream.Collectors.toMap(TagDiscovered::tag, TagDiscovered::pushedAt));
        assertEquals(Map.of(sha1, Optional.of(now.minusSeconds(7200)), sha2, Optional.of(now.minusSeconds(3600)),
                "untold", Optional.of(now), "future", Optional.of(now), "latest", Optional.of(now.minusSeconds(7200))), times,
                "the registry's time, else the first sighting");
        assertEquals(5, registry.pushAsked.size(), "one question per new tag");

        registry.tags.put("latest", D3); // re-pushed to another digest: newest now, whatever the registry's API says
        Instant later = now.plusSeconds(600);
        Scan.Result second = Scan.full(repo(""), name, first.state(), registry, DiscoverySource.POLL, Runnable::run,
                Clock.fixed(later, ZoneOffset.UTC));
        assertEquals(Optional.of(later), second.state().get("latest").pushed());
        assertEquals(Optional.of(now.minusSeconds(3600)), second.state().get(sha2).pushed());
        assertEquals(5, registry.pushAsked.size(), "a rescan asks nothing: known tags keep their times");
    }

    @Test
    void buildTimesAreReadOncePerDigestAndNeverAgain() {
        RepositoryName name = RepositoryName.parse("registry.example/team/app");
        Instant b1 = Instant.parse("2026-11-01T08:00:00Z");
        Instant b2 = Instant.parse("2026-11-02T08:00:00Z");
        MapRegistry registry = new MapRegistry(Map.of("aaa", D1, "aaa-again", D1, "bbb", D2, "ccc", D3), Set.of());
        registry.created.put(D1, b1);
        registry.created.put(D2, b2); // D3's config says nothing (a reproducible build)
        Scan.Result first = Scan.full(repo(""), name, Map.of(), registry, DiscoverySource.POLL, Runnable::run, CLOCK, true);
        assertEquals(Map.of("aaa", Optional.of(b1), "aaa-again", Optional.of(b1), "bbb", Optional.of(b2), "ccc", Optional.empty()),
                first.discovered().stream().collect(java.util.stream.Collectors.toMap(TagDiscovered::tag, TagDiscovered::builtAt)));
        assertEquals(Optional.of(KnownTag.NO_BUILD_TIME), first.state().get("ccc").built(), "read, and said nothing: not read again");

        registry.configsRead.clear();
        registry.resolved.clear();
        Scan.Result again = Scan.full(repo(""), name, first.state(), registry, DiscoverySource.POLL, Runnable::run, CLOCK, true);
        assertEquals(List.of(), again.discovered());
        assertEquals(List.of(), registry.configsRead, "a rescan costs the listing only");
        assertEquals(List.of(), registry.resolved);

        // tags known before a policy ordered by build time: each digest's config read once, the tag announced again
        Map<String, KnownTag> before = known(Map.of("aaa", D1, "aaa-again", D1, "bbb", D2));
        registry.configsRead.clear();
        Scan.Result learnt = Scan.full(repo(""), name, before, registry, DiscoverySource.POLL, Runnable::run, CLOCK, true);
        assertEquals(3, registry.configsRead.size(), "D1 once for both its tags, D2, and the new tag's D3: " + registry.configsRead);
        assertEquals(Set.of(D1, D2, D3), Set.copyOf(registry.configsRead));
        assertEquals(Set.of("aaa", "aaa-again", "bbb", "ccc"), learnt.discovered().stream().map(TagDiscovered::tag)
                .collect(java.util.stream.Collectors.toSet()));
        TagDiscovered bbb = learnt.discovered().stream().filter(d -> d.tag().equals("bbb")).findFirst().orElseThrow();
        assertEquals(Optional.empty(), bbb.previousDigest(), "not moved: only its build time is new");
        assertEquals(Optional.of(b2), bbb.builtAt());
        assertEquals(1, learnt.resolved(), "known tags are not resolved again for their build time; ccc is new");
        assertEquals(List.of("ccc"), registry.resolved);
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
