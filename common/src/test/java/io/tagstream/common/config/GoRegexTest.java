package io.tagstream.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Flux's patterns are Go's RE2: the same accepted, the same refused, and matching linear in the tag. */
class GoRegexTest {

    record Row(String pattern, boolean valid) {}

    @Test
    void whatGoAcceptsIsAcceptedWhatGoRefusesIsRefused() {
        List<Row> rows = List.of(
                new Row("^blog-(?P<value>[0-9]+)-.*$", true),
                new Row("^blog-(?<value>[0-9]+)-.*$", true), // Go 1.22+
                new Row("^main-[a-f0-9]+-(?P<ts>[0-9]+)$", true),
                new Row("^.*\\.sig$", true),
                new Row("(a)\\1", false), // back-reference: RE2 has none
                new Row("(?=a)b", false), // look-ahead
                new Row("(?<=a)b", false), // look-behind
                new Row("a++", false), // possessive
                new Row("[=", false),
                new Row("x".repeat(GoRegex.MAX_LENGTH + 1), false));
        for (Row r : rows) {
            String problem = GoRegex.problem(r.pattern());
            if (r.valid()) {
                assertNull(problem, r.pattern());
            } else {
                assertNotNull(GoRegex.problem(r.pattern()), r.pattern());
            }
        }
        var m = GoRegex.compile("^blog-(?<value>[0-9]+)-.*$").matcher("blog-45-a1b2c3d");
        assertEquals(true, m.find());
        assertEquals("45", m.group("value"));
    }

    @Test
    void aPatternThatBacktracksForSecondsInJavaIsLinearHere() {
        // java.util.regex takes seconds on this for one 40-character tag; RE2 answers at once
        assertFalse(GoRegex.compile("(.*a){24}$").matcher("a".repeat(39) + "b").find());
    }
}
