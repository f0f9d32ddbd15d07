package io.tagstream.e2e;

import io.tagstream.launcher.Demo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.testkit.Ports;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's first command: a pushed demo image becomes a commit the demo shows, and nothing is left running. */
class DemoTest {

    @Test
    void theDemoPushesAnImageAndShowsTheCommitTagstreamMade() throws Exception {
        int base = Ports.freeRun(7); // base+1 … base+6: the five services and the console
        Path data = Path.of("target/demo-test").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder("../tagstream", "demo", "--exit", "--data", data.toString(),
                "--kafka-port", String.valueOf(Ports.freeRun(2)), "--base-port", String.valueOf(base)).redirectErrorStream(true);
        pb.environment().put("TAGSTREAM_SKIP_BUILD", "1");
        pb.environment().remove("KAFKA_BOOTSTRAP_SERVERS");
        Process demo = pb.start();
        List<ProcessHandle> children = List.of();
        try {
            String out = new String(demo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(demo.waitFor(180, TimeUnit.SECONDS));
            assertEquals(0, demo.exitValue(), out);
            assertTrue(out.contains("Author: tagstream-demo <demo@tagstream.invalid>"), out);
            assertTrue(out.lines().anyMatch(l -> l.matches("-\\s+image: 127\\.0\\.0\\.1:\\d+/demo/app:1\\.0\\.0 # \\{\"\\$imagepolicy\": \"flux-system:demo-app\"}")), out);
            assertTrue(out.lines().anyMatch(l -> l.matches("\\+\\s+image: 127\\.0\\.0\\.1:\\d+/demo/app:1\\.1\\.0 # \\{\"\\$imagepolicy\": \"flux-system:demo-app\"}")), out);
            // the demo's Alert told its generic webhook of the commit, in Flux's event shape
            assertTrue(out.lines().anyMatch(l -> l.contains("received Flux's event for the commit")), out);
            assertTrue(out.lines().anyMatch(l -> l.startsWith("  {\"involvedObject\":{\"kind\":\"ImageUpdateAutomation\",\"namespace\":"
                    + "\"flux-system\",\"name\":\"demo\"") && l.contains("\"message\":\"pushed commit '")), out);
            for (String api : List.of("/api/v1/repositories", "/api/v1/policies", "/api/v1/promotions", "/api/v1/automations",
                    "/api/v1/alerts")) {
                assertTrue(out.contains(api), out);
            }
            String oneLine = Demo.git(data.resolve("git/fleet.git"), "log", "--format=%an %s", "main");
            assertEquals(List.of("tagstream-demo chore: update demo image", "you Run the demo app"), oneLine.lines().toList());
        } finally {
            children = demo.descendants().toList();
            demo.destroyForcibly();
        }
        for (ProcessHandle c : children) {
            assertTrue(!c.isAlive(), "left behind: " + c.info().commandLine().orElse(""));
        }
        assertTrue(ProcessHandle.allProcesses().noneMatch(h -> h.info().commandLine().orElse("").contains(data.toString())),
                "no process of the demo is left");
    }
}
