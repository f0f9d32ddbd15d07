package io.tagstream.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Bare git repositories under {@code target/}, served by {@code git daemon} with push enabled on a free loopback port,
 * plus the {@code git} CLI to set them up and to read results back the way a person would check them.
 */
public final class GitServer implements AutoCloseable {

    private final Path base;
    private final Path scratch;
    private Process daemon;
    private int port;

    private GitServer() {
        Path root = WorkDirs.create("git");
        base = root.resolve("repos");
        scratch = root.resolve("work");
        try {
            Files.createDirectories(base);
            Files.createDirectories(scratch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static GitServer start() {
        GitServer g = new GitServer();
        g.launch();
        return g;
    }

    private void launch() {
        for (int attempt = 0; ; attempt++) {
            port = Ports.free();
            try {
                daemon = new ProcessBuilder("git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack",
                        "--informative-errors", "--listen=127.0.0.1", "--port=" + port, "--base-path=" + base, base.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(base.getParent().resolve("daemon.log").toFile())
                        .start();
                Ports.awaitListening(port, Duration.ofSeconds(10), "git daemon", daemon);
                return;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run git daemon", e);
            } catch (IllegalStateException e) {
                daemon.destroyForcibly();
                if (attempt == 2) {
                    throw e;
                }
            }
        }
    }

    /** A new bare repository whose HEAD is {@code branch}; nothing committed yet. */
    public Path createBare(String name, String branch) {
        Path repo = base.resolve(name + ".git");
        git(base, "init", "--quiet", "--bare", "--initial-branch=" + branch, repo.toString());
        return repo;
    }

    /** {@code git://127.0.0.1:port/name.git}: the daemon's URL, push enabled. */
    public String url(String name) {
        return "git://127.0.0.1:" + port + "/" + name + ".git";
    }

    /** {@code file://} URL of the same repository, for tools that do not speak the git protocol. */
    public String fileUrl(String name) {
        return base.resolve(name + ".git").toUri().toString();
    }

    public Path bare(String name) {
        return base.resolve(name + ".git");
    }

    /** Commits the files (path → content) onto a branch as a person would, through the daemon; returns the sha. */
    public String commit(String name, String branch, Map<String, String> files, String message, String author) {
        Path work = clone(name);
        boolean exists = !git(work, "ls-remote", "--heads", "origin", branch).isBlank();
        if (exists) {
            git(work, "checkout", "--quiet", branch);
        } else {
            git(work, "checkout", "--quiet", "--orphan", branch);
        }
        for (Map.Entry<String, String> f : files.entrySet()) {
            try {
                Path p = work.resolve(f.getKey());
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.getValue());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        git(work, "add", "-A");
        git(work, "-c", "user.name=" + author, "-c", "user.email=" + author + "@example.test", "commit", "--quiet", "-m", message);
        git(work, "push", "--quiet", "origin", "HEAD:refs/heads/" + branch);
        String sha = git(work, "rev-parse", "HEAD").trim();
        WorkDirs.delete(work);
        return sha;
    }

    /** A fresh working clone through the daemon; the caller deletes it or leaves it to {@link #close()}. */
    public Path clone(String name) {
        Path work = scratch.resolve(name + "-" + System.nanoTime());
        git(scratch, "clone", "--quiet", url(name), work.toString());
        return work;
    }

    /** Runs git in the bare repository, e.g. {@code log --format=%s master}. */
    public String inBare(String name, String... args) {
        return git(bare(name), args);
    }

    public static String git(Path dir, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.addAll(List.of(args));
        return Cli.run(dir, cmd, Map.of("GIT_TERMINAL_PROMPT", "0", "GIT_CONFIG_NOSYSTEM", "1", "HOME", dir.toString()));
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        if (daemon != null) {
            daemon.descendants().forEach(ProcessHandle::destroy);
            daemon.destroy();
        }
        WorkDirs.delete(base.getParent());
    }
}
