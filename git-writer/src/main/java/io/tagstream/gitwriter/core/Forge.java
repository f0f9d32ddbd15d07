package io.tagstream.gitwriter.core;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A forge's pull-request API, as much as an automation needs: find the request for a head branch, open, edit, close,
 * label and ask for auto-merge. Implementations speak GitHub's, Gitea's (and Forgejo's) and GitLab's REST APIs.
 */
public interface Forge {

    /** The open request from {@code head} into {@code base}, if there is one. */
    Optional<ChangeRequest> find(String head, String base);

    /** The request as it is now. */
    ChangeRequest get(long number);

    /** Opens a request; {@link Refused} with {@code exists} when the forge already has one for the head branch. */
    ChangeRequest create(String head, String base, String title, String body, boolean draft);

    ChangeRequest edit(long number, String title, String body);

    /** Closes the request, its description replaced by {@code body} (which says why). */
    ChangeRequest close(long number, String body);

    /** Adds labels, reviewers and assignees to a request just opened (each forge what it has). */
    void decorate(ChangeRequest request, List<String> labels, List<String> reviewers, List<String> assignees);

    /** Asks the forge to merge once the checks pass, with the given method. */
    void autoMerge(ChangeRequest request, String method);

    /**
     * The forge answered with an error: its status, its own message, and when to try again ({@code Retry-After}, rate
     * limit reset). {@code exists}: the create was refused because a request for the head branch exists.
     */
    final class Refused extends RuntimeException {
        private final int status;
        private final Optional<Duration> retryAfter;
        private final boolean exists;

        public Refused(String message, int status, Optional<Duration> retryAfter, boolean exists) {
            super(message);
            this.status = status;
            this.retryAfter = retryAfter;
            this.exists = exists;
        }

        public int status() {
            return status;
        }

        public Optional<Duration> retryAfter() {
            return retryAfter;
        }

        public boolean exists() {
            return exists;
        }
    }
}
