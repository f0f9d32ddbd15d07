package io.tagstream.gitwriter.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * A working clone of one git repository, kept between runs (fetch and hard reset instead of a fresh clone). Each update
 * starts from the remote's current checkout branch, applies the setters, commits, and pushes; when someone else
 * pushed in between, the push is refused and the whole update is redone on top of their commit. The checkout branch
 * is never force-pushed; a separate push branch, which the automation owns, is.
 */
public final class Workspace implements AutoCloseable {

    /** Who commits. */
    public record Author(String name, String email) {}

    /**
     * The result of one update: a pushed commit, or none because git already held these values — except the
     * {@code blocked} markers, whose files have problems and were left untouched.
     */
    public record Outcome(Optional<String> commit, List<Setters.Change> changes, List<Setters.Problem> problems, int attempts,
            java.util.Set<String> blocked) {}

    /** A push the remote refused for a reason retrying will not fix (permissions, hooks, protected branch). */
    public static final class PushRefused extends RuntimeException {
        public PushRefused(String message) {
            super(message);
        }
    }

    private final Path dir;
    private final String url;
    private final Optional<CredentialsProvider> credentials;
    private Git git;
    private Optional<org.eclipse.jgit.lib.Signer> signer = Optional.empty();
    private Optional<org.eclipse.jgit.transport.sshd.SshdSessionFactory> ssh = Optional.empty();
    private Setters.MarkerIndex markers = new Setters.MarkerIndex();
    /** Set while files may differ from HEAD (between applying setters and a pushed commit); forces a full reset. */
    private boolean dirty = true;

    public Workspace(Path dir, String url, Optional<String> username, Optional<String> password) {
        this.dir = dir;
        this.url = url;
        this.credentials = username.map(u -> new UsernamePasswordCredentialsProvider(u, password.orElse("")));
    }

    /**
     * SSH access from a GitRepository secret: {@code identity} (an OpenSSH private key) and {@code known_hosts}. The
     * server must be in known_hosts; the pod's own ~/.ssh is never read.
     */
    public Workspace useSsh(String identity, String knownHosts) throws IOException {
        Path sshDir = dir.resolveSibling(dir.getFileName() + ".ssh");
        Files.createDirectories(sshDir);
        Path id = writePrivate(sshDir.resolve("identity"), identity.endsWith("\n") ? identity : identity + "\n");
        Path kh = writePrivate(sshDir.resolve("known_hosts"), knownHosts);
        ssh = Optional.of(new org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder()
                .setHomeDirectory(sshDir.toFile())
                .setSshDirectory(sshDir.toFile())
                .setConfigFile(f -> sshDir.resolve("no-config").toFile())
                .setDefaultIdentities(f -> List.of(id))
                .setDefaultKnownHostsFiles(f -> List.of(kh))
                .setPreferredAuthentications("publickey")
                .build(null));
        return this;
    }

    private static Path writePrivate(Path p, String content) throws IOException {
        Files.writeString(p, content);
        try {
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing more to restrict
        }
        return p;
    }

    private void transport(org.eclipse.jgit.api.TransportCommand<?, ?> cmd) {
        credentials.ifPresent(cmd::setCredentialsProvider);
        ssh.ifPresent(factory -> cmd.setTransportConfigCallback(t -> {
            if (t instanceof org.eclipse.jgit.transport.SshTransport s) {
                s.setSshSessionFactory(factory);
            }
        }));
    }

    /** Signs every commit from now on (OpenPGP, verified by {@code git verify-commit}). */
    public Workspace signWith(org.eclipse.jgit.lib.Signer s) {
        this.signer = Optional.of(s);
        return this;
    }

    /** The URL without credentials, as events and logs show it. */
    public static String safeUrl(String url) {
        return url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]+@", "$1");
    }

    private Git open() throws IOException, GitAPIException {
        if (git == null) {
            if (Files.isDirectory(dir.resolve(".git"))) {
                git = Git.open(dir.toFile());
            } else {
                Files.createDirectories(dir);
                var clone = Git.cloneRepository().setURI(url).setDirectory(dir.toFile()).setNoCheckout(true);
                transport(clone);
                git = clone.call();
            }
            // JGit's automatic gc runs detached by default; one still running when the next commit starts another
            // fails that commit on gc.log.lock. Here it runs in the branch's own worker, one at a time.
            var config = git.getRepository().getConfig();
            config.setBoolean("gc", null, "autoDetach", false);
            config.save();
        }
        return git;
    }

    /** Brings the clone to the remote's branch: fetch, hard reset, remove anything left over. Returns its head. */
    private ObjectId sync(String branch) throws IOException, GitAPIException {
        Git g = open();
        var fetch = g.fetch().setRemote("origin").setRemoveDeletedRefs(true)
                .setRefSpecs(new RefSpec("+refs/heads/*:refs/remotes/origin/*"));
        transport(fetch);
        fetch.call();
        ObjectId head = g.getRepository().resolve("refs/remotes/origin/" + branch);
        if (head == null) {
            throw new PushRefused("branch '" + branch + "' does not exist in " + safeUrl(url));
        }
        ObjectId local = g.getRepository().resolve("HEAD");
        if (!dirty && head.equals(local)) {
            return head; // our own last push is still the tip and the tree is exactly that commit: nothing to reset
        }
        if (!dirty && local != null && isAncestor(g, local, head)) {
            // someone else pushed on top of our clean tree: a fast-forward touches only the files that changed
            g.checkout().setName(head.name()).call();
            return head;
        }
        g.checkout().setName(head.name()).setForced(true).call();
        g.reset().setMode(ResetCommand.ResetType.HARD).setRef(head.name()).call();
        g.clean().setCleanDirectories(true).setForce(true).call();
        dirty = false;
        return head;
    }

    /** A commit made and about to be pushed; {@code blocked} as in {@link Outcome}. */
    public record Staged(String commit, List<Setters.Change> changes, java.util.Set<String> blocked, String message) {}

    /**
     * One update: apply {@code values} under {@code path} on top of the remote's {@code checkoutBranch}, commit with a
     * message made from the changes actually applied (Flux's templates list them), push to {@code pushBranch} and, in
     * the same push, to {@code alsoPushTo} (the destination of Flux's {@code push.refspec}: Gerrit's
     * {@code refs/for/main}, another branch). {@code beforePush} sees each commit before its push, so a caller can
     * record that the push may happen (if it throws, nothing is pushed).
     */
    public record Request(String checkoutBranch, String pushBranch, String path, Map<String, ImageValues> values,
            Author author, Function<List<Setters.Change>, String> message, Map<String, String> pushOptions, int maxAttempts,
            Consumer<Staged> beforePush, Optional<String> alsoPushTo) {

        /** Commit {@code message} on {@code branch} and push it there, up to ten attempts, no push options. */
        public static Request of(String branch, String path, Map<String, ImageValues> values, Author author, String message) {
            return new Request(branch, branch, path, values, author, changes -> message, Map.of(), 10, staged -> { },
                    Optional.empty());
        }

        public Request pushTo(String branch) {
            return new Request(checkoutBranch, branch, path, values, author, message, pushOptions, maxAttempts, beforePush, alsoPushTo);
        }

        /** Also push the commit to this ref (a full name, {@code refs/...}). */
        public Request alsoPushTo(Optional<String> ref) {
            return new Request(checkoutBranch, pushBranch, path, values, author, message, pushOptions, maxAttempts, beforePush, ref);
        }

        public Request attempts(int n) {
            return new Request(checkoutBranch, pushBranch, path, values, author, message, pushOptions, n, beforePush, alsoPushTo);
        }

        public Request message(Function<List<Setters.Change>, String> m) {
            return new Request(checkoutBranch, pushBranch, path, values, author, m, pushOptions, maxAttempts, beforePush, alsoPushTo);
        }

        public Request pushOptions(Map<String, String> o) {
            return new Request(checkoutBranch, pushBranch, path, values, author, message, o, maxAttempts, beforePush, alsoPushTo);
        }

        public Request beforePush(Consumer<Staged> c) {
            return new Request(checkoutBranch, pushBranch, path, values, author, message, pushOptions, maxAttempts, c, alsoPushTo);
        }
    }

    /** Carries out one {@link Request}; retries from a fresh fetch when the push is refused as non-fast-forward. */
    public Outcome update(Request request) throws IOException, GitAPIException {
        String checkoutBranch = request.checkoutBranch();
        String pushBranch = request.pushBranch();
        int maxAttempts = request.maxAttempts();
        boolean ownBranch = !pushBranch.equals(checkoutBranch);
        for (int attempt = 1; ; attempt++) {
            sync(checkoutBranch);
            dirty = true;
            Setters.Result r = Setters.apply(dir, request.path(), request.values(), markers);
            if (r.changes().isEmpty()) {
                dirty = false; // nothing was written
                return new Outcome(Optional.empty(), List.of(), r.problems(), attempt, r.blocked());
            }
            Git g = open();
            for (String f : r.filesChanged()) {
                g.add().addFilepattern(f).call();
            }
            PersonIdent who = new PersonIdent(request.author().name(), request.author().email());
            var commitCmd = g.commit().setMessage(request.message().apply(r.changes())).setAuthor(who).setCommitter(who);
            if (signer.isPresent()) {
                commitCmd.setSign(true).setSigner(signer.get()).setSigningKey("tagstream");
            } else {
                commitCmd.setSign(false);
            }
            RevCommit commit = commitCmd.call();
            request.beforePush().accept(new Staged(commit.name(), r.changes(), r.blocked(), commit.getFullMessage()));
            List<RefSpec> specs = new ArrayList<>();
            specs.add(new RefSpec((ownBranch ? "+" : "") + commit.name() + ":refs/heads/" + pushBranch));
            // Flux pushes the refspec without force, after the branch; one push carries both here
            request.alsoPushTo().ifPresent(ref -> specs.add(new RefSpec(commit.name() + ":" + ref)));
            var push = g.push().setRemote("origin").setRefSpecs(specs);
            if (!request.pushOptions().isEmpty()) {
                List<String> opts = new ArrayList<>();
                request.pushOptions().forEach((k, v) -> opts.add(v == null || v.isEmpty() ? k : k + "=" + v));
                push.setPushOptions(opts);
            }
            transport(push);
            String refusal = null;
            boolean raced = false;
            StringBuilder remoteSaid = new StringBuilder();
            for (PushResult pr : push.call()) {
                // what the server's hooks printed ("remote: GH006: Protected branch update failed…") is the reason a
                // person can act on; JGit's status alone only says the hook declined
                if (pr.getMessages() != null && !pr.getMessages().isBlank()) {
                    remoteSaid.append(pr.getMessages().strip().replaceAll("\\s*\\n\\s*", "; "));
                }
                for (RemoteRefUpdate u : pr.getRemoteUpdates()) {
                    switch (u.getStatus()) {
                        case OK, UP_TO_DATE -> { }
                        case REJECTED_NONFASTFORWARD, REJECTED_REMOTE_CHANGED -> raced = true;
                        default -> {
                            if (lostRace(u.getMessage())) {
                                raced = true;
                            } else {
                                refusal = u.getStatus() + (u.getMessage() == null ? "" : ": " + u.getMessage());
                            }
                        }
                    }
                }
            }
            if (refusal != null) {
                throw new PushRefused("push to " + safeUrl(url) + " " + pushBranch + " refused: " + refusal
                        + (remoteSaid.isEmpty() ? "" : " (remote: " + remoteSaid + ")"));
            }
            if (!raced) {
                dirty = ownBranch; // on the checkout branch our commit is now the tip; a push branch is not what we sync to
                return new Outcome(Optional.of(commit.name()), r.changes(), r.problems(), attempt, r.blocked());
            }
            if (attempt >= maxAttempts) {
                throw new PushRefused("push to " + safeUrl(url) + " " + pushBranch + " kept losing races with other "
                        + "pushes; gave up after " + attempt + " attempts");
            }
            backoff(attempt);
        }
    }

    /**
     * What applying {@code values} under {@code path} on top of the remote's {@code branch} would change, without
     * committing or pushing (the files are reset at the next update): empty when the branch holds them all.
     */
    public List<Setters.Change> wouldChange(String branch, String path, Map<String, ImageValues> values)
            throws IOException, GitAPIException {
        sync(branch);
        dirty = true;
        return Setters.apply(dir, path, values, markers).changes();
    }

    /** Whether the remote's {@code branch} contains {@code commit} (after a fetch). */
    public boolean holds(String branch, String commit) throws IOException, GitAPIException {
        Git g = open();
        var fetch = g.fetch().setRemote("origin").setRefSpecs(new RefSpec("+refs/heads/*:refs/remotes/origin/*"));
        transport(fetch);
        fetch.call();
        ObjectId head = g.getRepository().resolve("refs/remotes/origin/" + branch);
        ObjectId id = ObjectId.fromString(commit);
        if (head == null || !g.getRepository().getObjectDatabase().has(id)) {
            return false;
        }
        return isAncestor(g, id, head);
    }

    private static boolean isAncestor(Git g, ObjectId ancestor, ObjectId tip) throws IOException {
        try (org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(g.getRepository())) {
            return walk.isMergedInto(walk.parseCommit(ancestor), walk.parseCommit(tip));
        }
    }

    /**
     * git's receive-pack reports a push that lost a race for the ref lock as "failed to update ref" or "cannot lock
     * ref" rather than as non-fast-forward; those are retried like one.
     */
    static boolean lostRace(String message) {
        if (message == null) {
            return false;
        }
        String m = message.toLowerCase(java.util.Locale.ROOT);
        return m.contains("failed to update ref") || m.contains("cannot lock ref") || m.contains("fetch first")
                || m.contains("non-fast-forward") || m.contains("stale info");
    }

    private static void backoff(int attempt) {
        long cap = Duration.ofSeconds(5).toMillis();
        long ms = Math.min(cap, 100L << Math.min(attempt, 10));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(ms / 2, ms + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Throws the clone away, so the next update clones afresh: for a clone left unusable (lock files of a process
     * killed mid-write, a full disk since freed).
     */
    public void discard() throws IOException {
        if (git != null) {
            git.close();
            git = null;
        }
        dirty = true;
        markers = new Setters.MarkerIndex();
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Override
    public void close() {
        if (git != null) {
            git.close();
        }
        ssh.ifPresent(org.eclipse.jgit.transport.sshd.SshdSessionFactory::close);
    }
}
