package io.tagstream.evaluator.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The state topic's key layout: what records already stored say, each key read back to what wrote it. */
class StateKeyTest {

    static Stream<Arguments> keys() {
        return Stream.of(
                Arguments.of("tag|flux-system/app|registry.example:5000/team/app|1.0.0",
                        Optional.of(new StateKey.Tag("flux-system/app", "registry.example:5000/team/app", "1.0.0"))),
                Arguments.of("tag|flux-system/app|1.0.0", Optional.of(new StateKey.LegacyTag("flux-system/app", "1.0.0"))),
                Arguments.of("scan|flux-system/app|docker.io/library/nginx",
                        Optional.of(new StateKey.Scan("flux-system/app", "docker.io/library/nginx"))),
                Arguments.of("selection|flux-system/app", Optional.of(new StateKey.Selected("flux-system/app"))),
                Arguments.of("selection|a|b", Optional.empty()),
                Arguments.of("tag|only", Optional.empty()),
                Arguments.of("scan|a", Optional.empty()),
                Arguments.of("future|a|b", Optional.empty()),
                Arguments.of("", Optional.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keys")
    void storedKeysReadBackToWhatWroteThem(String stored, Optional<StateKey> expected) {
        assertEquals(expected, StateKey.decode(stored));
        expected.ifPresent(k -> assertEquals(stored, k.encode()));
    }
}
