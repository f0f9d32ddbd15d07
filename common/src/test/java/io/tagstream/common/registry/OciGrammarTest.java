package io.tagstream.common.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class OciGrammarTest {

    record Row(String name, boolean tag, boolean digest) {}

    @Test
    void tagsAndDigestsFollowTheDistributionSpec() {
        List<Row> rows = List.of(
                new Row("1.0.29", true, false),
                new Row("blog-45-a1b2c3d", true, false),
                new Row("sha256-" + "a".repeat(64) + ".sig", true, false),
                new Row("_private", true, false),
                new Row("x".repeat(128), true, false),
                new Row("x".repeat(129), false, false),
                new Row(".hidden", false, false),
                new Row("-dash", false, false),
                new Row("zz?phantom", false, false),
                new Row("zz?x=../../", false, false),
                new Row("../../../etc/passwd", false, false),
                new Row("a/b", false, false),
                new Row("line\nbreak", false, false),
                new Row("", false, false),
                new Row("sha256:" + "a".repeat(64), false, true),
                new Row("sha512:" + "b".repeat(128), false, true),
                new Row("sha256:abc", false, false),
                new Row("sha256:" + "a".repeat(64) + "/x", false, false));
        for (Row r : rows) {
            assertEquals(r.tag(), OciGrammar.isTag(r.name()), "tag " + r.name());
            assertEquals(r.digest(), OciGrammar.isDigest(r.name()), "digest " + r.name());
        }
    }

    @Test
    void problemsNameTheInputPrintablyAndShort() {
        assertEquals("'zz?phantom' is not a valid tag (letters, digits, _ . -, not starting with . or -, at most 128 characters)",
                OciGrammar.tagProblem("zz?phantom").orElseThrow());
        assertTrue(OciGrammar.tagProblem("a\nforged log line").orElseThrow().contains("a\\u000aforged"));
        assertTrue(OciGrammar.tagProblem("x".repeat(100_000)).orElseThrow().contains("…(100000 characters)"));
        assertEquals(java.util.Optional.empty(), OciGrammar.referenceProblem("sha256:" + "a".repeat(64)));
    }
}
