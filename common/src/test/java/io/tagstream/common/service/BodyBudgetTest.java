package io.tagstream.common.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class BodyBudgetTest {

    static final long MIB = 1 << 20;

    record Row(String why, OptionalLong declared, long expectedCost) {}

    @Test
    void whatABodyReserves() {
        BodyBudget b = new BodyBudget(32 * MIB, 3 * MIB);
        for (Row r : List.of(
                new Row("a small body reserves the minimum, so many slow small ones are bounded too", OptionalLong.of(200), BodyBudget.MIN_RESERVATION),
                new Row("a declared length above the minimum is reserved as declared", OptionalLong.of(MIB), MIB),
                new Row("a chunked body may grow to the largest body", OptionalLong.empty(), 3 * MIB),
                new Row("a declared length over the largest body is answered 413 by the HTTP layer: reserve no more than the largest",
                        OptionalLong.of(100 * MIB), 3 * MIB))) {
            assertEquals(r.expectedCost(), b.cost(r.declared()), r.why());
        }
    }

    @Test
    void aBodyThatDoesNotFitReservesNothingAndReleasingMakesRoom() {
        BodyBudget b = new BodyBudget(10 * MIB, 3 * MIB);
        assertEquals(OptionalLong.of(3 * MIB), b.reserve(OptionalLong.empty()));
        assertEquals(OptionalLong.of(3 * MIB), b.reserve(OptionalLong.empty()));
        assertEquals(OptionalLong.of(3 * MIB), b.reserve(OptionalLong.empty()));
        assertEquals(OptionalLong.empty(), b.reserve(OptionalLong.empty()), "a fourth 3 MiB body does not fit 10 MiB");
        assertEquals(9 * MIB, b.used(), "a refusal reserves nothing");
        assertEquals(OptionalLong.of(MIB), b.reserve(OptionalLong.of(MIB)), "a smaller one still fits");
        b.release(3 * MIB);
        assertEquals(OptionalLong.of(3 * MIB), b.reserve(OptionalLong.empty()));
        assertEquals(10 * MIB, b.used());
    }

    @Test
    void aBudgetMustHoldOneBody() {
        assertThrows(IllegalArgumentException.class, () -> new BodyBudget(1024, 3 * MIB));
    }
}
