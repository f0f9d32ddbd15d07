package io.tagstream.gitwriter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The state topic's key layout: what records already stored say, each key read back to what wrote it. */
class StateKeyTest {

    static final String SCOPE = Ledger.scope("flux-system/auto", "ssh://git@git.example:30022/infra.git", "main", "./apps");

    static Stream<Arguments> keys() {
        return Stream.of(
                Arguments.of("flux-system/auto@ssh://git@git.example:30022/infra.git#main:apps|flux-system:portal",
                        Optional.of(new StateKey.Written(SCOPE, "flux-system:portal"))),
                Arguments.of("flux-system/auto|flux-system:portal", Optional.of(new StateKey.Written("flux-system/auto", "flux-system:portal"))),
                Arguments.of("flux-system/auto@https://git.example/fleet?a=1|2#main:.|flux-system:p",
                        Optional.of(new StateKey.Written("flux-system/auto@https://git.example/fleet?a=1|2#main:.", "flux-system:p"))),
                Arguments.of("blocked|" + SCOPE + "|flux-system:portal", Optional.of(new StateKey.Blocked(SCOPE, "flux-system:portal"))),
                Arguments.of("intent|https://git.example/fleet#main", Optional.of(new StateKey.Intent("https://git.example/fleet#main"))),
                Arguments.of("pr|" + SCOPE, Optional.of(new StateKey.Proposed(SCOPE))),
                Arguments.of("no-bar", Optional.empty()),
                Arguments.of("|marker", Optional.empty()),
                Arguments.of("blocked|", Optional.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keys")
    void storedKeysReadBackToWhatWroteThem(String stored, Optional<StateKey> expected) {
        assertEquals(expected, StateKey.decode(stored));
        expected.ifPresent(k -> assertEquals(stored, k.encode()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keys")
    void theLedgerSaysWhatItsKeysBelongTo(String stored, Optional<StateKey> expected) {
        if (expected.orElse(null) instanceof StateKey.Written w) {
            assertEquals("flux-system/auto", w.automation());
            assertEquals(!stored.contains("@"), w.beforeScopes());
        }
    }
}
