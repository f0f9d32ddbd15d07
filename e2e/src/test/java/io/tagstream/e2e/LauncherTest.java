package io.tagstream.e2e;

import io.tagstream.launcher.Chain;
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
        int base = Ports.freeRun(7); // base+1 … base+6: the five services and the console
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
            for (int i = 1; i <= 6; i++) {
                var res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (base + i) + "/q/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, res.statusCode(), res.body());
                assertTrue(res.body().contains("\"status\": \"UP\"") || res.body().contains("\"status\":\"UP\""), res.body());
            }
            List<ProcessHandle> children = up.toHandle().descendants().toList();
            assertEquals(7, children.size(), "kafka, five services and the console: " + children);

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

    /** {@code ./tagstream up} with these arguments; its combined output is read by the caller. */
    static Process up(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("../tagstream", "up"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("TAGSTREAM_SKIP_BUILD", "1");
        pb.environment().remove("KAFKA_BOOTSTRAP_SERVERS");
        return pb.start();
    }

    static String finish(Process p, int seconds) throws Exception {
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), "did not exit within " + seconds + " s");
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void aTakenPortIsNamedWithTheOptionThatChangesItAndNothingStarts() throws Exception {
        int kafkaPort = Ports.freeRun(2);
        int base = Ports.freeRun(7); // base+1 … base+6: the five services and the console
        try (java.net.ServerSocket other = new java.net.ServerSocket(base + 3, 50, java.net.InetAddress.getLoopbackAddress())) {
            Process up = up("--config", "../docs/examples/tazlab", "--data", Path.of("target/launcher-ports").toAbsolutePath()
                    .toString(), "--kafka-port", String.valueOf(kafkaPort), "--base-port", String.valueOf(base));
            String out = finish(up, 60);
            assertEquals(1, up.exitValue(), out);
            assertTrue(out.contains("port " + (base + 3) + " for promoter (change the services' ports with --base-port N)"), out);
            assertTrue(!out.contains("UP"), out);
            assertTrue(Chain.free(kafkaPort), "no Kafka was left running");
        }
    }

    @Test
    void aConfigurationThatDoesNotLoadStopsTheStartWithTheLoadersMessage() throws Exception {
        Path config = java.nio.file.Files.createDirectories(Path.of("target/launcher-bad-config").toAbsolutePath());
        java.nio.file.Files.writeString(config.resolve("policy.yaml"), """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: app, namespace: flux-system}
                spec: {image: registry.example/app, interval: 1m}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: app, namespace: flux-system}
                spec:
                  imageRepositoryRef: {name: app}
                  policy:
                    semver: {range: '>=9x'}
                """);
        Process up = up("--config", config.toString(), "--kafka-port", String.valueOf(Ports.freeRun(2)),
                "--base-port", String.valueOf(Ports.freeRun(7)));
        String out = finish(up, 60);
        assertEquals(1, up.exitValue(), out);
        assertTrue(out.contains("ImagePolicy flux-system/app: policy.semver.range '>=9x' is not a valid semver range "
                + "('9x' is not a version) (policy.yaml:12)"), out);
        assertTrue(!out.contains("Exception"), out);
    }

    @Test
    void kafkaDyingStopsTheStackWithAnError() throws Exception {
        int kafkaPort = Ports.freeRun(2);
        int base = Ports.freeRun(7); // base+1 … base+6: the five services and the console
        Path data = Path.of("target/launcher-kafka").toAbsolutePath();
        Process up = up("--config", "../docs/examples/tazlab", "--data", data.toString(), "--kafka-port",
                String.valueOf(kafkaPort), "--base-port", String.valueOf(base));
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8));
            List<String> output = new ArrayList<>();
            String line;
            while ((line = r.readLine()) != null && !line.startsWith("Ctrl-C stops everything")) {
                output.add(line);
            }
            assertTrue(up.isAlive(), String.join("\n", output));
            // the launcher's pid file lists the embedded broker first
            long kafkaPid = Long.parseLong(java.nio.file.Files.readAllLines(data.resolve("pids")).get(0).trim());
            ProcessHandle kafka = ProcessHandle.of(kafkaPid).orElseThrow();
            assertTrue(kafka.parent().map(p -> p.pid() == up.pid()).orElse(false) || up.toHandle().descendants()
                    .anyMatch(h -> h.pid() == kafkaPid), "the broker is the launcher's child");
            List<ProcessHandle> children = up.toHandle().descendants().toList();
            kafka.destroyForcibly();
            assertTrue(up.waitFor(60, TimeUnit.SECONDS), "the launcher went on without Kafka");
            String rest = new String(up.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(1, up.exitValue(), rest);
            assertTrue(rest.contains("tagstream: kafka exited"), rest);
            for (ProcessHandle c : children) {
                c.onExit().get(30, TimeUnit.SECONDS);
            }
        } finally {
            up.descendants().forEach(ProcessHandle::destroyForcibly);
            up.destroyForcibly();
        }
    }
}
