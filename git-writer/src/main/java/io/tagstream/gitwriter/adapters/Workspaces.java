package io.tagstream.gitwriter.adapters;

import io.quarkus.runtime.ShutdownEvent;
import io.tagstream.common.config.GitRepository;
import io.tagstream.common.config.ImageUpdateAutomation;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.Secret;
import io.tagstream.common.config.Secrets;
import io.tagstream.gitwriter.core.OpenPgpSigner;
import io.tagstream.gitwriter.core.Routing;
import io.tagstream.gitwriter.core.Workspace;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * One working clone per branch and checkout branch, kept between commits, opened with the repository's credentials
 * (token or SSH key) and the automation's signing key.
 */
@ApplicationScoped
public class Workspaces {

    @ConfigProperty(name = "tagstream.git.workdir")
    Path workdir;

    @Inject
    Secrets secrets;

    private final Map<String, Workspace> open = new ConcurrentHashMap<>();
    private final Map<String, Workspace> previews = new ConcurrentHashMap<>();

    /** The clone {@code target} commits in. */
    Workspace of(Routing.Target target) {
        return open.computeIfAbsent(target.branchKey() + "|" + target.checkoutBranch(), k -> open(k, target));
    }

    /**
     * A clone of its own for dry runs of {@code target} (never the one commits are made in, whose branch lock the
     * preview does not hold); callers use it one at a time.
     */
    Workspace preview(Routing.Target target) {
        return previews.computeIfAbsent(target.branchKey() + "|" + target.checkoutBranch(), k -> open("preview|" + k, target));
    }

    void stop(@Observes ShutdownEvent e) {
        open.values().forEach(Workspace::close);
        previews.values().forEach(Workspace::close);
    }

    private Workspace open(String key, Routing.Target target) {
        GitRepository repo = target.repository();
        ImageUpdateAutomation a = target.automation();
        Workspace ws = new Workspace(workdir.resolve(hash(key)), repo.url(), secret(repo, "username"), secret(repo, "password"));
        try {
            Optional<String> identity = secret(repo, "identity");
            if (identity.isPresent()) {
                ws.useSsh(identity.get(), secret(repo, "known_hosts").orElseThrow(() -> new IllegalStateException(
                        "GitRepository " + repo.id() + ": secret has an SSH identity but no known_hosts")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        a.signingKeySecretRef().ifPresent(ref -> {
            ResourceId id = new ResourceId(a.id().namespace(), ref);
            String armored = secrets.get(id, "git.asc").map(Secret::reveal).orElseThrow(() -> new IllegalStateException(
                    "ImageUpdateAutomation " + a.id() + ": signing key secret " + id + " has no git.asc"));
            ws.signWith(new OpenPgpSigner(armored, secrets.get(id, "passphrase").map(Secret::reveal)));
        });
        return ws;
    }

    private Optional<String> secret(GitRepository repo, String key) {
        return repo.secretRef().flatMap(s -> secrets.get(new ResourceId(repo.id().namespace(), s), key)).map(Secret::reveal);
    }

    private static String hash(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)))
                    .substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
