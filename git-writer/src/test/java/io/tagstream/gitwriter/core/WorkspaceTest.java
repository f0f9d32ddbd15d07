package io.tagstream.gitwriter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.testkit.Cli;
import io.tagstream.testkit.GitServer;
import io.tagstream.testkit.SshGitServer;
import io.tagstream.testkit.WorkDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Commits and pushes through git daemon; results read back with the git CLI. */
class WorkspaceTest {

    static GitServer git;
    static final String D = "sha256:" + "7".repeat(64);
    static final Workspace.Author BOT = new Workspace.Author("flux-bot", "flux@pemos.io");
    static final String PORTAL = "image: ctfacentry.azurecr.io/eose-fleet/pemos-portal:922 # {\"$imagepolicy\": \"flux-system:ct-fac-portal\"}\n";
    static final String RELAY = "image: ctfacentry.azurecr.io/eose-fleet/merostone-relay:1.0.0 # {\"$imagepolicy\": \"flux-system:merostone-relay\"}\n";

    @BeforeAll
    static void start() {
        git = GitServer.start();
    }

    @AfterAll
    static void stop() {
        git.close();
    }

    static Map<String, ImageValues> portal(String tag) {
        return Map.of("flux-system:ct-fac-portal", new ImageValues("ctfacentry.azurecr.io/eose-fleet/pemos-portal", tag, D, false));
    }

    static Map<String, ImageValues> relay(String tag) {
        return Map.of("flux-system:merostone-relay", new ImageValues("ctfacentry.azurecr.io/eose-fleet/merostone-relay", tag, D, false));
    }

    static Workspace workspace(String repo) {
        return new Workspace(WorkDirs.create("ws"), git.url(repo), Optional.empty(), Optional.empty());
    }

    static void seed(String repo) {
        git.createBare(repo, "feat/pemclau-master");
        git.commit(repo, "feat/pemclau-master", Map.of(
                "fleet-sync/ctc-flux/eose-entry/portal.yaml", PORTAL,
                "fleet-sync/ctc-flux/eose-entry/relay.yaml", RELAY,
                "README.md", "fleet\n"), "seed", "alice");
    }

    @Test
    void aCloneLeftLockedByAKilledPodIsClonedAfresh() throws Exception {
        seed("locked-clone");
        Path dir = WorkDirs.create("ws-locked");
        try (Workspace ws = new Workspace(dir, git.url("locked-clone"), Optional.empty(), Optional.empty())) {
            ws.update(Workspace.Request.of("feat/pemclau-master", ".", portal("923"), BOT, "923").attempts(5));
            Files.writeString(dir.resolve(".git/index.lock"), ""); // what a SIGKILL during a checkout leaves behind
            assertThrows(Exception.class, () -> ws.update(Workspace.Request.of("feat/pemclau-master", ".", portal("924"), BOT, "924").attempts(5)));
            ws.discard();
            var out = ws.update(Workspace.Request.of("feat/pemclau-master", ".", portal("924"), BOT, "924").attempts(5));
            assertTrue(out.commit().isPresent());
            assertTrue(git.inBare("locked-clone", "show", "feat/pemclau-master:fleet-sync/ctc-flux/eose-entry/portal.yaml")
                    .contains(":924 "));
        }
    }

    @Test
    void commitsOnlyTheChangedLineOnceAndNoEmptyCommit() throws Exception {
        seed("once");
        try (Workspace ws = workspace("once")) {
            var out = ws.update(Workspace.Request.of("feat/pemclau-master", "./fleet-sync/ctc-flux/eose-entry", portal("924"), BOT, "chore(flux): auto-update image tags in eose-entry").attempts(5));
            assertTrue(out.commit().isPresent());
            assertEquals(List.of(new Setters.Change("fleet-sync/ctc-flux/eose-entry/portal.yaml", "flux-system:ct-fac-portal",
                    "ctfacentry.azurecr.io/eose-fleet/pemos-portal:922", "ctfacentry.azurecr.io/eose-fleet/pemos-portal:924")), out.changes());
            assertEquals(out.commit().get() + " flux-bot <flux@pemos.io> chore(flux): auto-update image tags in eose-entry",
                    git.inBare("once", "log", "-1", "--format=%H %an <%ae> %s", "feat/pemclau-master").trim());
            String diff = git.inBare("once", "diff", "--unified=0", "HEAD~1", "HEAD");
            assertEquals(1, diff.lines().filter(l -> l.startsWith("-image")).count(), diff);
            assertTrue(diff.contains("+image: ctfacentry.azurecr.io/eose-fleet/pemos-portal:924 # {\"$imagepolicy\": \"flux-system:ct-fac-portal\"}"), diff);

            var again = ws.update(Workspace.Request.of("feat/pemclau-master", "./fleet-sync/ctc-flux/eose-entry", portal("924"), BOT, "chore: again").attempts(5));
            assertEquals(Optional.empty(), again.commit(), "a redelivered approval already in git makes no commit");
            assertEquals("2", git.inBare("once", "rev-list", "--count", "feat/pemclau-master").trim());
        }
    }

    @Test
    void racingWritersAndAHumanAllKeepTheirCommits() throws Exception {
        seed("race");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Workspace a = workspace("race"); Workspace b = workspace("race")) {
            String human = git.commit("race", "feat/pemclau-master", Map.of("README.md", "fleet, edited by a human\n"), "docs", "bob");
            Callable<Void> portalWriter = () -> {
                for (int i = 0; i < 5; i++) {
                    a.update(Workspace.Request.of("feat/pemclau-master", "fleet-sync", portal("93" + i), BOT, "portal " + i).attempts(20));
                }
                return null;
            };
            Callable<Void> relayWriter = () -> {
                for (int i = 0; i < 5; i++) {
                    b.update(Workspace.Request.of("feat/pemclau-master", "fleet-sync", relay("1.0." + (i + 1)), BOT, "relay " + i).attempts(20));
                }
                return null;
            };
            List<Future<Void>> done = pool.invokeAll(List.of(portalWriter, relayWriter));
            for (Future<Void> f : done) {
                f.get();
            }
            List<String> subjects = git.inBare("race", "log", "--format=%s", "feat/pemclau-master").lines().toList();
            assertEquals(12, subjects.size(), subjects.toString()); // seed + human + 5 + 5
            assertTrue(git.inBare("race", "log", "--format=%H", "feat/pemclau-master").contains(human), "the human commit stays");
            assertTrue(git.inBare("race", "show", "feat/pemclau-master:fleet-sync/ctc-flux/eose-entry/portal.yaml").contains(":934 "));
            assertTrue(git.inBare("race", "show", "feat/pemclau-master:fleet-sync/ctc-flux/eose-entry/relay.yaml").contains(":1.0.5 "));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void separatePushBranchLeavesTheCheckoutBranchAlone() throws Exception {
        seed("pushbranch");
        try (Workspace ws = workspace("pushbranch")) {
            ws.update(Workspace.Request.of("feat/pemclau-master", "fleet-sync", portal("924"), BOT, "update").pushTo("tagstream/updates").attempts(5));
            ws.update(Workspace.Request.of("feat/pemclau-master", "fleet-sync", relay("1.2.0"), BOT, "update relay").pushTo("tagstream/updates").attempts(5));
            assertEquals("1", git.inBare("pushbranch", "rev-list", "--count", "feat/pemclau-master").trim());
            assertTrue(git.inBare("pushbranch", "show", "tagstream/updates:fleet-sync/ctc-flux/eose-entry/relay.yaml").contains(":1.2.0 "));
        }
    }

    /** Flux's push.refspec on a real git daemon: Gerrit-style refs/for/main, and a branch fed by another. */
    @Test
    void refspecPushesTheSameCommitToASecondRef() throws Exception {
        seed("refspec");
        try (Workspace ws = workspace("refspec")) {
            var out = ws.update(Workspace.Request.of("feat/pemclau-master", "fleet-sync", portal("924"), BOT, "update")
                    .alsoPushTo(Optional.of("refs/for/feat/pemclau-master")).attempts(5));
            String commit = out.commit().orElseThrow();
            assertEquals(commit, git.inBare("refspec", "rev-parse", "feat/pemclau-master").trim());
            assertEquals(commit, git.inBare("refspec", "rev-parse", "refs/for/feat/pemclau-master").trim());

            // Flux's Gerrit example: commit on the push branch "auto", refspec refs/heads/auto:refs/heads/main
            var second = ws.update(Workspace.Request.of("feat/pemclau-master", "fleet-sync", relay("1.2.0"), BOT, "relay")
                    .pushTo("auto").alsoPushTo(Optional.of("refs/heads/review")).attempts(5));
            String relayCommit = second.commit().orElseThrow();
            assertEquals(relayCommit, git.inBare("refspec", "rev-parse", "auto").trim());
            assertEquals(relayCommit, git.inBare("refspec", "rev-parse", "review").trim());
            assertEquals(commit, git.inBare("refspec", "rev-parse", "feat/pemclau-master").trim(), "the checkout branch stays");

            var again = ws.update(Workspace.Request.of("feat/pemclau-master", "fleet-sync", portal("924"), BOT, "again")
                    .alsoPushTo(Optional.of("refs/for/feat/pemclau-master")).attempts(5));
            assertEquals(Optional.empty(), again.commit(), "nothing new: no push to either ref");
        }
    }

    @Test
    void aRefusingRemoteGivesItsOwnReason() throws Exception {
        seed("refusing");
        Path hook = git.bare("refusing").resolve("hooks/pre-receive");
        Files.writeString(hook, "#!/bin/sh\necho 'protected branch: ask an admin' >&2\nexit 1\n");
        hook.toFile().setExecutable(true);
        try (Workspace ws = workspace("refusing")) {
            var e = assertThrows(Workspace.PushRefused.class, () -> ws.update(Workspace.Request.of("feat/pemclau-master", "fleet-sync", portal("924"), BOT, "update").attempts(5)));
            assertTrue(e.getMessage().contains("refused"), e.getMessage());
        }
    }

    @Test
    void signedCommitsVerifyWithGit() throws Exception {
        seed("signed");
        Path gnupg = WorkDirs.create("gpg");
        gnupg.toFile().setReadable(false, false);
        gnupg.toFile().setReadable(true, true);
        gnupg.toFile().setExecutable(false, false);
        gnupg.toFile().setExecutable(true, true);
        Map<String, String> env = Map.of("GNUPGHOME", gnupg.toString());
        try {
            Cli.run(null, List.of("gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key",
                    "flux-bot <flux@pemos.io>", "rsa2048", "sign", "never"), env);
            String armored = Cli.run(null, List.of("gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
                    "--armor", "--export-secret-keys", "flux@pemos.io"), env);
            try (Workspace ws = workspace("signed")) {
                OpenPgpSigner signer = new OpenPgpSigner(armored, Optional.empty());
                ws.signWith(signer);
                var out = ws.update(Workspace.Request.of("feat/pemclau-master", "fleet-sync", portal("924"), BOT, "signed").attempts(5));
                String sha = out.commit().orElseThrow();
                String verify = new String(io.tagstream.testkit.Cli.runBytesWithStderr(git.bare("signed"),
                        List.of("git", "verify-commit", "-v", sha), env), java.nio.charset.StandardCharsets.UTF_8);
                assertTrue(verify.contains("Good signature from \"flux-bot <flux@pemos.io>\""), verify);
                assertTrue(verify.contains(signer.fingerprint().substring(24)), verify);
            }
        } finally {
            try {
                Cli.run(null, List.of("gpgconf", "--kill", "gpg-agent"), env);
            } catch (RuntimeException ignored) {
                // no agent was started
            }
            WorkDirs.delete(gnupg);
        }
    }

    @Test
    void pushesOverSshWithAKeyAndKnownHosts() throws Exception {
        seed("overssh");
        try (SshGitServer sshd = SshGitServer.start();
                Workspace ws = new Workspace(WorkDirs.create("ws"), sshd.url(git.bare("overssh")), Optional.empty(), Optional.empty())
                        .useSsh(sshd.clientKey(), sshd.knownHosts())) {
            var out = ws.update(Workspace.Request.of("feat/pemclau-master", "fleet-sync", portal("925"), BOT, "over ssh").attempts(5));
            assertEquals(out.commit().orElseThrow(), git.inBare("overssh", "rev-parse", "feat/pemclau-master").trim());
            try (Workspace stranger = new Workspace(WorkDirs.create("ws"), sshd.url(git.bare("overssh")), Optional.empty(), Optional.empty())
                    .useSsh(sshd.clientKey(), "[127.0.0.1]:1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKJ6oX0a3hBZ3X8r0w7y8y0sQdD0Lr2Q5pVY8nq8h0kE\n")) {
                var e = assertThrows(Exception.class, () -> stranger.update(Workspace.Request.of("feat/pemclau-master", "fleet-sync", portal("926"), BOT, "unknown host").attempts(1)));
                assertTrue(e instanceof org.eclipse.jgit.api.errors.TransportException, e.toString());
                assertEquals(out.commit().get(), git.inBare("overssh", "rev-parse", "feat/pemclau-master").trim(),
                        "a host missing from known_hosts gets nothing");
            }
        }
    }

    @Test
    void credentialsNeverShowInUrls() {
        assertEquals("https://github.com/eose-sre/openclaw-fleet", Workspace.safeUrl("https://bot:ghp_secret@github.com/eose-sre/openclaw-fleet"));
        assertEquals("ssh://git@host/repo.git".replace("git@", ""), Workspace.safeUrl("ssh://git@host/repo.git"));
    }
}
