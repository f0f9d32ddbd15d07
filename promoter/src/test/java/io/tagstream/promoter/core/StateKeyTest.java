package io.tagstream.promoter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The state topic's key layout: what records already stored say, each key read back to what wrote it. */
class StateKeyTest {

    static Stream<Arguments> keys() {
        return Stream.of(
                Arguments.of("flux-system.app-prod.1.0.0.4f2a9c0d11aa", new StateKey.OfPromotion("flux-system.app-prod.1.0.0.4f2a9c0d11aa")),
                Arguments.of("reply/7c9e6679-7425-40de-944b-e07fc1f90ae7", new StateKey.OfReply("7c9e6679-7425-40de-944b-e07fc1f90ae7")),
                Arguments.of("reply/", new StateKey.OfReply("")),
                Arguments.of("mirror-source/platform/base|registry.cleanstart.com/cleanstart/base|1.2.3",
                        new StateKey.MirrorSource("platform/base", "registry.cleanstart.com/cleanstart/base", "1.2.3")),
                Arguments.of("mirror-copy/registry.corp.example/vendor/base|sha256-" + "a".repeat(64) + ".sig",
                        new StateKey.MirrorCopy("registry.corp.example/vendor/base", "sha256-" + "a".repeat(64) + ".sig")),
                Arguments.of("mirror-scan/platform/base|registry.cleanstart.com/cleanstart/base",
                        new StateKey.MirrorScan("platform/base", "registry.cleanstart.com/cleanstart/base")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keys")
    void storedKeysReadBackToWhatWroteThem(String stored, StateKey expected) {
        assertEquals(expected, StateKey.decode(stored));
        assertEquals(stored, expected.encode());
    }
}
