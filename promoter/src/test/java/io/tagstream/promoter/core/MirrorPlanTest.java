package io.tagstream.promoter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tagstream.common.config.ImageMirror;
import io.tagstream.common.config.Origin;
import io.tagstream.common.config.ResourceId;
import io.tagstream.promoter.core.MirrorPlan.AtDestination;
import io.tagstream.promoter.core.MirrorPlan.Copy;
import io.tagstream.promoter.core.MirrorPlan.CopyTag;
import io.tagstream.promoter.core.MirrorPlan.Delete;
import io.tagstream.promoter.core.MirrorPlan.Drifted;
import io.tagstream.promoter.core.MirrorPlan.SourceTag;
import io.tagstream.promoter.core.MirrorPlan.UpToDate;
import io.tagstream.promoter.core.MirrorPlan.Waiting;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The mirror's plan: flux-mirror's selection order, each tag's step, referrers, and what prune may delete. */
class MirrorPlanTest {

    static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    static final String SIG = "sha256-" + "1".repeat(64) + ".sig";

    static ImageMirror.Selector sel(String pattern, String extract, String semver, ImageMirror.SortBy by, int limit) {
        return new ImageMirror.Selector(Optional.ofNullable(pattern), Optional.ofNullable(extract), Optional.ofNullable(semver), by, limit);
    }

    static ImageMirror mirror(ImageMirror.Selector s, boolean referrers, boolean overwrite, Optional<Duration> minAge,
            Optional<ImageMirror.Prune> prune) {
        return new ImageMirror(new ResourceId("platform", "base"), Map.of(), new Origin("m.yaml", 1, Map.of()), "upstream.example/cleanstart/base",
                "corp.example/vendor/base", s, referrers, overwrite, Optional.empty(), Duration.ofMinutes(10), Optional.empty(), minAge,
                prune, 4, false, Optional.empty(), Optional.empty());
    }

    static Stream<Arguments> selections() {
        List<String> tags = List.of("1.0.0", "1.10.0", "1.9.0", "v2.0.0", "2.0.0-rc.1", "latest", "1.2", "20240101", "20231231",
                "build-7", "build-12", SIG, "sha256-" + "1".repeat(64));
        return Stream.of(
                Arguments.of("default: the highest semver, one (Masterminds reads a date as a major version: use a pattern)",
                        sel(null, null, null, ImageMirror.SortBy.SEMVER, 1), tags, List.of("20240101")),
                Arguments.of("limit 0 is all versions, highest first (1.2 read as 1.2.0, as Masterminds does)",
                        sel(null, null, null, ImageMirror.SortBy.SEMVER, 0), tags,
                        List.of("20240101", "20231231", "v2.0.0", "2.0.0-rc.1", "1.10.0", "1.9.0", "1.2", "1.0.0")),
                Arguments.of("a range, then the limit", sel(null, null, ">=1.0.0 <2.0.0", ImageMirror.SortBy.SEMVER, 2), tags,
                        List.of("1.10.0", "1.9.0")),
                Arguments.of("the pattern first, extract makes the key", sel("^build-(?P<n>[0-9]+)$", "$n", null,
                        ImageMirror.SortBy.NUMERICAL, 5), tags, List.of("build-12", "build-7")),
                Arguments.of("alphabetical sorts the key as text", sel("^2023|^2024", null, null, ImageMirror.SortBy.ALPHABETICAL, 0),
                        tags, List.of("20240101", "20231231")),
                Arguments.of("alphabetical over everything never picks a referrer", sel(null, null, null, ImageMirror.SortBy.ALPHABETICAL, 3),
                        tags, List.of("v2.0.0", "latest", "build-7")),
                Arguments.of("a range on an extracted key", sel("^v?(?P<v>[0-9]+\\.[0-9]+\\.[0-9]+)$", "$v", "1.x",
                        ImageMirror.SortBy.SEMVER, 0), tags, List.of("1.10.0", "1.9.0", "1.0.0")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("selections")
    void selectsAsFluxMirrorDoes(String why, ImageMirror.Selector s, List<String> tags, List<String> expected) {
        assertEquals(expected, new MirrorSelector(s).select(tags));
    }

    static Map<String, SourceTag> source(String... tagDigest) {
        Map<String, SourceTag> out = new LinkedHashMap<>();
        for (int i = 0; i < tagDigest.length; i += 2) {
            out.put(tagDigest[i], new SourceTag(tagDigest[i + 1], NOW.minus(Duration.ofDays(30))));
        }
        return out;
    }

    /** A digest of the right length, made of one two-character motif. */
    static String d(String motif) {
        return "sha256:" + motif.repeat(32);
    }

    static String sig(String motif) {
        return MirrorPlan.referrerTags(d(motif)).get(1);
    }

    static String att(String motif) {
        return MirrorPlan.referrerTags(d(motif)).get(2);
    }

    static Copy ours(String tag, String digest, Duration ago) {
        return new Copy("platform/base", tag, digest, true, true, NOW.minus(ago));
    }

    @Test
    void eachSelectedTagGetsItsStepAndReferrersFollowTheSameRule() {
        ImageMirror m = mirror(sel(null, null, null, ImageMirror.SortBy.SEMVER, 3), true, false, Optional.empty(), Optional.empty());
        Map<String, SourceTag> src = source("1.0.0", d("01"), "1.1.0", d("02"), "1.2.0", d("03"),
                sig("01"), d("51"), att("03"), d("53"));
        Map<String, Copy> copies = Map.of("1.1.0", ours("1.1.0", d("02"), Duration.ofDays(1)),
                "1.0.0", ours("1.0.0", d("00"), Duration.ofDays(2)),
                sig("01"), ours(sig("01"), d("50"), Duration.ofDays(2)));
        MirrorPlan p = MirrorPlan.plan(m, src, copies, UnaryOperator.identity(), NOW);
        assertEquals(List.of("1.2.0", "1.1.0", "1.0.0"), p.selected());
        assertEquals(List.of(
                new CopyTag("1.2.0", "1.2.0", d("03"), false, false),
                new CopyTag(att("03"), att("03"), d("53"), false, true),
                new UpToDate("1.1.0", "1.1.0", d("02")),
                new Drifted("1.0.0", "1.0.0", d("01"), d("00")),
                new Drifted(sig("01"), sig("01"), d("51"), d("50"))), p.steps());
        MirrorPlan over = MirrorPlan.plan(mirror(m.selector(), false, true, Optional.empty(), Optional.empty()), src, copies,
                UnaryOperator.identity(), NOW);
        assertEquals(new CopyTag("1.0.0", "1.0.0", d("01"), true, false), over.steps().get(2), "overwrite: copied again");
        assertEquals(3, over.steps().size(), "no referrers without includeReferrers");
    }

    @Test
    void aCopyCutShortIsMadeAgainAndMinAgeWaitsAndTheTemplateNamesTheDestination() {
        ImageMirror m = mirror(sel(null, null, null, ImageMirror.SortBy.SEMVER, 0), false, false, Optional.of(Duration.ofHours(1)),
                Optional.empty());
        Map<String, SourceTag> src = new LinkedHashMap<>(source("1.0.0", d("01")));
        src.put("1.1.0", new SourceTag(d("02"), NOW.minus(Duration.ofMinutes(10))));
        Map<String, Copy> copies = Map.of("v1.0.0", new Copy("platform/base", "1.0.0", d("01"), false, true, NOW));
        MirrorPlan p = MirrorPlan.plan(m, src, copies, t -> "v" + t, NOW);
        assertEquals(List.of(new Waiting("1.1.0", "v1.1.0", NOW.plus(Duration.ofMinutes(50))),
                new CopyTag("1.0.0", "v1.0.0", d("01"), false, false)), p.steps());
    }

    static Stream<Arguments> destinations() {
        CopyTag copy = new CopyTag("1.0.0", "1.0.0", d("01"), false, false);
        CopyTag over = new CopyTag("1.0.0", "1.0.0", d("01"), true, false);
        return Stream.of(
                Arguments.of("nothing there: copy", copy, Optional.empty(), false, AtDestination.COPY),
                Arguments.of("the digest there, not ours: recorded as there", copy, Optional.of(d("01")), false, AtDestination.ALREADY_THERE),
                Arguments.of("the digest there after our intent: finish it (ours)", copy, Optional.of(d("01")), true, AtDestination.COPY),
                Arguments.of("another digest, overwrite off: drift", copy, Optional.of(d("09")), false, AtDestination.DRIFTED),
                Arguments.of("another digest, overwrite on", over, Optional.of(d("09")), false, AtDestination.OVERWRITE),
                Arguments.of("another digest after our intent (the source moved): ours to replace", copy, Optional.of(d("09")),
                        true, AtDestination.OVERWRITE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("destinations")
    void aTagNoRecordExplainsIsJudgedByTheDestinationsAnswer(String why, CopyTag step, Optional<String> there, boolean intent,
            AtDestination expected) {
        assertEquals(expected, MirrorPlan.atDestination(step, there, intent));
    }

    @Test
    void pruneDeletesOnlyItsOwnCopiesBeyondKeepLastNeverASelectedOneAndOnlyOnceOldEnough() {
        ImageMirror m = mirror(sel(null, null, null, ImageMirror.SortBy.SEMVER, 2), true, false, Optional.empty(),
                Optional.of(new ImageMirror.Prune(3, Optional.of(Duration.ofDays(7)), true)));
        Map<String, SourceTag> src = source("1.0.0", d("01"), "1.1.0", d("02"), "1.2.0", d("03"), "1.3.0", d("04"),
                "1.4.0", d("05"));
        Map<String, Copy> copies = new LinkedHashMap<>();
        copies.put("1.4.0", ours("1.4.0", d("05"), Duration.ofDays(1)));
        copies.put("1.3.0", ours("1.3.0", d("04"), Duration.ofDays(10)));
        copies.put("1.2.0", ours("1.2.0", d("03"), Duration.ofDays(10)));
        copies.put("1.1.0", ours("1.1.0", d("02"), Duration.ofDays(10)));
        copies.put("1.0.0", ours("1.0.0", d("01"), Duration.ofDays(3)));       // too young to go
        copies.put("0.9.0", new Copy("platform/base", "0.9.0", d("00"), true, false, NOW.minus(Duration.ofDays(90)))); // not ours
        copies.put(sig("02"), ours(sig("02"), d("52"), Duration.ofDays(10)));
        MirrorPlan p = MirrorPlan.plan(m, src, copies, UnaryOperator.identity(), NOW);
        assertEquals(List.of("1.4.0", "1.3.0"), p.selected());
        assertEquals(List.of(new Delete("1.1.0", d("02"), true, "ranks 4 of the 5 copies this mirror made (keepLast 3), copied"
                + " more than 168h ago"), new Delete(sig("02"), d("52"), true, "a referrer of 1.1.0, which is pruned")), p.prune());
        MirrorPlan none = MirrorPlan.plan(mirror(m.selector(), false, false, Optional.empty(), Optional.empty()), src, copies,
                UnaryOperator.identity(), NOW);
        assertEquals(List.of(), none.prune(), "no prune: nothing deleted");
    }

    @Test
    void aNewTagPushesTheSixthNewestOutWithKeepLastFive() {
        ImageMirror m = mirror(sel(null, null, null, ImageMirror.SortBy.SEMVER, 5), false, false, Optional.empty(),
                Optional.of(new ImageMirror.Prune(5, Optional.empty(), false)));
        Map<String, SourceTag> src = source("1.0.0", d("01"), "1.1.0", d("02"), "1.2.0", d("03"), "1.3.0", d("04"),
                "1.4.0", d("05"), "1.5.0", d("06"));
        Map<String, Copy> copies = new LinkedHashMap<>();
        for (int i = 0; i <= 5; i++) {
            copies.put("1." + i + ".0", ours("1." + i + ".0", d("0" + (i + 1)), Duration.ofMinutes(i)));
        }
        assertEquals(List.of(new Delete("1.0.0", d("01"), false, "ranks 6 of the 6 copies this mirror made (keepLast 5)")),
                MirrorPlan.plan(m, src, copies, UnaryOperator.identity(), NOW).prune());
    }
}
