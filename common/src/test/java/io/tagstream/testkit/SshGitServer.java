package io.tagstream.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * OpenSSH's {@code sshd} on a free loopback port, serving the bare repositories of a {@link GitServer} over
 * {@code ssh://} with key authentication only: a fresh host key and client key per server, and the
 * {@code known_hosts} line a client needs to trust it.
 */
public final class SshGitServer implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final Process sshd;

    private SshGitServer(Path dir, int port, Process sshd) {
        this.dir = dir;
        this.port = port;
        this.sshd = sshd;
    }

    public static SshGitServer start() {
        return start(Ports.free());
    }

    /** sshd on {@code port}; {@link Ports#preferred} picks a custom port such as Gitea's 30022 when it is free. */
    public static SshGitServer start(int port) {
        Path dir = WorkDirs.create("sshd");
        try {
            Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege-separation directory
            Cli.run(dir, List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString()), Map.of());
            Cli.run(dir, List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "tagstream-test", "-f",
                    dir.resolve("client_key").toString()), Map.of());
            Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
            Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                    "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + dir.resolve("host_key"),
                    "PidFile " + dir.resolve("sshd.pid"), "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                    "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PubkeyAuthentication yes",
                    "PermitRootLogin prohibit-password", "StrictModes no", "UsePAM no", ""));
            Process p = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
            Ports.awaitListening(port, Duration.ofSeconds(10), "sshd", p);
            return new SshGitServer(dir, port, p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run sshd (apt-get install openssh-server)", e);
        }
    }

    /** {@code ssh://<user>@127.0.0.1:<port><absolute path of the bare repository>}. */
    public String url(Path bare) {
        return "ssh://" + System.getProperty("user.name") + "@127.0.0.1:" + port + bare.toAbsolutePath();
    }

    /** The client's private key in OpenSSH format, as a GitRepository secret's {@code identity} holds it. */
    public String clientKey() {
        return read("client_key");
    }

    public int port() {
        return port;
    }

    /** The known_hosts line for this server's host key. */
    public String knownHosts() {
        return "[127.0.0.1]:" + port + " " + read("host_key.pub").trim() + "\n";
    }

    private String read(String name) {
        try {
            return Files.readString(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        sshd.destroy();
        WorkDirs.delete(dir);
    }
}
