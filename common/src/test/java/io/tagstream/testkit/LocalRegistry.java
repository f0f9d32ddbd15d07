package io.tagstream.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's {@code docker-registry} (CNCF distribution 2.8) on a free loopback port, with storage under
 * {@code target/}, deletes enabled, optional htpasswd auth and optional notification endpoints: the registry's own
 * webhook client posting to whatever URL the test gives.
 */
public final class LocalRegistry implements AutoCloseable {

    public static final String BINARY = System.getProperty("tagstream.test.registry", "docker-registry");

    /** A notification endpoint: where the registry posts its events, with the headers it adds. */
    public record Endpoint(String name, String url, Map<String, String> headers) {}

    public record Credentials(String username, String password) {
        public String basic() {
            return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
    }

    private final Optional<Credentials> credentials;
    private final List<Endpoint> endpoints;
    private final boolean readOnly;
    private boolean accessLog;
    private Path dir;
    private Process process;
    private int port;

    private LocalRegistry(Optional<Credentials> credentials, List<Endpoint> endpoints, boolean readOnly) {
        this.credentials = credentials;
        this.endpoints = List.copyOf(endpoints);
        this.readOnly = readOnly;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static LocalRegistry start() {
        return builder().start();
    }

    public static final class Builder {
        private Optional<Credentials> credentials = Optional.empty();
        private final List<Endpoint> endpoints = new ArrayList<>();
        private boolean readOnly;
        private boolean accessLog;

        /** Writes one access-log line per request to {@link #log()} (to count what a client asked). */
        public Builder accessLog() {
            accessLog = true;
            return this;
        }

        /** Refuses every write, like a production registry this service account may not push to. */
        public Builder readOnly() {
            readOnly = true;
            return this;
        }

        public Builder htpasswd(String user, String password) {
            credentials = Optional.of(new Credentials(user, password));
            return this;
        }

        public Builder notify(String url, Map<String, String> headers) {
            endpoints.add(new Endpoint("tagstream-" + endpoints.size(), url, headers));
            return this;
        }

        public LocalRegistry start() {
            LocalRegistry r = new LocalRegistry(credentials, endpoints, readOnly);
            r.accessLog = accessLog;
            r.launch();
            return r;
        }
    }

    private void launch() {
        dir = WorkDirs.create("registry");
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            port = Ports.free();
            try {
                Path config = writeConfig();
                process = new ProcessBuilder(BINARY, "serve", config.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("registry.log").toFile())
                        .start();
                Ports.awaitListening(port, Duration.ofSeconds(20), "docker-registry", process);
                awaitApi();
                return;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run '" + BINARY + "' (apt-get install docker-registry)", e);
            } catch (IllegalStateException e) {
                last = e; // most likely the port was taken between choosing and binding it
                if (process != null) {
                    process.destroyForcibly();
                }
            }
        }
        throw new IllegalStateException(last.getMessage() + "; log: " + log(), last);
    }

    private Path writeConfig() throws IOException {
        StringBuilder y = new StringBuilder();
        y.append("version: 0.1\n");
        y.append("log:\n  level: warn\n  accesslog:\n    disabled: ").append(!accessLog).append('\n');
        y.append("storage:\n  filesystem:\n    rootdirectory: ").append(dir.resolve("data")).append('\n');
        y.append("  delete:\n    enabled: true\n");
        y.append("  maintenance:\n    uploadpurging:\n      enabled: false\n");
        if (readOnly) {
            y.append("    readonly:\n      enabled: true\n");
        }
        y.append("http:\n  addr: 127.0.0.1:").append(port).append('\n');
        y.append("  secret: ").append(UUID.randomUUID()).append('\n');
        if (credentials.isPresent()) {
            Path htpasswd = dir.resolve("htpasswd");
            Credentials c = credentials.get();
            // bcrypt cost 4 keeps logins fast in tests; distribution accepts any bcrypt cost
            Files.writeString(htpasswd, c.username() + ":" + org.mindrot.jbcrypt.BCrypt.hashpw(c.password(),
                    org.mindrot.jbcrypt.BCrypt.gensalt(4)) + "\n");
            y.append("auth:\n  htpasswd:\n    realm: tagstream-test\n    path: ").append(htpasswd).append('\n');
        }
        if (!endpoints.isEmpty()) {
            y.append("notifications:\n  events:\n    includereferences: true\n  endpoints:\n");
            for (Endpoint e : endpoints) {
                y.append("    - name: ").append(e.name()).append('\n');
                y.append("      url: ").append(e.url()).append('\n');
                if (!e.headers().isEmpty()) {
                    y.append("      headers:\n");
                    e.headers().forEach((k, v) -> y.append("        ").append(k).append(": [\"").append(v).append("\"]\n"));
                }
                y.append("      timeout: 2s\n      threshold: 5\n      backoff: 500ms\n");
            }
        }
        Path config = dir.resolve("config.yml");
        Files.writeString(config, y.toString());
        return config;
    }

    private void awaitApi() {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                int code = http.send(HttpRequest.newBuilder(URI.create(url() + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (code == 200 || code == 401) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            Ports.sleep(50);
        }
        throw new IllegalStateException("docker-registry on " + port + " did not answer /v2/");
    }

    /** {@code 127.0.0.1:port}, the host part of image references. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://" + host();
    }

    public Optional<Credentials> credentials() {
        return credentials;
    }

    public Path storage() {
        return dir.resolve("data");
    }

    /**
     * Requests in the access log ({@link Builder#accessLog()}) since the log was {@code from} characters long, by kind:
     * {@code tags} (listings), {@code manifests}, {@code blobs}.
     */
    public Map<String, Integer> requests(int from) {
        Map<String, Integer> out = new TreeMap<>(Map.of("tags", 0, "manifests", 0, "blobs", 0));
        Matcher m = Pattern.compile("\"(?:GET|HEAD|PUT|POST|PATCH|DELETE) /v2/\\S+?/(tags|manifests|blobs)/")
                .matcher(log().substring(Math.min(from, log().length())));
        while (m.find()) {
            out.merge(m.group(1), 1, Integer::sum);
        }
        return out;
    }

    public String log() {
        try {
            return dir == null ? "" : Files.readString(dir.resolve("registry.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops the server without removing its storage, so a restart serves the same images. */
    public void stopProcess() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        stopProcess();
        WorkDirs.delete(dir);
    }

    /** Runs {@code skopeo} against this registry with its credentials; returns stdout. */
    public String skopeo(String... args) {
        List<String> cmd = new ArrayList<>(List.of("skopeo"));
        cmd.addAll(List.of(args));
        return Cli.run(null, cmd, skopeoEnv());
    }

    private Map<String, String> skopeoEnv() {
        Path auth = dir.resolve("skopeo-auth.json");
        try {
            if (!Files.exists(auth)) {
                Files.writeString(auth, "{}");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // keep skopeo's credential lookups away from the user's home: only what a test passes counts
        return Map.of("REGISTRY_AUTH_FILE", auth.toString());
    }

    /** {@code skopeo inspect --raw} of a reference in this registry: the manifest bytes exactly as served. */
    public byte[] rawManifest(String repositoryAndTag) {
        List<String> cmd = new ArrayList<>(List.of("skopeo", "inspect", "--raw", "--tls-verify=false"));
        credentials.ifPresent(c -> cmd.addAll(List.of("--creds", c.username() + ":" + c.password())));
        cmd.add("docker://" + host() + "/" + repositoryAndTag);
        return Cli.runBytes(null, cmd, skopeoEnv());
    }
}
