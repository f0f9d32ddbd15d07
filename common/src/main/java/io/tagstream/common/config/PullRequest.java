package io.tagstream.common.config;

import java.util.List;
import java.util.Optional;

/**
 * Tagstream's extension of ImageUpdateAutomation, {@code spec.git.push.pullRequest}: the push branch is proposed to
 * the checkout branch as one pull (merge) request on a forge, kept current as approvals arrive. Flux has no such field.
 *
 * @param provider which forge API speaks for the repository
 * @param apiUrl the API's base URL ({@code https://api.github.com}, {@code https://gitea.example/api/v1},
 *     {@code https://gitlab.example/api/v4}); when not set, from the GitRepository URL ({@link #api})
 * @param repository {@code owner/name} on GitHub and Gitea, the project path on GitLab; when not set, from the
 *     GitRepository URL ({@link #project})
 * @param title Go text/template over the commit message's data; empty: a title naming the automation and the images
 * @param body Go text/template over the same data; empty: a table of every pending change
 * @param autoMerge ask the forge to merge once checks pass (GitHub auto-merge, GitLab merge when the pipeline succeeds,
 *     Gitea merge when checks succeed) with {@code mergeMethod}
 * @param secretRef a Secret holding the API token ({@code token}, else {@code password}); empty: the GitRepository's
 */
public record PullRequest(Provider provider, Optional<String> apiUrl, Optional<String> repository, Optional<String> title, Optional<String> body,
        List<String> labels, List<String> reviewers, List<String> assignees, boolean draft, boolean autoMerge,
        MergeMethod mergeMethod, Optional<String> secretRef) {

    /** The API base URL for a repository at {@code gitUrl}, without a trailing slash. */
    public Optional<String> api(String gitUrl) {
        return apiUrl.or(() -> defaultApiUrl(provider, gitUrl)).map(u -> u.replaceAll("/+$", ""));
    }

    /** The repository's name on the forge, for a repository at {@code gitUrl}. */
    public Optional<String> project(String gitUrl) {
        return repository.or(() -> repositoryOf(provider, gitUrl));
    }

    public enum Provider {
        GITHUB, GITLAB, GITEA;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public enum MergeMethod {
        MERGE, SQUASH, REBASE;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * The API base URL a forge serves beside a git URL: github.com's is api.github.com, GitHub Enterprise's
     * {@code /api/v3}, Gitea's {@code /api/v1}, GitLab's {@code /api/v4}. Only for http(s) URLs.
     */
    public static Optional<String> defaultApiUrl(Provider provider, String gitUrl) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)(https?)://(?:[^/@]+@)?([^/]+)/.*").matcher(gitUrl);
        if (!m.matches()) {
            return Optional.empty();
        }
        String scheme = m.group(1).toLowerCase(java.util.Locale.ROOT);
        String host = m.group(2);
        return Optional.of(switch (provider) {
            case GITHUB -> host.equalsIgnoreCase("github.com") ? "https://api.github.com" : scheme + "://" + host + "/api/v3";
            case GITEA -> scheme + "://" + host + "/api/v1";
            case GITLAB -> scheme + "://" + host + "/api/v4";
        });
    }

    /** {@code owner/name} (GitLab: the whole project path) from a git URL's path, without {@code .git}. */
    public static Optional<String> repositoryOf(Provider provider, String gitUrl) {
        String path = gitUrl.replaceFirst("^[a-zA-Z][a-zA-Z0-9+.-]*://[^/]*", "").replaceFirst("^[^@/]+@[^:]+:", "");
        path = path.replaceAll("^/+|/+$", "").replaceFirst("\\.git$", "");
        String[] parts = path.split("/");
        if (parts.length < 2 || path.isEmpty()) {
            return Optional.empty();
        }
        if (provider == Provider.GITLAB) {
            return Optional.of(path);
        }
        return Optional.of(parts[parts.length - 2] + "/" + parts[parts.length - 1]);
    }
}
