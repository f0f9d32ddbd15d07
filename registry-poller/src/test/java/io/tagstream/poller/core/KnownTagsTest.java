package io.tagstream.poller.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class KnownTagsTest {

    private static final KnownTag D1 = new KnownTag("sha256:1", "m");
    private static final KnownTag D2 = new KnownTag("sha256:2", "m");

    static Stream<Arguments> cases() {
        KnownTags fromA = new KnownTags(Optional.of("a.example/app"), Map.of("1.0", D1, "1.1", D2));
        KnownTags legacy = new KnownTags(Optional.empty(), Map.of("1.0", D1));
        return Stream.of(
                // label, known, configured image, tags used by the next scan, after that scan, stale
                Arguments.of("same image: every known tag holds", fromA, "a.example/app", Map.of("1.0", D1, "1.1", D2),
                        Map.of("1.0", D1), Set.of()),
                Arguments.of("image moved: nothing known holds, old-only tags are dropped", fromA, "b.example/app", Map.of(),
                        Map.of("1.0", D1), Set.of("1.1")),
                Arguments.of("image moved to an empty repository: every old tag is dropped", fromA, "b.example/app", Map.of(),
                        Map.of(), Set.of("1.0", "1.1")),
                Arguments.of("records from before the image was kept belong to the configured image", legacy,
                        "b.example/app", Map.of("1.0", D1), Map.of(), Set.of()),
                Arguments.of("nothing known", KnownTags.NONE, "a.example/app", Map.of(), Map.of("1.0", D1), Set.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void factsHoldOnlyForTheImageTheyWereReadFrom(String label, KnownTags known, String image,
            Map<String, KnownTag> used, Map<String, KnownTag> after, Set<String> stale) {
        assertEquals(used, known.of(image), label);
        assertEquals(stale, known.staleAfter(image, after), label);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void storedRecordsRebuildTheSameValue(String label, KnownTags known, String image, Map<String, KnownTag> used,
            Map<String, KnownTag> after, Set<String> stale) {
        KnownTags rebuilt = KnownTags.NONE;
        for (var e : known.tags().entrySet()) {
            rebuilt = rebuilt.with(e.getKey(), Optional.of(e.getValue()), known.repository());
        }
        assertEquals(known, rebuilt, label);
        if (!known.tags().isEmpty()) {
            String any = known.tags().keySet().iterator().next();
            assertEquals(known.tags().size() - 1, rebuilt.with(any, Optional.empty(), Optional.empty()).tags().size(), label);
        }
    }
}
