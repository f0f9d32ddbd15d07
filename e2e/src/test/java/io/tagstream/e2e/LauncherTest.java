package io.tagstream.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.testkit.Ports;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's run command: every service healthy within 90 s, and Ctrl-C leaves no process behind. */
class LauncherTest {

    @Test
    void upBringsAllServicesUpAndCtrlCStopsEverything() throws Exception {
        int kafkaPort = Ports.freeRun(2);
        int base = Ports.freeRun(5);
        Path data = Path.of("target/launcher-test").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder("../tagstream", "up", "--config", "../docs/examples/tazlab",
                "--data", data.toString(), "--kafka-port", String.valueOf(kafkaPort), "--base-port", String.valueOf(base))
                .redirectErrorStream(true);
        pb.environment().put("TAGSTREAM_SKIP_BUILD", "1");
        pb.environment().remove("KAFKA_BOOTSTRAP_SERVERS");
        Process up = pb.start();
        List<String> output = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(100);
            String line;
            while (System.nanoTime() < deadline && (line = r.readLine()) != null) {
                output.add(line);
                if (line.startsWith("Ctrl-C stops everything")) {
                    break;
                }
            }
            assertTrue(output.stream().anyMatch(l -> l.startsWith("all services UP in")), String.join("\n", output));
            double seconds = output.stream().filter(l -> l.startsWith("all services UP in"))
                    .map(l -> Double.parseDouble(l.replaceAll("[^0-9.]", ""))).findFirst().orElseThrow();
            assertTrue(seconds <= 90, "took " + seconds + " s");

            HttpClient http = HttpClient.newHttpClient();
            for (int i = 1; i <= 4; i++) {
                var res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (base + i) + "/q/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, res.statusCode(), res.body());
                assertTrue(res.body().contains("\"status\": \"UP\"") || res.body().contains("\"status\":\"UP\""), res.body());
            }
            List<ProcessHandle> children = up.toHandle().descendants().toList();
            assertEquals(5, children.size(), "kafka and four services: " + children);

            new ProcessBuilder("kill", "-INT", String.valueOf(up.pid())).start().waitFor();
            assertTrue(up.waitFor(60, TimeUnit.SECONDS), "launcher did not exit after Ctrl-C");
            for (ProcessHandle c : children) {
                c.onExit().get(30, TimeUnit.SECONDS);
                assertTrue(!c.isAlive(), "left behind: " + c.pid() + " " + c.info().commandLine().orElse(""));
            }
        } finally {
            up.descendants().forEach(ProcessHandle::destroyForcibly);
            up.destroyForcibly();
        }
    }
}
