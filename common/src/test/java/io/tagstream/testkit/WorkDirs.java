package io.tagstream.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Scratch directories under the module's {@code target/}, so a test run leaves nothing in /tmp. */
public final class WorkDirs {

    private WorkDirs() {}

    public static Path create(String kind) {
        try {
            Path root = Path.of(System.getProperty("tagstream.test.workdir", "target/testkit")).toAbsolutePath();
            Files.createDirectories(root);
            return Files.createTempDirectory(root, kind + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            // best effort: a file a stopping server removes itself (sshd's pid file) may vanish during the walk; a
            // leftover under target/ is removed by the next clean
        }
    }
}
