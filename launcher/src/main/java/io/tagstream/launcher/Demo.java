package io.tagstream.launcher;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code ./tagstream demo}: the whole chain on this machine with nothing but a JDK, Debian's docker-registry and git.
 * It starts an embedded Kafka broker, a local registry that posts its push notifications to the poller, a local fleet
 * repository, and the four services; pushes a demo image; and shows the commit Tagstream made for it.
 */
public final class Demo {

    private static final String USAGE = """
            usage: ./tagstream demo [--data DIR] [--kafka-port N] [--base-port N] [--exit]
              --data DIR        where everything goes (default .tagstream/demo; wiped at start)
              --kafka-port N    port of the embedded broker (default 9092)
              --base-port N     services listen on N+1..N+6 (default 8080: poller 8081 … notifier 8085, console 8086)
              --exit            stop after showing the commit instead of running until Ctrl-C
            """;
    static final String TOKEN = "demo-webhook-token";

    private Demo() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = new HashMap<>();
        boolean exit = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--exit")) {
                exit = true;
            } else if (args[i].equals("--help") || args[i].equals("-h")) {
                System.out.print(USAGE);
                return;
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                flags.put(args[i].substring(2), args[++i]);
            } else {
                System.err.println("tagstream demo: unexpected argument '" + args[i] + "'");
                System.err.print(USAGE);
                System.exit(2);
            }
        }
        Path root = Path.of(System.getProperty("tagstream.root", ".")).toAbsolutePath().normalize();
        Path data = Optional.ofNullable(flags.get("data")).map(Path::of).orElse(root.resolve(".tagstream/demo")).toAbsolutePath();
        int kafkaPort = Integer.parseInt(flags.getOrDefault("kafka-port", "9092"));
        int base = Integer.parseInt(flags.getOrDefault("base-port", "8080"));
        Map<String, Integer> ports = Chain.WITH_CONSOLE.stream().collect(Collectors.toMap(Chain.Service::name, s -> base + s.defaultPort() - 8080));

        wipe(data);
        Files.createDirectories(data);
        List<AutoCloseable> stack = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closeAll(stack);
            stopped.countDown();
        }, "tagstream-demo-stop"));

        int pollerPort = ports.get("registry-poller");
        Process registry = startRegistry(data.resolve("registry"), pollerPort);
        stack.add(0, () -> stop(registry));
        String registryHost = "127.0.0.1:" + registryPort(data.resolve("registry"));
        String image = registryHost + "/demo/app";
        step("registry   " + image + " (docker-registry, notifications to the poller)");
        push(image + ":1.0.0", "1.0.0", data.resolve("jib"));

        Path fleet = data.resolve("git/fleet.git");
        seedFleet(fleet, data.resolve("git/seed"), image + ":1.0.0");
        step("fleet repo " + fleet + " (apps/demo/deployment.yaml runs " + image + ":1.0.0)");

        // a generic webhook, as a Flux Provider names one: the notifier tells it of the selection and the commit
        java.util.concurrent.BlockingQueue<String> told = new java.util.concurrent.LinkedBlockingQueue<>();
        com.sun.net.httpserver.HttpServer hook = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/flux", x -> {
            told.add(new String(x.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        hook.start();
        stack.add(0, () -> hook.stop(0));
        String hookUrl = "http://127.0.0.1:" + hook.getAddress().getPort() + "/flux";
        step("webhook    " + hookUrl + " (a generic Flux Provider; an Alert sends it the demo's events)");

        Path config = writeConfig(data, image, "file://" + fleet, hookUrl);
        Chain chain;
        try {
            chain = Chain.start(new Chain.Options(root, config, data.resolve("run"),
                Optional.ofNullable(System.getenv("KAFKA_BOOTSTRAP_SERVERS")).filter(s -> !s.isBlank()), kafkaPort, ports,
                Map.of("TAGSTREAM_SECRETS_DIR", data.resolve("secrets").toString(),
                        "TAGSTREAM_GIT_WORKDIR", data.resolve("clones").toString()),
                Chain.WITH_CONSOLE.stream().map(Chain.Service::name).toList()));
        } catch (Chain.PortsTaken e) {
            System.err.println("tagstream demo: " + e.getMessage());
            System.exit(1);
            return;
        }
        stack.add(0, chain);
        Duration took;
        try {
            took = chain.awaitHealthy(Duration.ofSeconds(120));
        } catch (IllegalStateException e) {
            System.err.println("tagstream demo: " + e.getMessage());
            System.exit(1);
            return;
        }
        chain.reportExits("tagstream demo");
        step("Kafka      " + chain.bootstrapServers() + "; five services and the console UP in " + took.toMillis() / 1000.0 + " s");

        String before = git(fleet, "rev-parse", "main").trim();
        long pushed = System.nanoTime();
        String digest = push(image + ":1.1.0", "1.1.0", data.resolve("jib"));
        step("pushed     " + image + ":1.1.0@" + digest);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (git(fleet, "rev-parse", "main").trim().equals(before)) {
            if (System.nanoTime() > deadline) {
                System.err.println("tagstream demo: no commit within 90 s; logs in " + data.resolve("run/logs"));
                System.exit(1);
            }
            Thread.sleep(100);
        }
        step("committed  " + (System.nanoTime() - pushed) / 1_000_000 + " ms after the push:");
        System.out.println();
        System.out.println(git(fleet, "log", "-p", "-1", "main"));
        String sha = git(fleet, "rev-parse", "main").trim();
        long toldBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String commitEvent = null;
        while (commitEvent == null && System.nanoTime() < toldBy) {
            String body = told.poll(200, TimeUnit.MILLISECONDS);
            if (body != null && body.contains("pushed commit '" + sha.substring(0, 7))) {
                commitEvent = body;
            }
        }
        if (commitEvent == null) {
            step("notified   nothing within 20 s; the notifier's log is in " + data.resolve("run/logs/notifier.log"));
        } else {
            step("notified   " + hookUrl + " received Flux's event for the commit:");
            System.out.println("  " + commitEvent);
        }
        System.out.println();
        System.out.println("console: " + chain.url("console") + "/   (open it in a browser: registries, policies, promotions,"
                + " automations and the live audit)");
        System.out.println("status:");
        System.out.println("  registry-poller   " + chain.url("registry-poller") + "/api/v1/repositories");
        System.out.println("  policy-evaluator  " + chain.url("policy-evaluator") + "/api/v1/policies");
        System.out.println("  promoter          " + chain.url("promoter") + "/api/v1/promotions");
        System.out.println("  git-writer        " + chain.url("git-writer") + "/api/v1/automations");
        System.out.println("  notifier          " + chain.url("notifier") + "/api/v1/alerts");
        System.out.println("  health, metrics, OpenAPI: <service>/q/health, /q/metrics, /q/openapi");
        System.out.println("audit:  kcat -C -b " + chain.bootstrapServers() + " -t tagstream.audit -f '%s\\n'");
        // the hint waits for Tagstream's commit before showing it
        System.out.println("again:  before=$(git --git-dir " + fleet + " rev-parse main) && skopeo copy --src-tls-verify=false"
                + " --dest-tls-verify=false docker://" + image + ":1.1.0 docker://" + image + ":1.2.0"
                + " && until [ \"$(git --git-dir " + fleet + " rev-parse main)\" != \"$before\" ]; do sleep 0.2; done"
                + " && git --git-dir " + fleet + " log -p -1");
        System.out.println("config: " + config + "   logs: " + data.resolve("run/logs"));
        if (exit) {
            System.exit(0); // the shutdown hook stops everything
        }
        System.out.println("Ctrl-C stops everything.");
        stopped.await();
    }

    private static void step(String s) {
        System.out.println("demo: " + s);
    }

    private static Process startRegistry(Path dir, int pollerPort) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        for (int attempt = 0; ; attempt++) {
            int port = freePort();
            Files.writeString(dir.resolve("port"), String.valueOf(port));
            Files.writeString(dir.resolve("config.yml"), """
                    version: 0.1
                    log: {level: warn, accesslog: {disabled: true}}
                    storage:
                      filesystem: {rootdirectory: %s}
                      delete: {enabled: true}
                    http: {addr: '127.0.0.1:%d'}
                    notifications:
                      endpoints:
                        - name: tagstream
                          url: http://127.0.0.1:%d/api/v1/webhooks/distribution/flux-system/registry
                          headers: {Authorization: [Bearer %s]}
                          timeout: 2s
                          threshold: 5
                          backoff: 1s
                          ignoredmediatypes: [application/octet-stream]
                    """.formatted(dir.resolve("data"), port, pollerPort, TOKEN));
            Process p;
            try {
                p = new ProcessBuilder("docker-registry", "serve", dir.resolve("config.yml").toString())
                        .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
                Files.writeString(dir.resolve("pid"), String.valueOf(p.pid()));
            } catch (IOException e) {
                throw new IllegalStateException("docker-registry is not installed (sudo apt-get install docker-registry)", e);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (p.isAlive() && System.nanoTime() < deadline) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return p;
                } catch (IOException e) {
                    Thread.sleep(50);
                }
            }
            stop(p);
            if (attempt == 2) {
                throw new IllegalStateException("docker-registry did not start; see " + dir.resolve("registry.log"));
            }
        }
    }

    private static int registryPort(Path dir) throws IOException {
        return Integer.parseInt(Files.readString(dir.resolve("port")).trim());
    }

    /** A one-layer image, built and pushed with Jib; returns its digest. */
    private static String push(String ref, String version, Path work) throws Exception {
        Files.createDirectories(work);
        Path file = work.resolve("version.txt");
        Files.writeString(file, "demo " + version + "\n");
        JibContainer c = Jib.fromScratch()
                .addFileEntriesLayer(FileEntriesLayer.builder().addEntry(file, AbsoluteUnixPath.get("/version.txt")).build())
                .setEntrypoint(List.of("/app"))
                .containerize(Containerizer.to(RegistryImage.named(ImageReference.parse(ref)))
                        .setAllowInsecureRegistries(true)
                        .setApplicationLayersCache(work.resolve("cache"))
                        .setBaseImageLayersCache(work.resolve("base-cache")));
        return c.getDigest().toString();
    }

    private static void seedFleet(Path bare, Path work, String image) throws IOException {
        Files.createDirectories(bare.getParent());
        git(null, "init", "-q", "--bare", "-b", "main", bare.toString());
        git(null, "clone", "-q", bare.toString(), work.toString());
        Path file = work.resolve("apps/demo/deployment.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: demo
                spec:
                  template:
                    spec:
                      containers:
                        - name: app
                          image: %s # {"$imagepolicy": "flux-system:demo-app"}
                """.formatted(image));
        gitIn(work, "add", ".");
        gitIn(work, "-c", "user.name=you", "-c", "user.email=you@example.com", "commit", "-q", "-m", "Run the demo app");
        gitIn(work, "push", "-q", "origin", "main");
    }

    private static Path writeConfig(Path data, String image, String fleetUrl, String hookUrl) throws IOException {
        Path dir = Files.createDirectories(data.resolve("config"));
        Files.writeString(dir.resolve("demo.yaml"), """
                # The demo's configuration: Flux's kinds, read unchanged.
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: demo-app, namespace: flux-system}
                spec: {image: '%s', interval: 1m, insecure: true}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: demo-app, namespace: flux-system}
                spec:
                  imageRepositoryRef: {name: demo-app}
                  policy: {semver: {range: '>=1.0.0'}}
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1
                kind: Receiver
                metadata: {name: registry, namespace: flux-system}
                spec:
                  type: distribution
                  secretRef: {name: webhook-token}
                  resources: [{kind: ImageRepository, name: demo-app}]
                ---
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: fleet, namespace: flux-system}
                spec: {url: '%s', ref: {branch: main}}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageUpdateAutomation
                metadata: {name: demo, namespace: flux-system}
                spec:
                  sourceRef: {kind: GitRepository, name: fleet}
                  git:
                    checkout: {ref: {branch: main}}
                    commit:
                      author: {name: tagstream-demo, email: demo@tagstream.invalid}
                      messageTemplate: |-
                        chore: update demo image

                        {{ range $file, $objects := .Changed.FileChanges -}}
                        {{ range $_, $changes := $objects }}{{ range $changes -}}
                        {{ $file }}: {{ .OldValue }} -> {{ .NewValue }}
                        {{ end }}{{ end }}{{ end -}}
                    push: {branch: main}
                  update: {path: ./apps, strategy: Setters}
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Provider
                metadata: {name: demo-webhook, namespace: flux-system}
                spec: {type: generic, address: '%s'}
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Alert
                metadata: {name: demo, namespace: flux-system}
                spec:
                  providerRef: {name: demo-webhook}
                  eventSources: [{kind: ImagePolicy, name: '*'}, {kind: ImageUpdateAutomation, name: '*'}]
                """.formatted(image, fleetUrl, hookUrl));
        Path secret = Files.createDirectories(data.resolve("secrets/flux-system/webhook-token"));
        Files.writeString(secret.resolve("token"), TOKEN);
        return dir;
    }

    public static String git(Path gitDir, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        if (gitDir != null) {
            cmd.add("--git-dir=" + gitDir);
        }
        cmd.addAll(List.of(args));
        return run(cmd, null);
    }

    private static String gitIn(Path work, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.addAll(List.of(args));
        return run(cmd, work);
    }

    private static String run(List<String> cmd, Path dir) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            pb.environment().put("GIT_PAGER", "cat");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out.trim());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeAll(List<AutoCloseable> stack) {
        for (AutoCloseable c : stack) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("warning: " + e.getMessage());
            }
        }
    }

    private static void wipe(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        // a demo killed outright (SIGKILL) leaves its children running: stop them before taking their ports again
        for (Path pids : List.of(dir.resolve("run/pids"), dir.resolve("registry/pid"))) {
            if (Files.exists(pids)) {
                for (String line : Files.readAllLines(pids)) {
                    if (!line.isBlank()) {
                        ProcessHandle.of(Long.parseLong(line.trim())).ifPresent(h -> {
                            h.destroy();
                            h.onExit().completeOnTimeout(h, 20, TimeUnit.SECONDS).join();
                        });
                    }
                }
            }
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
