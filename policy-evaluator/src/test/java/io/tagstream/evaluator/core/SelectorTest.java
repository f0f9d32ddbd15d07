package io.tagstream.evaluator.core;

import io.tagstream.common.policy.InvalidPolicyException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.common.config.ImagePolicy;
import io.tagstream.common.config.ImagePolicy.Alphabetical;
import io.tagstream.common.config.ImagePolicy.FilterTags;
import io.tagstream.common.config.ImagePolicy.Numerical;
import io.tagstream.common.config.ImagePolicy.Order;
import io.tagstream.common.config.ImagePolicy.Semver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Tables of tags → selected tag, from Flux's own policy tests and from our users' setups. */
class SelectorTest {

    static Semver semver(String range) {
        return new Semver(range, false);
    }

    static Optional<FilterTags> filter(String pattern, String extract) {
        return Optional.of(new FilterTags(pattern, extract));
    }

    static final Optional<FilterTags> NONE = Optional.empty();

    static Arguments row(String label, ImagePolicy.TagOrder order, Optional<FilterTags> f, List<String> tags, String expected) {
        return Arguments.of(label, order, f, tags, expected);
    }

    /** expected null = nothing selected. */
    static Stream<Arguments> selections() {
        return Stream.of(
                // Flux semver_test.go
                row("flux: valid format", semver("1.0.x"), NONE, List.of("1.0.0", "1.0.0.1", "1.0.0p", "1.0.1", "1.2.0", "0.1.0"), "1.0.1"),
                row("flux: v prefix in tags", semver("1.0.x"), NONE, List.of("v1.2.3", "v1.0.0", "v0.1.0"), "v1.0.0"),
                row("flux: other prefixes are not versions", semver("1.0.x"), NONE, List.of("b1.2.3", "b1.0.0", "b0.1.0"), null),
                row("flux: nothing in range", semver("1.0.x"), NONE, List.of("1.2.0"), null),
                // range syntax Flux accepts
                row("caret", semver("^1.0"), NONE, List.of("0.9.9", "1.0.0", "1.9.3", "2.0.0"), "1.9.3"),
                row("caret zero major", semver("^0.2.3"), NONE, List.of("0.2.3", "0.2.9", "0.3.0"), "0.2.9"),
                row("tilde", semver("~1.0"), NONE, List.of("1.0.0", "1.0.7", "1.1.0"), "1.0.7"),
                row("tilde arrow", semver("~>1.2.3"), NONE, List.of("1.2.2", "1.2.9", "1.3.0"), "1.2.9"),
                row("equals", semver("=1.0.0"), NONE, List.of("1.0.0", "1.0.1", "v1.0.0"), "v1.0.0"),
                row("greater or equal short", semver(">=1.0"), NONE, List.of("0.9.0", "1.0.0", "3.4.5"), "3.4.5"),
                row("comma AND", semver(">0,<2.0"), NONE, List.of("0.0.1", "1.9.9", "2.0.0"), "1.9.9"),
                row("comma AND with spaces", semver(">= 1.2.0, < 1.3.0"), NONE, List.of("1.2.0", "1.2.7", "1.3.0"), "1.2.7"),
                row("space AND", semver(">=1 <2"), NONE, List.of("0.5.0", "1.7.0", "2.0.0"), "1.7.0"),
                row("OR", semver("<1.0.0 || >=3.0.0 <4"), NONE, List.of("0.9.0", "2.0.0", "3.1.0", "4.0.0"), "3.1.0"),
                row("star", semver("*"), NONE, List.of("1.0.0", "20.1.0", "latest"), "20.1.0"),
                row("hyphen range", semver("1.2 - 1.4.5"), NONE, List.of("1.1.0", "1.4.5", "1.4.6"), "1.4.5"),
                row("x wildcard", semver("2.x"), NONE, List.of("1.9.0", "2.0.1", "2.7.0", "3.0.0"), "2.7.0"),
                row("not equal", semver("!=2.0.0"), NONE, List.of("1.0.0", "2.0.0"), "1.0.0"),
                row("v prefix in range and tags", semver(">=v1.0.0"), NONE, List.of("v0.9.0", "v1.1.0", "1.0.5"), "v1.1.0"),
                row("less or equal wildcard", semver("<=1.2.x"), NONE, List.of("1.2.9", "1.3.0"), "1.2.9"),
                // prereleases only when the range names one
                row("prerelease excluded", semver(">=1.0.0"), NONE, List.of("1.0.0", "1.1.0-rc.1", "1.1.0-alpha"), "1.0.0"),
                row("prerelease included by -0", semver(">=1.0.0-0"), NONE, List.of("1.0.0", "1.1.0-rc.1", "1.1.0-alpha"), "1.1.0-rc.1"),
                row("prerelease ordering", semver(">=1.0.0-0"), NONE, List.of("1.1.0-rc.2", "1.1.0-rc.10", "1.1.0-beta"), "1.1.0-rc.10"),
                row("release beats its prerelease", semver(">=1.0.0-0"), NONE, List.of("1.1.0-rc.1", "1.1.0"), "1.1.0"),
                row("build metadata does not order", semver(">=1.0.0"), NONE, List.of("1.0.0+b2", "1.0.0+b10"), "1.0.0+b2"),
                row("leading zero is not a version", semver(">=0"), NONE, List.of("01.0.0", "1.0.0"), "1.0.0"),
                row("two parts are not a version", semver(">=0"), NONE, List.of("1.2", "0.1.0"), "0.1.0"),
                // users: MECIPOL gate on CI build numbers
                row("mecipol without coerce", semver(">=900.0.0"), NONE, List.of("922", "924", "899"), null),
                row("mecipol with coerce", new Semver(">=900.0.0", true), NONE, List.of("922", "924", "899", "latest"), "924"),
                row("coerce two parts", new Semver(">=1.2.0", true), NONE, List.of("1.2", "1.10", "1.9.1"), "1.10"),
                row("coerce keeps full versions first-class", new Semver(">=900.0.0", true), NONE, List.of("924", "924.0.1"), "924.0.1"),
                // Flux numerical_test.go
                row("flux: integers asc", new Numerical(Order.ASC), NONE, List.of("-62", "-88", "73", "72", "15", "16", "15", "29", "-33", "-91"), "73"),
                row("flux: integers desc", new Numerical(Order.DESC), NONE, List.of("5", "-8", "-78", "25", "70", "-4", "80", "92", "-20", "-24"), "-78"),
                row("flux: floats asc", new Numerical(Order.ASC), NONE, List.of("47.40896403322944", "-27.8520927455902", "53.47333823144817", "3.2008658570411086"), "53.47333823144817"),
                row("flux: floats desc", new Numerical(Order.DESC), NONE, List.of("-65.27202780220686", "57.82948329142309", "-90.29082099756083", "16.06867070412028"), "-90.29082099756083"),
                row("flux: unix timestamps", new Numerical(Order.ASC), NONE, List.of("1606234201", "1606364286", "1606334092"), "1606364286"),
                row("flux: single value", new Numerical(Order.DESC), NONE, List.of("1"), "1"),
                row("numerical extract on rc.N", new Numerical(Order.ASC), filter("^1\\.0\\.0-rc\\.(?P<n>[0-9]+)$", "$n"),
                        List.of("1.0.0-rc.1", "1.0.0-rc.12", "1.0.0-rc.2", "1.0.0"), "1.0.0-rc.12"),
                // users: TazLab CI tags
                row("tazlab blog", new Numerical(Order.ASC), filter("^blog-(?P<value>[0-9]+)-.*$", "$value"),
                        List.of("blog-45-a1b2c3d", "blog-46-ffe0123", "blog-9-0000000", "wiki-99-aaaaaaa", "mcp-3-bbbbbbb"), "blog-46-ffe0123"),
                row("tazlab wiki ignores blog", new Numerical(Order.ASC), filter("^wiki-(?P<value>[0-9]+)-.*$", "$value"),
                        List.of("blog-45-a1b2c3d", "wiki-7-a", "wiki-10-b"), "wiki-10-b"),
                // Flux alphabetical_test.go
                row("flux: ubuntu calver", new Alphabetical(Order.ASC), NONE, List.of("16.04", "16.04.1", "16.10", "20.04", "20.10"), "20.10"),
                row("flux: ubuntu calver desc", new Alphabetical(Order.DESC), NONE, List.of("16.04", "16.04.1", "16.10", "20.04", "20.10"), "16.04"),
                row("flux: ubuntu code names", new Alphabetical(Order.ASC), NONE, List.of("xenial", "yakkety", "zesty", "artful", "bionic"), "zesty"),
                row("flux: ubuntu code names desc", new Alphabetical(Order.DESC), NONE, List.of("xenial", "yakkety", "zesty", "artful", "bionic"), "artful"),
                row("flux: timestamp prefix", new Alphabetical(Order.ASC), NONE, List.of("rel-1606234201", "rel-1606364286", "rel-1606334092"), "rel-1606364286"),
                row("flux: RFC3339-like", new Alphabetical(Order.ASC), NONE,
                        List.of("2021-01-08T21-18-21Z", "2020-05-08T21-18-21Z", "2021-01-08T19-20-00Z", "1990-01-08T00-20-00Z", "2023-05-08T00-20-00Z"), "2023-05-08T00-20-00Z"),
                row("flux: RFC3339-like desc", new Alphabetical(Order.DESC), NONE,
                        List.of("2021-01-08T21-18-21Z", "2020-05-08T21-18-21Z", "1990-01-08T00-20-00Z"), "1990-01-08T00-20-00Z"),
                row("alphabetical is byte-wise, upper case first", new Alphabetical(Order.ASC), NONE, List.of("Zeta", "alpha"), "alpha"),
                row("alphabetical with extract", new Alphabetical(Order.ASC), filter("^main-[a-f0-9]+-(?P<ts>[0-9]+)", "$ts"),
                        List.of("main-abc-1700000000", "main-def-1600000000", "feature-x-1800000000"), "main-abc-1700000000"),
                // Flux filter_test.go shapes: unanchored search, $1 and ${name}
                row("filter is a search, not a full match", new Alphabetical(Order.ASC), filter("ver", ""), List.of("ver1", "xver3", "rel9"), "xver3"),
                row("filter ${name}", new Numerical(Order.ASC), filter("^build-(?P<n>[0-9]+)$", "${n}"), List.of("build-2", "build-10"), "build-10"),
                row("filter $1", new Numerical(Order.ASC), filter("ver(\\d+)", "$1"), List.of("ver1", "ver2", "ver3", "rel1"), "ver3"),
                // both abcd456 tags extract "123-123.123.abcd456": the byte-wise greater original stands for the value
                row("filter complex 2", new Alphabetical(Order.ASC), filter("^(?P<tag>123-[0-9]+\\.[0-9]+\\.[a-z0-9]+[^-debug])", "$tag"),
                        List.of("123-123.123.abcd123-debug", "123-123.123.abcd123", "123-123.123.abcd456-debug", "123-123.123.abcd456"),
                        "123-123.123.abcd456-debug"),
                row("filter complex 3", new Alphabetical(Order.ASC), filter("^(?P<tag>123-[0-9]+\\.[0-9]+\\.[a-z0-9]+$)", "$tag"),
                        List.of("123-123.123.abcd123-debug", "123-123.123.abcd123", "123-123.123.abcd456-debug", "123-123.123.abcd456"),
                        "123-123.123.abcd456"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("selections")
    void selects(String label, ImagePolicy.TagOrder order, Optional<FilterTags> f, List<String> tags, String expected)
            throws Exception {
        Evaluation e = Selector.of(order, f).evaluate(tags);
        assertEquals(Optional.ofNullable(expected), e.latestTag(), e.toString());
        assertEquals(expected == null, e.error().isPresent(), e.toString());
    }

    /** Flux resolves ties by Go map order; we always pick the same tag, whatever order the tags come in. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("ties")
    void tiesAreDeterministic(String label, ImagePolicy.TagOrder order, Optional<FilterTags> f, List<String> tags, String expected)
            throws Exception {
        Selector s = Selector.of(order, f);
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            List<String> shuffled = new ArrayList<>(tags);
            Collections.shuffle(shuffled, random);
            assertEquals(Optional.of(expected), s.evaluate(shuffled).latestTag(), shuffled.toString());
        }
    }

    static Stream<Arguments> ties() {
        return Stream.of(
                row("semver equal versions", semver(">=1.0.0"), NONE, List.of("1.0.0", "v1.0.0", "1.0.0+build.7"), "v1.0.0"),
                row("numerical equal values", new Numerical(Order.ASC), NONE, List.of("10", "10.0", "1e1"), "1e1"),
                row("same extracted value", new Numerical(Order.ASC), filter("^b-(?P<n>[0-9]+)-", "$n"), List.of("b-7-aaa", "b-7-zzz", "b-3-x"), "b-7-zzz"),
                row("coerced equal", new Semver(">=900.0.0", true), NONE, List.of("924", "924.0", "924.0.0"), "924.0.0"));
    }

    static Stream<Arguments> invalidRanges() {
        return Stream.of("1.0.0p", "1x", "x1", "-1", "a", "", "*-*", ">=9x", ">= 1.0.0 ||", "=>>1").map(Arguments::of);
    }

    @ParameterizedTest(name = "''{0}''")
    @MethodSource("invalidRanges")
    void invalidRangesAreRefused(String range) {
        var e = assertThrows(InvalidPolicyException.class, () -> Selector.of(semver(range), NONE));
        assertTrue(e.getMessage().startsWith("'" + range + "' is not a valid semver range"), e.getMessage());
    }

    /** Three 40-hex SHA tags pushed one after another, the newest sorting lowest. */
    static final String OLD = "f" + "0".repeat(39), MID = "9" + "0".repeat(39), NEW = "0" + "0".repeat(39);

    static java.util.stream.Stream<Arguments> newest() {
        java.time.Instant t = java.time.Instant.parse("2026-12-01T10:00:00Z");
        Map<String, java.time.Instant> pushed = Map.of(OLD, t, MID, t.plusSeconds(60), NEW, t.plusSeconds(120));
        return java.util.stream.Stream.of(
                Arguments.of("the tag pushed last, though it sorts first", pushed, List.of(OLD, MID, NEW), NEW, List.of(NEW, MID, OLD)),
                Arguments.of("the same whatever the listing order", pushed, List.of(NEW, OLD, MID), NEW, List.of(NEW, MID, OLD)),
                Arguments.of("equal times: the tag that sorts last byte-wise", Map.of(OLD, t, MID, t), List.of(MID, OLD), OLD,
                        List.of(OLD, MID)),
                Arguments.of("a tag without a time ranks below every tag with one", Map.of(MID, t), List.of(OLD, MID), MID,
                        List.of(MID, OLD)),
                Arguments.of("no times at all: still one answer, by name", Map.of(), List.of(NEW, OLD), OLD, List.of(OLD, NEW)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("newest")
    void newestOrdersByTheTimesGivenAndExplainsThem(String label, Map<String, java.time.Instant> times, List<String> tags,
            String expected, List<String> ranking) throws Exception {
        Evaluation e = Selector.of(new ImagePolicy.Newest(ImagePolicy.By.PUSHED), Optional.of(new FilterTags("^[0-9a-f]{40}$", "")))
                .evaluate(tags, Selector.DEFAULT_SKIP_CAP, Budget.UNLIMITED, tag -> Optional.ofNullable(times.get(tag)));
        assertEquals(Optional.of(expected), e.latestTag(), label);
        assertEquals(ranking, e.ranked().stream().map(NewestPolicy.Ranked::tag).toList(), label);
        assertEquals(Optional.ofNullable(times.get(expected)), e.ranked().get(0).time(), label);
    }

    @Test
    void otherRulesRankNothing() throws Exception {
        assertEquals(List.of(), Selector.of(new ImagePolicy.Alphabetical(ImagePolicy.Order.ASC), Optional.empty())
                .evaluate(List.of("a", "b")).ranked());
    }

    @Test
    void aRangeOfAHundredThousandDigitsIsRefusedAtOnce() {
        var e = assertThrows(InvalidPolicyException.class, () -> Selector.of(semver("1".repeat(100_000)), NONE));
        assertEquals("semver range is 100000 characters; at most 1024", e.getMessage());
    }

    @Test
    void validRangesFromFluxParse() throws Exception {
        for (String r : List.of("1.0.x", "^1.0", "=1.0.0", "~1.0", ">=1.0", ">0,<2.0", ">= 1.2.0, < 1.3.0", ">=1 <2", "*", "v1.x", ">=1.0.0-0")) {
            Selector.of(semver(r), NONE);
        }
    }

    @Test
    void invalidPatternIsRefused() {
        var e = assertThrows(InvalidPolicyException.class, () -> Selector.of(new Alphabetical(Order.ASC), filter("[=", "")));
        assertEquals("filterTags.pattern '[=' is not a valid regular expression: missing closing ]", e.getMessage());
    }

    @Test
    void oneNonNumberFailsNumericalAsInFlux() throws Exception {
        Evaluation e = Selector.of(new Numerical(Order.ASC), NONE).evaluate(List.of("0", "1a", "b"));
        assertEquals(Optional.empty(), e.latestTag());
        assertEquals(Optional.of("failed to parse invalid numeric value '1a'"), e.error().map(s -> s.replace("'b'", "'1a'")));
    }

    @Test
    void skippedTagsAreExplained() throws Exception {
        Evaluation e = Selector.of(semver(">=1.0.0"), NONE).evaluate(List.of("latest", "0.9.0", "1.1.0-rc.1", "1.0.0"));
        assertEquals(Optional.of("1.0.0"), e.latestTag());
        assertEquals(4, e.candidates());
        assertEquals(3, e.skippedTotal());
        var reasons = e.skipped().stream().map(s -> s.tag() + ": " + s.reason()).sorted().toList();
        assertEquals(List.of(
                "0.9.0: 0.9.0 is outside range '>=1.0.0'",
                "1.1.0-rc.1: prerelease 1.1.0-rc.1 excluded: range '>=1.0.0' names no prerelease",
                "latest: 'latest' is not a semantic version (MATOR.MINOR.PATCH; semver.coerce reads N and N.M)".replace("MATOR", "MAJOR")),
                reasons);
    }

    @Test
    void explanationsAreCappedButCounted() throws Exception {
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            tags.add("junk-" + i);
        }
        tags.add("1.0.0");
        Evaluation e = Selector.of(semver("*"), NONE).evaluate(tags, 10);
        assertEquals(Optional.of("1.0.0"), e.latestTag());
        assertEquals(10, e.skipped().size());
        assertEquals(500, e.skippedTotal());
    }

    @Test
    void nothingMatchingThePatternSaysSo() throws Exception {
        Evaluation e = Selector.of(new Numerical(Order.ASC), filter("^blog-(?P<v>[0-9]+)-", "$v")).evaluate(List.of("wiki-1-a"));
        assertEquals(Optional.of("none of 1 tags matches filterTags.pattern '^blog-(?P<v>[0-9]+)-'"), e.error());
    }
}
