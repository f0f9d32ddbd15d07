package io.tagstream.common.events;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A commit that reached a git remote. Keyed by repository URL and branch, the unit that one writer owns at a time.
 *
 * @param repository the remote URL with any credentials removed
 * @param causes ids of the {@code promotion-approved} events this commit applied
 * @param message the commit message (absent in events written before it was added)
 * @param changeRequest in pull-request mode, the request that proposes this commit (the head branch's), as the forge
 *     showed it once the push was made; absent for direct pushes
 */
public record CommitPushed(
        String automation,
        String repository,
        String branch,
        String commit,
        List<Change> changes,
        Instant pushedAt,
        List<String> causes,
        Optional<String> message,
        Optional<ChangeRequestRef> changeRequest)
        implements Event {

    public CommitPushed(String automation, String repository, String branch, String commit, List<Change> changes,
            Instant pushedAt, List<String> causes) {
        this(automation, repository, branch, commit, changes, pushedAt, causes, Optional.empty(), Optional.empty());
    }

    public CommitPushed(String automation, String repository, String branch, String commit, List<Change> changes,
            Instant pushedAt, List<String> causes, Optional<String> message) {
        this(automation, repository, branch, commit, changes, pushedAt, causes, message, Optional.empty());
    }

    /** The same commit, announced with the request that proposes it. */
    public CommitPushed proposedBy(ChangeRequestRef request) {
        return new CommitPushed(automation, repository, branch, commit, changes, pushedAt, causes, message, Optional.of(request));
    }

    /**
     * A pull request (GitHub, Gitea/Forgejo) or merge request (GitLab).
     *
     * @param number GitHub's and Gitea's number, GitLab's iid
     * @param state {@code open}, {@code closed} or {@code merged}
     */
    public record ChangeRequestRef(String provider, String url, long number, String state, String headSha) {}

    public CommitPushed {
        Objects.requireNonNull(automation, "automation");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(branch, "branch");
        Objects.requireNonNull(commit, "commit");
        changes = changes == null ? List.of() : List.copyOf(changes);
        causes = causes == null ? List.of() : List.copyOf(causes);
        message = message == null ? Optional.empty() : message;
        changeRequest = changeRequest == null ? Optional.empty() : changeRequest;
    }

    @Override
    public String key() {
        return repository + "#" + branch;
    }

    @Override
    public String subject() {
        return repository + "#" + branch + "@" + commit;
    }

    /** One setter value rewritten in one file. */
    public record Change(String file, String setter, String oldValue, String newValue) {}
}
