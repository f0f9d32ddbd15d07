package io.tagstream.poller.core;

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
                Arguments.of("flux-system/app|1.0.0", Optional.of(new StateKey.Tag("flux-system/app", "1.0.0"))),
                Arguments.of("flux-system/blog|blog-45-a1b2c3d", Optional.of(new StateKey.Tag("flux-system/blog", "blog-45-a1b2c3d"))),
                Arguments.of("no-bar", Optional.empty()),
                Arguments.of("|1.0.0", Optional.empty()),
                Arguments.of("a|b|c", Optional.empty()),
                Arguments.of("policy|flux-system/shop-dev|selected", Optional.of(new StateKey.Selected("flux-system/shop-dev"))),
                Arguments.of("policy|shop-dev|selected", Optional.empty()),
                Arguments.of("policy|flux-system/shop-dev|other", Optional.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keys")
    void storedKeysReadBackToWhatWroteThem(String stored, Optional<StateKey> expected) {
        assertEquals(expected, StateKey.decode(stored));
        expected.ifPresent(k -> assertEquals(stored, k.encode()));
    }
}
