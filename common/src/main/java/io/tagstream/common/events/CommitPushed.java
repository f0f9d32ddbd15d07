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
 */
public record CommitPushed(
        String automation,
        String repository,
        String branch,
        String commit,
        List<Change> changes,
        Instant pushedAt,
        List<String> causes,
        Optional<String> message)
        implements Event {

    public CommitPushed(String automation, String repository, String branch, String commit, List<Change> changes,
            Instant pushedAt, List<String> causes) {
        this(automation, repository, branch, commit, changes, pushedAt, causes, Optional.empty());
    }

    public CommitPushed {
        Objects.requireNonNull(automation, "automation");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(branch, "branch");
        Objects.requireNonNull(commit, "commit");
        changes = changes == null ? List.of() : List.copyOf(changes);
        causes = causes == null ? List.of() : List.copyOf(causes);
        message = message == null ? Optional.empty() : message;
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
