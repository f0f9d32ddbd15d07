package io.tagstream.launcher;

import io.tagstream.common.config.ConfigException;
import io.tagstream.common.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/** {@code ./tagstream up --config DIR}: runs the chain in the foreground until Ctrl-C. */
public final class Launcher {

    private static final String USAGE = """
            usage: ./tagstream up --config DIR [--data DIR] [--kafka-port N] [--services a,b,...]
              --config DIR      directory of Flux/Tagstream YAML resources (e.g. docs/examples/tazlab)
              --data DIR        where Kafka data and service logs go (default .tagstream in the checkout)
              --kafka-port N    port of the embedded broker (default 9092; N+1 is its controller)
              --base-port N     services listen on N+1..N+6 (default 8080: poller 8081 … notifier 8085, console 8086)
              --services LIST   which services to start (default all, the console included)
            KAFKA_BOOTSTRAP_SERVERS set: use that broker instead of starting one.
            """;

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !args[0].equals("up")) {
            System.err.print(USAGE);
            System.exit(args.length == 0 || args[0].equals("--help") ? 0 : 2);
        }
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.print(USAGE);
            return;
        }
        Map<String, String> flags = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                fail("unexpected argument '" + args[i] + "'");
            }
            flags.put(args[i].substring(2), args[++i]);
        }
        Path config = Path.of(Optional.ofNullable(flags.get("config")).orElseGet(() -> fail("--config DIR is required")));
        if (!Files.isDirectory(config)) {
            fail("--config " + config + " is not a directory");
        }
        try {
            // the services would refuse it one by one; say so once, the way they would, before starting anything
            var load = new ConfigLoader().load(config);
            load.warnings().forEach(w -> System.err.println("tagstream: warning: " + w));
        } catch (ConfigException e) {
            System.err.println("tagstream: the configuration in " + config + " does not load:");
            e.errors().forEach(err -> System.err.println("  " + err));
            System.exit(1);
        }
        Path root = Path.of(System.getProperty("tagstream.root", ".")).toAbsolutePath().normalize();
        List<String> services = Optional.ofNullable(flags.get("services"))
                .map(s -> List.of(s.split(",")))
                .orElse(Chain.WITH_CONSOLE.stream().map(Chain.Service::name).toList());
        services.forEach(Chain::service);
        var options = new Chain.Options(root, config.toAbsolutePath(), Optional.ofNullable(flags.get("data")).map(Path::of).orElse(root.resolve(".tagstream")).toAbsolutePath(),
                Optional.ofNullable(System.getenv("KAFKA_BOOTSTRAP_SERVERS")).filter(s -> !s.isBlank()),
                Integer.parseInt(flags.getOrDefault("kafka-port", "9092")), ports(flags.get("base-port")), Map.of(), services);

        System.out.println("starting Tagstream with " + options.configDir() + " (services listen on 127.0.0.1)");
        Chain chain;
        try {
            chain = Chain.start(options);
        } catch (Chain.PortsTaken e) {
            System.err.println("tagstream: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nstopping Tagstream…");
            chain.close();
            stopped.countDown();
        }, "tagstream-stop"));
        Duration took;
        try {
            took = chain.awaitHealthy(Duration.ofSeconds(90));
        } catch (IllegalStateException e) {
            System.err.println("tagstream: " + e.getMessage());
            System.exit(1);
            return;
        }
        chain.reportExits("tagstream");
        System.out.printf("Kafka: %s%s%n", chain.bootstrapServers(), options.externalKafka().isPresent() ? " (external)" : " (embedded, data in " + options.dataDir().resolve("kafka") + ")");
        System.out.println(services.stream().map(s -> String.format("  %-17s %s/q/health  %s/q/openapi", s, chain.url(s), chain.url(s)))
                .collect(Collectors.joining("\n", "all services UP in " + took.toMillis() / 1000.0 + " s:\n", "")));
        System.out.println("logs: " + options.dataDir().resolve("logs") + "   audit: kcat -C -b " + chain.bootstrapServers()
                + " -t tagstream.audit -f '%s\\n'");
        Map<String, String> env = new HashMap<>(System.getenv());
        System.out.println(Chain.localDevelopment(env)
                ? "access control: OFF (local development: anyone who reaches 127.0.0.1 may approve, signal and scan;"
                        + " set TAGSTREAM_AUTH_* to turn it on, see docs/security.md)"
                : "access control: ON (TAGSTREAM_AUTH_* from your environment)");
        System.out.println("Ctrl-C stops everything.");
        stopped.await();
    }

    private static Map<String, Integer> ports(String base) {
        if (base == null) {
            return Map.of();
        }
        int b = Integer.parseInt(base);
        return Chain.WITH_CONSOLE.stream().collect(Collectors.toMap(Chain.Service::name, s -> b + s.defaultPort() - 8080));
    }

    private static <T> T fail(String message) {
        System.err.println("tagstream: " + message);
        System.err.print(USAGE);
        System.exit(2);
        return null;
    }
}
