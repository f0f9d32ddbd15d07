package io.tagstream.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a command-line tool (git, skopeo) and fails with its own error text when it fails. */
public final class Cli {

    private Cli() {}

    public static String run(Path dir, List<String> cmd, Map<String, String> env) {
        return new String(runBytes(dir, cmd, env), StandardCharsets.UTF_8);
    }

    /** Like {@link #runBytes} with stderr folded into the output (git verify-commit reports there). */
    public static byte[] runBytesWithStderr(Path dir, List<String> cmd, Map<String, String> env) {
        List<String> shell = new java.util.ArrayList<>(List.of("sh", "-c", "\"$@\" 2>&1", "sh"));
        shell.addAll(cmd);
        return runBytes(dir, shell, env);
    }

    public static byte[] runBytes(Path dir, List<String> cmd, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            byte[] out = readAll(p.getInputStream());
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " timed out");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): "
                        + new String(err.join(), StandardCharsets.UTF_8).trim());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
