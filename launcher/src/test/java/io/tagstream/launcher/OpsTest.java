package io.tagstream.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.common.events.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CLI's own parts: tables, the services' error words, usage and an unreachable service (the rest is in e2e). */
class OpsTest {

    @Test
    void tablesPadColumnsAndCutLongCells() {
        String t = Ops.table(List.of(List.of("ID", "IMAGE"), List.of("p-1", "r.example/" + "x".repeat(80)), List.of("p-22", "")));
        String[] lines = t.split("\n");
        assertEquals("  ID    IMAGE", lines[0]);
        assertEquals(2 + 4 + 2 + 60, lines[1].length(), lines[1]);
        assertTrue(lines[1].endsWith("…"));
        assertEquals("  p-22", lines[2], "no trailing blanks");
    }

    @Test
    void errorsAreTheServicesOwnWords() throws Exception {
        assertEquals("promotion p-1 was rejected already", Ops.reason("{\"error\":\"promotion p-1 was rejected already\"}"));
        assertEquals("Bad Gateway", Ops.reason("Bad Gateway"));
        assertEquals("approved by alice; signals qe-passed", Ops.gate(Json.mapper().readTree(
                "{\"approvals\":[\"alice\"],\"signals\":[\"qe-passed\"]}")));
        assertEquals("no approval yet", Ops.gate(Json.mapper().readTree("{\"approvals\":[],\"signals\":[]}")));
    }

    @Test
    void aMirrorsRowCountsItsTagsByStatusAndNamesWhatPruneTakesNext() throws Exception {
        JsonNode m = Json.mapper().readTree("{\"tags\":[{\"status\":\"copied\"},{\"status\":\"skipped\"},{\"status\":\"failed\"},"
                + "{\"status\":\"drifted\"}],\"prune\":[{\"destinationTag\":\"1.0.0\"},{\"destinationTag\":\"0.9.0\"},"
                + "{\"destinationTag\":\"0.8.0\"},{\"destinationTag\":\"0.7.0\"}]}");
        assertEquals(2, Ops.count(m, "copied", "overwritten", "skipped"));
        assertEquals(1, Ops.count(m, "failed"));
        assertEquals("1.0.0 0.9.0 0.8.0 …", Ops.pruneNext(m.path("prune")));
    }

    @Test
    void usageAndAnUnreachableServiceAreSaidPlainly() {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        Ops ops = new Ops(Map.of("TAGSTREAM_PROMOTER_URL", "http://127.0.0.1:1"), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, ops.run(List.of("approve")));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: ./tagstream status"));
        err.reset();
        assertEquals(1, ops.run(List.of("approve", "p-1")));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("promoter at http://127.0.0.1:1 cannot be reached")
                && err.toString(StandardCharsets.UTF_8).contains("TAGSTREAM_PROMOTER_URL"), err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(2, ops.run(List.of("approve", "../x")));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("is not a promotion id"));
    }
}
