package io.tagstream.gitwriter.adapters.forge;

import io.tagstream.common.config.PullRequest;
import io.tagstream.gitwriter.core.Forge;

/** The forge client for an automation's {@code pullRequest} setting. */
public final class Forges {

    private Forges() {}

    /** A client for the repository at {@code gitUrl}, with the API token (empty: anonymous, which forges refuse). */
    public static Forge of(PullRequest pr, String gitUrl, String token) {
        String api = pr.api(gitUrl).orElseThrow(() -> new IllegalArgumentException("no API URL for " + gitUrl));
        String repository = pr.project(gitUrl).orElseThrow(() -> new IllegalArgumentException("no repository in " + gitUrl));
        return switch (pr.provider()) {
            case GITHUB -> new GitHubForge(api, repository, token);
            case GITEA -> new GiteaForge(api, repository, token);
            case GITLAB -> new GitLabForge(api, repository, token, pr.labels());
        };
    }
}
