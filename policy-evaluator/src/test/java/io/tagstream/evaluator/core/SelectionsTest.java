package io.tagstream.evaluator.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.common.config.ConfigLoader;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.PolicyMatched;
import io.tagstream.common.events.ScanBatch;
import io.tagstream.common.events.TagDiscovered;
import io.tagstream.common.events.TagDiscovered.DiscoverySource;
import io.tagstream.common.events.TagRemoved;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SelectionsTest {

    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    static TagstreamConfig config(String range, String reflection) {
        return new ConfigLoader().parse(Map.of("c.yaml", """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: portal, namespace: ns}
                spec: {image: acr.example/portal, interval: 1m}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: portal, namespace: ns}
                spec:
                  imageRepositoryRef: {name: portal}
                  digestReflectionPolicy: %s
                  interval: 5m
                  policy:
                    semver: {range: '%s', coerce: true}
                """.formatted(reflection, range))).config();
    }

    static final TagstreamConfig GATE = config(">=900.0.0", "Never");

    static TagDiscovered tag(String tag, String digestChar) {
        return new TagDiscovered("ns/portal", "acr.example", "acr.example/portal", tag, "sha256:" + digestChar.repeat(64),
                "application/vnd.oci.image.manifest.v1+json", Optional.empty(), DiscoverySource.POLL, NOW);
    }

    static List<PolicyMatched> matched(List<Selections.Effect> effects) {
        return effects.stream().filter(e -> e instanceof Selections.Matched).map(e -> ((Selections.Matched) e).event()).toList();
    }

    @Test
    void announcesOnlyChangesWithThePreviousSelection() {
        Selections s = new Selections();
        assertEquals(List.of(), matched(s.discovered(tag("899", "a"), GATE, NOW)), "899 is below the gate");
        List<PolicyMatched> first = matched(s.discovered(tag("922", "b"), GATE, NOW));
        assertEquals(1, first.size());
        assertEquals("922", first.get(0).tag());
        assertEquals(Optional.empty(), first.get(0).previous());
        assertEquals(List.of(), matched(s.discovered(tag("921", "c"), GATE, NOW)), "a lower tag changes nothing");
        assertEquals(List.of(), matched(s.discovered(tag("922", "b"), GATE, NOW)), "a redelivery changes nothing");
        List<PolicyMatched> next = matched(s.discovered(tag("924", "d"), GATE, NOW));
        assertEquals("924", next.get(0).tag());
        assertEquals(Optional.of(new PolicyMatched.TagRef("922", "sha256:" + "b".repeat(64))), next.get(0).previous());
        assertEquals("ns/portal", next.get(0).policy());
        assertEquals("acr.example/portal", next.get(0).image());
    }

    static final TagstreamConfig NEWEST = new ConfigLoader().parse(Map.of("c.yaml", """
            apiVersion: image.toolkit.fluxcd.io/v1
            kind: ImageRepository
            metadata: {name: portal, namespace: ns}
            spec: {image: acr.example/portal, interval: 1m}
            ---
            apiVersion: image.toolkit.fluxcd.io/v1
            kind: ImagePolicy
            metadata: {name: portal, namespace: ns}
            spec:
              imageRepositoryRef: {name: portal}
              policy:
                newest: {by: built}
            """)).config();

    @Test
    void newestFollowsTheTimesTheEventsCarryAndKeepsThemAcrossARestart() {
        Instant t = Instant.parse("2026-11-01T00:00:00Z");
        Selections s = new Selections();
        List<Selections.Effect> first = s.discovered(tag("ccc", "c").times(Optional.of(NOW), Optional.of(t)), NEWEST, NOW);
        assertEquals("ccc", matched(first).get(0).tag());
        assertEquals(List.of(), matched(s.discovered(tag("zzz", "d").times(Optional.of(NOW), Optional.of(t.minusSeconds(1))),
                NEWEST, NOW)), "built earlier, though it sorts last and was pushed as late");
        // a tag known without its build time learns it: the digest is the same, the order is not
        s.discovered(tag("aaa", "a"), NEWEST, NOW);
        List<Selections.Effect> learnt = s.discovered(tag("aaa", "a").times(Optional.empty(), Optional.of(t.plusSeconds(5))),
                NEWEST, NOW);
        assertEquals("aaa", matched(learnt).get(0).tag());
        Selections.TagStored stored = learnt.stream().filter(e -> e instanceof Selections.TagStored)
                .map(e -> (Selections.TagStored) e).findFirst().orElseThrow();
        assertEquals(new TagFacts("sha256:" + "a".repeat(64), Optional.empty(), Optional.of(t.plusSeconds(5))), stored.facts());
        assertEquals(List.of(), s.discovered(tag("aaa", "a"), NEWEST, NOW).stream()
                .filter(e -> e instanceof Selections.TagStored).toList(), "an event without times forgets none");
        assertEquals(List.of(new NewestPolicy.Ranked("aaa", Optional.of(t.plusSeconds(5))), new NewestPolicy.Ranked("ccc", Optional.of(t)),
                new NewestPolicy.Ranked("zzz", Optional.of(t.minusSeconds(1)))), s.status().get(0).ranked(),
                "the status shows each candidate with the time it is ordered by, newest first");

        Selections restarted = new Selections();
        s.tagsOf("ns/portal", NEWEST).forEach((tag, f) -> restarted.restoreTag("ns/portal", "acr.example/portal", tag, f));
        restarted.restoreSelection("ns/portal", new Selection("acr.example/portal", "aaa", "sha256:" + "a".repeat(64)));
        assertEquals(List.of(), matched(restarted.reconfigured(NEWEST, NOW)), "the restored times give the same answer");
    }

    @Test
    void restoredStateNeverAnnouncesTheSameSelectionAgain() {
        Selections before = new Selections();
        before.discovered(tag("922", "b"), GATE, NOW);
        Selections after = new Selections();
        after.restoreTag("ns/portal", "acr.example/portal", "922", new TagFacts("sha256:" + "b".repeat(64)));
        after.restoreSelection("ns/portal", new Selection("922", "sha256:" + "b".repeat(64)));
        assertEquals(List.of(), matched(after.reconfigured(GATE, NOW)));
        assertEquals(List.of(), matched(after.discovered(tag("922", "b"), GATE, NOW)));
        assertEquals("924", matched(after.discovered(tag("924", "d"), GATE, NOW)).get(0).tag());
    }

    @Test
    void movedDigestIsAnnouncedOnlyWithReflectionAlways() {
        Selections never = new Selections();
        never.discovered(tag("922", "b"), GATE, NOW);
        assertEquals(List.of(), matched(never.discovered(tag("922", "e"), GATE, NOW)));
        TagstreamConfig always = config(">=900.0.0", "Always");
        Selections s = new Selections();
        s.discovered(tag("922", "b"), always, NOW);
        List<PolicyMatched> moved = matched(s.discovered(tag("922", "e"), always, NOW));
        assertEquals(1, moved.size());
        assertEquals("sha256:" + "e".repeat(64), moved.get(0).digest());
    }

    @Test
    void removingTheSelectedTagFallsBackOrUnselects() {
        Selections s = new Selections();
        s.discovered(tag("922", "b"), GATE, NOW);
        s.discovered(tag("924", "d"), GATE, NOW);
        var fallback = matched(s.removed(new TagRemoved("ns/portal", "acr.example", "acr.example/portal", "924",
                "sha256:" + "d".repeat(64), NOW), GATE, NOW));
        assertEquals("922", fallback.get(0).tag());
        var gone = s.removed(new TagRemoved("ns/portal", "acr.example", "acr.example/portal", "922",
                "sha256:" + "b".repeat(64), NOW), GATE, NOW);
        assertTrue(gone.stream().anyMatch(e -> e instanceof Selections.Unselected u && u.was().tag().equals("922")), gone.toString());
        PolicyStatus st = s.status("ns/portal").orElseThrow();
        assertEquals(Optional.empty(), st.latest(), "no stale selection is advertised");
        assertTrue(st.lastError().orElseThrow().contains("the repository has no tags"), st.toString());
    }

    @Test
    void editedRangeReselectsAndBrokenOneIsReported() {
        Selections s = new Selections();
        s.discovered(tag("922", "b"), GATE, NOW);
        s.discovered(tag("1001", "f"), GATE, NOW);
        var narrowed = matched(s.reconfigured(config(">=900.0.0 <1000.0.0", "Never"), NOW));
        assertEquals("922", narrowed.get(0).tag());
        var none = s.reconfigured(config(">=5000.0.0", "Never"), NOW);
        assertTrue(none.stream().anyMatch(e -> e instanceof Selections.Unselected), none.toString());
        assertEquals(List.of(), s.reconfigured(config(">=5000.0.0", "Never"), NOW), "the same failure is reported once");
    }

    @Test
    void everyServicesLoaderRefusesARangeTheEvaluatorCannotRunPointingAtItsLine() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.tagstream.common.config.ConfigException.class,
                () -> new ConfigLoader().parse(Map.of("policies.yaml", """
                        apiVersion: image.toolkit.fluxcd.io/v1
                        kind: ImageRepository
                        metadata: {name: portal, namespace: flux-system}
                        spec: {image: acr.example/portal, interval: 1m}
                        ---
                        apiVersion: image.toolkit.fluxcd.io/v1
                        kind: ImagePolicy
                        metadata: {name: ct-fac-portal, namespace: flux-system}
                        spec:
                          imageRepositoryRef: {name: portal}
                          policy:
                            semver:
                              range: '>=9x'
                        """)));
        assertEquals(List.of("ImagePolicy flux-system/ct-fac-portal: policy.semver.range '>=9x' is not a valid semver range "
                + "('9x' is not a version) (policies.yaml:13)"), e.errors().stream().map(Object::toString).toList());
    }

    static TagstreamConfig movedTo(String image, boolean withPolicy) {
        return new ConfigLoader().parse(Map.of("c.yaml", """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: portal, namespace: ns}
                spec: {image: %s, interval: 1m}
                """.formatted(image) + (withPolicy ? """
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: portal, namespace: ns}
                spec:
                  imageRepositoryRef: {name: portal}
                  policy:
                    semver: {range: '>=900.0.0', coerce: true}
                """ : ""))).config();
    }

    static TagDiscovered tagOf(String repository, String tag, String digestChar) {
        return new TagDiscovered("ns/portal", repository.substring(0, repository.indexOf('/')), repository, tag,
                "sha256:" + digestChar.repeat(64), "application/vnd.oci.image.manifest.v1+json", Optional.empty(),
                DiscoverySource.POLL, NOW);
    }

    static <T> List<T> of(Class<T> type, List<Selections.Effect> effects) {
        return effects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void anImageMovedWithEqualDigestsIsSelectedAgainUnderItsNewName() {
        Selections s = new Selections();
        matched(s.discovered(tag("922", "b"), GATE, NOW));
        TagstreamConfig moved = movedTo("prod.example/fleet/portal", true);

        List<Selections.Effect> reload = s.reconfigured(moved, NOW);
        assertEquals(List.of(new Selections.TagDropped("ns/portal", "acr.example/portal", "922")),
                of(Selections.TagDropped.class, reload), "the old image's tags are dropped at the reload");
        assertEquals(List.of(), matched(reload), "nothing is known of the new image yet");
        PolicyStatus waiting = s.status("ns/portal").orElseThrow();
        assertEquals(Optional.empty(), waiting.latest(), "the old image's selection is not advertised as in force");
        assertEquals(Optional.of("prod.example/fleet/portal"), waiting.image());

        List<PolicyMatched> again = matched(s.discovered(tagOf("prod.example/fleet/portal", "922", "b"), moved, NOW));
        assertEquals(1, again.size(), "same tag, same digest, new image: announced, so markers name the new registry");
        assertEquals("prod.example/fleet/portal", again.get(0).image());
        assertEquals("sha256:" + "b".repeat(64), again.get(0).digest());
        assertEquals(List.of(), matched(s.discovered(tagOf("prod.example/fleet/portal", "922", "b"), moved, NOW)));
    }

    @Test
    void anImageMovedWithOtherDigestsAnnouncesTheNewDigest() {
        Selections s = new Selections();
        s.discovered(tag("922", "b"), GATE, NOW);
        TagstreamConfig moved = movedTo("prod.example/fleet/portal", true);
        s.reconfigured(moved, NOW);
        List<PolicyMatched> m = matched(s.discovered(tagOf("prod.example/fleet/portal", "922", "c"), moved, NOW));
        assertEquals(List.of("prod.example/fleet/portal:922@sha256:" + "c".repeat(64)),
                m.stream().map(PolicyMatched::subject).toList());
    }

    @Test
    void aTagOfAnImageNotConfiguredIsKeptButNeverSelected() {
        Selections s = new Selections();
        s.discovered(tag("922", "b"), GATE, NOW);
        // the poller read the moved configuration before this service did
        List<Selections.Effect> early = s.discovered(tagOf("prod.example/fleet/portal", "930", "d"), GATE, NOW);
        assertEquals(1, of(Selections.TagStored.class, early).size());
        assertEquals(List.of(), matched(early), "the old image is still configured here");
        assertEquals(List.of(), matched(s.discovered(tagOf("old.example/portal", "999", "e"), GATE, NOW)));
        assertEquals("922", s.status("ns/portal").orElseThrow().latest().orElseThrow().tag());

        List<PolicyMatched> atReload = matched(s.reconfigured(movedTo("prod.example/fleet/portal", true), NOW));
        assertEquals(List.of("prod.example/fleet/portal:930@sha256:" + "d".repeat(64)),
                atReload.stream().map(PolicyMatched::subject).toList(), "the tag read early is used once configured");
        assertEquals(Optional.of(new PolicyMatched.TagRef("922", "sha256:" + "b".repeat(64))), atReload.get(0).previous());
    }

    @Test
    void removedPoliciesAndRepositoriesHaveTheirFactsDropped() {
        Selections s = new Selections();
        s.discovered(tag("922", "b"), GATE, NOW);
        s.discovered(tag("923", "c"), GATE, NOW);

        List<Selections.Effect> noPolicy = s.reconfigured(movedTo("acr.example/portal", false), NOW);
        assertEquals(List.of(new Selections.PolicyForgotten("ns/portal",
                new Selection("acr.example/portal", "923", "sha256:" + "c".repeat(64)))), of(Selections.PolicyForgotten.class, noPolicy));
        assertEquals(List.of(), of(Selections.TagDropped.class, noPolicy), "the repository is still configured");
        assertEquals(Optional.empty(), s.status("ns/portal"));

        List<Selections.Effect> nothing = s.reconfigured(TagstreamConfig.EMPTY, NOW);
        assertEquals(List.of("922", "923"), of(Selections.TagDropped.class, nothing).stream().map(Selections.TagDropped::tag).toList());
        assertEquals(0, s.knownTags());
        assertEquals(List.of(), s.reconfigured(TagstreamConfig.EMPTY, NOW), "dropped once");

        List<PolicyMatched> back = matched(s.reconfigured(GATE, NOW));
        assertEquals(List.of(), back, "nothing known until the poller announces the tags again");
    }

    /** A first scan of 30 tags 900.0.0 … 900.0.29, in a shuffled order, as one batch. */
    static List<TagDiscovered> firstScan(String scan, long seed) {
        List<TagDiscovered> tags = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            tags.add(tag("900.0." + i, Integer.toHexString(i % 16)));
        }
        java.util.Collections.shuffle(tags, new java.util.Random(seed));
        List<TagDiscovered> out = new java.util.ArrayList<>();
        for (int i = 0; i < tags.size(); i++) {
            out.add(tags.get(i).inBatch(new ScanBatch(scan, i + 1, tags.size())));
        }
        return out;
    }

    @Test
    void aScanBatchIsDecidedOnceItIsCompleteWhateverItsOrder() {
        for (long seed = 0; seed < 20; seed++) {
            Selections s = new Selections();
            List<PolicyMatched> announced = new java.util.ArrayList<>();
            List<TagDiscovered> batch = firstScan("s" + seed, seed);
            for (TagDiscovered t : batch) {
                announced.addAll(matched(s.discovered(t, GATE, NOW)));
            }
            assertEquals(List.of("900.0.29"), announced.stream().map(PolicyMatched::tag).toList(), "seed " + seed);
        }
    }

    @Test
    void aBatchBeingReadHoldsBackReloadsAndRestartsAndABatchReadAgainStillDecides() {
        Selections s = new Selections();
        List<TagDiscovered> batch = firstScan("s1", 7);
        List<Selections.Effect> effects = new java.util.ArrayList<>();
        for (TagDiscovered t : batch.subList(0, 10)) {
            effects.addAll(s.discovered(t, GATE, NOW));
        }
        assertEquals(1, effects.stream().filter(e -> e instanceof Selections.ScanOpened).count(), "opened once, stored");
        assertEquals(List.of(), matched(s.reconfigured(GATE, NOW)), "a reload while the batch is read waits");
        assertTrue(s.status("ns/portal").orElseThrow().lastError().orElseThrow().startsWith("reading scan s1"));

        // a restart: the state topic holds the tags and the open batch
        Selections restarted = new Selections();
        for (TagDiscovered t : batch.subList(0, 10)) {
            restarted.restoreTag(t.imageRepository(), t.repository(), t.tag(), new TagFacts(t.digest()));
        }
        restarted.restoreScanOpen("ns/portal", "acr.example/portal", "s1");
        assertEquals(List.of(), matched(restarted.reconfigured(GATE, NOW)), "nor does a restart decide on part of a listing");

        // the poller died before the batch's end; its next scan sends the whole listing again as a new batch, ending
        // on a tag stored already
        List<TagDiscovered> again = new java.util.ArrayList<>(firstScan("s2", 7));
        java.util.Collections.reverse(again);
        List<PolicyMatched> announced = new java.util.ArrayList<>();
        for (int i = 0; i < again.size(); i++) {
            announced.addAll(matched(restarted.discovered(withSeq(again.get(i), i + 1, again.size()), GATE, NOW)));
        }
        assertEquals(List.of("900.0.29"), announced.stream().map(PolicyMatched::tag).toList());
        assertEquals(Optional.empty(), restarted.status("ns/portal").orElseThrow().lastError());
    }

    static TagDiscovered withSeq(TagDiscovered t, int seq, int of) {
        return t.inBatch(new ScanBatch(t.batch().orElseThrow().scan(), seq, of));
    }

    @Test
    void eventsOutsideABatchDecideAtOnceAsBefore() {
        Selections s = new Selections();
        assertEquals(List.of("922"), matched(s.discovered(tag("922", "b"), GATE, NOW)).stream().map(PolicyMatched::tag).toList());
        assertEquals(List.of("923"), matched(s.discovered(tag("923", "c").inBatch(new ScanBatch("hint", 1, 1)), GATE, NOW))
                .stream().map(PolicyMatched::tag).toList(), "a webhook's single tag is a batch of one");
    }

    @Test
    void whoPushedTheSelectedTagIsCarriedWhenTheNotificationSaid() {
        Selections s = new Selections();
        // a webhook-led check names the pusher; the selection it leads to carries it to the promoter
        List<PolicyMatched> first = matched(s.discovered(tag("922", "b").pushedBy(Optional.of("alice")), GATE, NOW));
        assertEquals(Optional.of("alice"), first.get(0).pushedBy());
        // found by polling: nobody is named, and alice's earlier push is not lent to another tag
        List<PolicyMatched> next = matched(s.discovered(tag("924", "d"), GATE, NOW));
        assertEquals("924", next.get(0).tag());
        assertEquals(Optional.empty(), next.get(0).pushedBy());
        // a pusher named for a tag that is not the one selected is not the selection's pusher
        assertEquals(List.of(), matched(s.discovered(tag("923", "e").pushedBy(Optional.of("mallory")), GATE, NOW)));
        List<PolicyMatched> later = matched(s.discovered(tag("925", "f"), GATE, NOW));
        assertEquals(Optional.empty(), later.get(0).pushedBy());
    }
}
