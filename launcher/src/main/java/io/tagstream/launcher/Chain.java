package io.tagstream.launcher;

import io.tagstream.common.config.ResourceId;
import io.tagstream.common.events.Topic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The whole chain as processes: Kafka (unless one is given) and the five services, each with its own log file under
 * the data directory. {@link #close()} stops them all; a pid file lets the next start clean up after a launcher that
 * was killed outright.
 */
public final class Chain implements AutoCloseable {

    /** One service: its module directory name and default HTTP port. */
    public record Service(String name, int defaultPort) {}

    public static final List<Service> SERVICES = List.of(
            new Service("registry-poller", 8081),
            new Service("policy-evaluator", 8082),
            new Service("promoter", 8083),
            new Service("git-writer", 8084),
            new Service("notifier", 8085));

    /** The web console: reads the topics, acts through the services above with its user's token. */
    public static final Service CONSOLE = new Service("console", 8086);

    /** Every process {@code ./tagstream up} and {@code demo} start: the chain's services and the console. */
    public static final List<Service> WITH_CONSOLE = java.util.stream.Stream.concat(SERVICES.stream(), java.util.stream.Stream.of(CONSOLE))
            .toList();

    /** What to start. */
    public record Options(
            Path root,
            Path configDir,
            Path dataDir,
            Optional<String> externalKafka,
            int kafkaPort,
            Map<String, Integer> ports,
            Map<String, String> env,
            List<String> services) {}

    private final Options options;
    private final Map<String, Process> processes = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, Integer> instancePorts = new java.util.concurrent.ConcurrentHashMap<>();
    private KafkaProcess kafka;
    private String bootstrap;
    private volatile boolean closing;
    private Optional<io.tagstream.common.config.TagstreamConfig> configAtStart;

    /**
     * The configuration as the chain starts, for {@link ChildSecrets}; empty when it does not load (the services say
     * why, and each child then gets every secret variable, so that a fixed configuration works without a restart).
     */
    private synchronized Optional<io.tagstream.common.config.TagstreamConfig> configAtStart() {
        if (configAtStart == null) {
            try {
                configAtStart = Optional.of(new io.tagstream.common.config.ConfigLoader().load(options.configDir()).config());
            } catch (RuntimeException e) {
                configAtStart = Optional.empty();
            }
        }
        return configAtStart;
    }

    private Chain(Options options) {
        this.options = options;
    }

    public static Chain start(Options options) {
        Chain c = new Chain(options);
        try {
            c.launch();
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void launch() {
        try {
            Files.createDirectories(options.dataDir().resolve("logs"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        killLeftovers();
        checkPortsFree();
        if (options.externalKafka().isPresent()) {
            bootstrap = options.externalKafka().get();
        } else {
            kafka = new KafkaProcess(options.dataDir().resolve("kafka"), options.kafkaPort(), options.kafkaPort() + 1);
            kafka.start();
            bootstrap = kafka.bootstrapServers();
        }
        Map<String, Integer> topics = new LinkedHashMap<>();
        for (Topic t : Topic.values()) {
            topics.put(t.defaultName(), 3);
        }
        KafkaProcess.createTopics(bootstrap, topics);
        for (Service s : WITH_CONSOLE) {
            if (options.services().contains(s.name())) {
                startService(s);
            }
        }
        writePids();
    }

    /**
     * Every port this chain will listen on must be free before anything starts: otherwise a health check could be
     * answered by another program (another stack's service) and its Kafka could receive this chain's records.
     */
    private void checkPortsFree() {
        Map<Integer, String> wanted = new LinkedHashMap<>();
        List<String> taken = new ArrayList<>();
        java.util.function.BiConsumer<Integer, String> want = (port, what) -> {
            String other = wanted.putIfAbsent(port, what);
            if (other != null) {
                taken.add("port " + port + " is given to both " + other + " and " + what);
            }
        };
        if (options.externalKafka().isEmpty()) {
            want.accept(options.kafkaPort(), "Kafka (change it with --kafka-port N)");
            want.accept(options.kafkaPort() + 1, "Kafka's controller (--kafka-port N uses N+1; change N)");
        }
        for (Service s : SERVICES) {
            if (options.services().contains(s.name())) {
                want.accept(port(s), s.name() + " (change the services' ports with --base-port N)");
            }
        }
        wanted.forEach((port, what) -> {
            if (!free(port)) {
                taken.add("port " + port + " for " + what);
            }
        });
        if (!taken.isEmpty()) {
            throw new PortsTaken("already in use by another program, or twice: " + String.join("; ", taken));
        }
    }

    /** Ports the chain needs are taken; nothing was started. */
    public static final class PortsTaken extends IllegalStateException {
        PortsTaken(String message) {
            super(message);
        }
    }

    public static boolean free(int port) {
        try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new java.net.InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            return false;
        }
        // a listener on all interfaces (0.0.0.0) may leave the loopback bind possible on some systems: ask it
        try (java.net.Socket probe = new java.net.Socket()) {
            probe.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * Reports, at once and once each, a child that exits while the chain runs: {@code onExit} gets its name
     * ({@code kafka} for the embedded broker), its exit code and its log file. Stopping a service through this class
     * is not reported.
     */
    public void watch(WatchListener onExit) {
        Thread t = new Thread(() -> {
            java.util.Set<Object> reported = new java.util.HashSet<>();
            while (!Thread.currentThread().isInterrupted() && !closing) {
                if (!closing && kafka != null && !kafka.isAlive() && reported.add(kafka)) {
                    onExit.exited("kafka", -1, kafka.directory().resolve("kafka.log"));
                }
                List<Map.Entry<String, Process>> running;
                synchronized (processes) {
                    running = new ArrayList<>(processes.entrySet());
                }
                for (var e : running) {
                    if (!closing && !e.getValue().isAlive() && processes.get(e.getKey()) == e.getValue() && reported.add(e.getValue())) {
                        onExit.exited(e.getKey(), e.getValue().exitValue(), options.dataDir().resolve("logs/" + e.getKey() + ".log"));
                    }
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException ex) {
                    return;
                }
            }
        }, "tagstream-watch");
        t.setDaemon(true);
        t.start();
    }

    /**
     * The launchers' watch: a child that exits is reported on stderr, prefixed {@code who}; without Kafka the chain
     * cannot run, so its death ends the process with exit code 1 (the shutdown hook stops the services).
     */
    public void reportExits(String who) {
        watch((child, code, log) -> {
            System.err.println(who + ": " + child + " exited" + (code >= 0 ? " with " + code : "") + "; see " + log);
            if (child.equals("kafka")) {
                System.err.println(who + ": without Kafka the chain cannot run; stopping");
                System.exit(1);
            }
        });
    }

    /** What {@link #watch} calls when a child exits. */
    @FunctionalInterface
    public interface WatchListener {
        void exited(String child, int exitCode, Path log);
    }

    /**
     * Whether the children run with access control off: yes, unless whoever started the chain configured it
     * ({@code TAGSTREAM_AUTH_*} in the environment). A chain on one machine for a demo or a try-out needs no identity
     * provider; the launcher says so when it starts.
     */
    public static boolean localDevelopment(Map<String, String> env) {
        return env.keySet().stream().noneMatch(k -> k.startsWith("TAGSTREAM_AUTH_"))
                || "true".equals(env.get("TAGSTREAM_AUTH_LOCAL_DEVELOPMENT"));
    }

    /** Starts (or restarts) one service process. */
    public void startService(Service s) {
        startInstance(s, s.name(), port(s));
    }

    /** Starts another process of a service (a second pod), named {@code instance}, on its own HTTP port. */
    public void startInstance(Service s, String instance, int port) {
        instancePorts.put(instance, port);
        Path jar = options.root().resolve(s.name()).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build with ./mvnw install -DskipTests");
        }
        Path tmp = options.dataDir().resolve("tmp").resolve(instance);
        try {
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // the services' caches (Vert.x, Quarkus) stay in the data directory, not in the machine's /tmp
        List<String> cmd = List.of(javaBinary(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Djava.io.tmpdir=" + tmp, "-jar", jar.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(options.dataDir().resolve("logs/" + instance + ".log").toFile()));
        Map<String, String> env = pb.environment();
        env.putAll(options.env());
        if (!instance.equals(s.name()) && env.containsKey("TAGSTREAM_GIT_WORKDIR")) {
            // each pod has a working directory of its own (an emptyDir in Kubernetes)
            env.put("TAGSTREAM_GIT_WORKDIR", Path.of(env.get("TAGSTREAM_GIT_WORKDIR")).resolve(instance).toString());
        }
        if (localDevelopment(env)) {
            env.put("TAGSTREAM_AUTH_LOCAL_DEVELOPMENT", "true");
        }
        configAtStart().ifPresent(cfg -> {
            Set<ResourceId> uses = new HashSet<>(
                    ChildSecrets.uses(s.name(), cfg, Optional.ofNullable(env.get("TAGSTREAM_AUTH_TOKENS_SECRET"))));
            uses.addAll(ChildSecrets.fromEnvironment(s.name(), env));
            ChildSecrets.restrict(env, uses);
        });
        if (s.equals(CONSOLE)) {
            // the console calls the chain's services on the user's behalf, and its own pages write from its origin
            env.put("TAGSTREAM_CONSOLE_POLLER_URL", url("registry-poller"));
            env.put("TAGSTREAM_CONSOLE_EVALUATOR_URL", url("policy-evaluator"));
            env.put("TAGSTREAM_CONSOLE_PROMOTER_URL", url("promoter"));
            env.put("TAGSTREAM_CONSOLE_GIT_WRITER_URL", url("git-writer"));
            String own = "http://127.0.0.1:" + port + ",http://localhost:" + port;
            env.merge("TAGSTREAM_AUTH_ALLOWED_ORIGINS", own, (a, b) -> a.isBlank() ? b : a + "," + b);
        }
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("TAGSTREAM_CONFIG_DIR", options.configDir().toAbsolutePath().toString());
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        // a service run on this machine listens on loopback only, unless told otherwise (pods keep 0.0.0.0)
        env.putIfAbsent("QUARKUS_HTTP_HOST", "127.0.0.1");
        try {
            processes.put(instance, pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + instance, e);
        }
        writePids();
    }

    /** Starts a stopped instance of a service again, on the port it had. */
    public void restartInstance(Service s, String instance) {
        startInstance(s, instance, instancePorts.getOrDefault(instance, port(s)));
    }

    public int port(Service s) {
        return options.ports().getOrDefault(s.name(), s.defaultPort());
    }

    /** The base URL of a service, or of a further instance started with {@link #startInstance}. */
    public String url(String service) {
        Integer port = instancePorts.get(service);
        return "http://127.0.0.1:" + (port != null ? port : port(service(service)));
    }

    public static Service service(String name) {
        return WITH_CONSOLE.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service " + name));
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    public Optional<KafkaProcess> kafka() {
        return Optional.ofNullable(kafka);
    }

    public Optional<Process> process(String service) {
        return Optional.ofNullable(processes.get(service));
    }

    /** Waits until every started service answers {@code /q/health} with UP; fails naming those that did not. */
    public Duration awaitHealthy(Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        List<String> waiting = new ArrayList<>(processes.keySet());
        while (!waiting.isEmpty() && System.nanoTime() < deadline) {
            for (String name : List.copyOf(waiting)) {
                Process p = processes.get(name);
                if (!p.isAlive()) {
                    throw new IllegalStateException(name + " exited with " + p.exitValue() + "; see "
                            + options.dataDir().resolve("logs/" + name + ".log"));
                }
                try {
                    var r = http.send(HttpRequest.newBuilder(URI.create(url(name) + "/q/health")).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200 && r.body().contains("\"UP\"")) {
                        waiting.remove(name);
                    }
                } catch (IOException e) {
                    // not listening yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            if (!waiting.isEmpty()) {
                sleep(250);
            }
        }
        if (!waiting.isEmpty()) {
            throw new IllegalStateException("not healthy within " + timeout + ": " + waiting + " (logs in "
                    + options.dataDir().resolve("logs") + ")");
        }
        // UP counts only from a child still running: a child that could not bind its port exits soon after starting
        sleep(300);
        synchronized (processes) {
            for (var e : processes.entrySet()) {
                if (!e.getValue().isAlive()) {
                    throw new IllegalStateException(e.getKey() + " exited with " + e.getValue().exitValue() + "; see "
                            + options.dataDir().resolve("logs/" + e.getKey() + ".log"));
                }
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Stops one service; {@code kill} = SIGKILL, as a node failure would. */
    public void stopService(String name, boolean kill) {
        Process p = processes.remove(name);
        if (p != null) {
            stop(p, kill);
        }
        writePids();
    }

    private static void stop(Process p, boolean kill) {
        if (kill) {
            p.destroyForcibly();
        } else {
            p.destroy();
        }
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closing = true;
        synchronized (processes) {
            processes.values().forEach(Process::destroy); // all at once: they shut down in parallel
        }
        for (String name : List.copyOf(processes.keySet())) {
            stop(processes.remove(name), false);
        }
        if (kafka != null) {
            kafka.close();
        }
        try {
            Files.deleteIfExists(pidFile());
        } catch (IOException e) {
            // the next start cleans up
        }
    }

    private Path pidFile() {
        return options.dataDir().resolve("pids");
    }

    private void writePids() {
        List<Long> pids = new ArrayList<>();
        if (kafka != null && kafka.isAlive()) {
            pids.add(kafka.pid());
        }
        synchronized (processes) {
            processes.values().stream().filter(Process::isAlive).forEach(p -> pids.add(p.pid()));
        }
        try {
            Files.writeString(pidFile(), pids.stream().map(String::valueOf).collect(Collectors.joining("\n")) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A launcher killed with SIGKILL leaves its children running; stop them before binding the same ports. */
    private void killLeftovers() {
        Path f = pidFile();
        if (!Files.exists(f)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(f)) {
                if (line.isBlank()) {
                    continue;
                }
                ProcessHandle.of(Long.parseLong(line.trim()))
                        .filter(h -> h.info().command().map(c -> c.endsWith("java")).orElse(false))
                        .ifPresent(h -> {
                            h.destroy();
                            h.onExit().orTimeout(20, TimeUnit.SECONDS).exceptionally(t -> {
                                h.destroyForcibly();
                                return h;
                            }).join();
                        });
            }
            Files.delete(f);
        } catch (IOException | RuntimeException e) {
            System.err.println("warning: could not clean up processes listed in " + f + ": " + e.getMessage());
        }
    }

    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
