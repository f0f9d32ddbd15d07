package io.tagstream.gitwriter.bench;

import io.tagstream.gitwriter.core.ImageValues;
import io.tagstream.gitwriter.core.Workspace;
import io.tagstream.testkit.GitServer;
import io.tagstream.testkit.WorkDirs;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One setter change committed and pushed into a repository of 10,000 manifests and 5,000 commits: Tagstream's warm
 * working clone against the git CLI doing clone + edit + commit + push. Run: {@code ./mvnw verify -Pbench -pl git-writer}.
 */
@Tag("bench")
class CommitBench {

    static final String BRANCH = "main";

    /** 10,000 manifests in the first commit, then 4,999 commits touching one file each, through git fast-import. */
    static void build(Path bare) throws Exception {
        Process p = new ProcessBuilder("git", "fast-import", "--quiet").directory(bare.toFile()).redirectErrorStream(true).start();
        try (BufferedWriter w = new BufferedWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8))) {
            for (int c = 0; c < 5000; c++) {
                w.write("commit refs/heads/" + BRANCH + "\n");
                w.write("committer Seed <seed@example.test> " + (1_700_000_000L + c) + " +0000\n");
                String msg = "commit " + c;
                w.write("data " + msg.length() + "\n" + msg + "\n");
                int from = c == 0 ? 0 : c % 10_000;
                int to = c == 0 ? 10_000 : from + 1;
                for (int i = from; i < to; i++) {
                    String marker = i == 42 ? " # {\"$imagepolicy\": \"flux-system:portal\"}" : "";
                    String body = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-" + i + "\nspec:\n  template:\n"
                            + "    spec:\n      containers:\n        - name: app\n          image: r.example/app-" + i + ":" + c + marker + "\n";
                    byte[] b = body.getBytes(StandardCharsets.UTF_8);
                    w.write("M 100644 inline apps/app-" + i + "/deployment.yaml\ndata " + b.length + "\n" + body + "\n");
                }
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("fast-import failed: " + new String(p.getInputStream().readAllBytes()));
        }
    }

    @Test
    void warmCommitVersusCliBaseline() throws Exception {
        try (GitServer git = GitServer.start()) {
            Path bare = git.createBare("big", BRANCH);
            long t0 = System.nanoTime();
            build(bare);
            System.out.printf("BENCH built %s commits, %s files in %d ms%n", git.inBare("big", "rev-list", "--count", BRANCH).trim(),
                    git.inBare("big", "ls-tree", "-r", "--name-only", BRANCH).lines().count(), (System.nanoTime() - t0) / 1_000_000);
            Workspace ws = new Workspace(WorkDirs.create("bench-ws"), git.url("big"), Optional.empty(), Optional.empty());
            Workspace.Author bot = new Workspace.Author("bot", "bot@example.test");
            long[] warm = new long[7];
            for (int i = 0; i < warm.length + 1; i++) {
                long s = System.nanoTime();
                var out = ws.update(Workspace.Request.of(BRANCH, "./apps", Map.of("flux-system:portal", new ImageValues("r.example/app-42", "v" + i, "sha256:" + "1".repeat(64), false)), bot, "bump " + i).attempts(3));
                if (out.commit().isEmpty()) {
                    throw new AssertionError("no commit");
                }
                if (i > 0) {
                    warm[i - 1] = System.nanoTime() - s; // the first run clones: not warm
                }
            }
            ws.close();
            long[] cli = new long[3];
            for (int i = 0; i < cli.length; i++) {
                Path dir = WorkDirs.create("bench-cli");
                long s = System.nanoTime();
                GitServer.git(dir, "clone", "--quiet", git.url("big"), "w");
                Path f = dir.resolve("w/apps/app-42/deployment.yaml");
                Files.writeString(f, Files.readString(f).replaceAll("app-42:[^ ]+ #", "app-42:cli" + i + " #"));
                GitServer.git(dir.resolve("w"), "-c", "user.name=cli", "-c", "user.email=cli@example.test", "commit", "--quiet", "-am", "cli " + i);
                GitServer.git(dir.resolve("w"), "push", "--quiet", "origin", "HEAD:" + BRANCH);
                cli[i] = System.nanoTime() - s;
                WorkDirs.delete(dir);
            }
            Arrays.sort(warm);
            Arrays.sort(cli);
            double w = warm[warm.length / 2] / 1e6;
            double c = cli[cli.length / 2] / 1e6;
            System.out.printf("BENCH one setter change, 10,000 manifests / 5,000 commits: warm clone median %.0f ms (min %.0f, max %.0f); "
                    + "git CLI clone+edit+commit+push median %.0f ms (min %.0f, max %.0f); ratio %.2f%n",
                    w, warm[0] / 1e6, warm[warm.length - 1] / 1e6, c, cli[0] / 1e6, cli[cli.length - 1] / 1e6, w / c);
        }
    }
}
