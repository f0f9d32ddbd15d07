package io.tagstream.gitwriter.core;

/**
 * A pull request (GitHub, Gitea) or merge request (GitLab) as the forge last reported it.
 *
 * @param number GitHub's and Gitea's number, GitLab's {@code iid} (the one in the URL, not the global id)
 * @param state {@code open}, {@code closed} or {@code merged}, whatever the forge calls them ({@link #state(String, boolean)})
 * @param nodeId GitHub's GraphQL id (auto-merge is GraphQL-only there); empty elsewhere
 */
public record ChangeRequest(String provider, String url, long number, String state, String headSha, String title, String body,
        String nodeId) {

    public static final String OPEN = "open";
    public static final String CLOSED = "closed";
    public static final String MERGED = "merged";

    /** A forge's state word and merged flag as one of {@link #OPEN}, {@link #CLOSED}, {@link #MERGED}. */
    public static String state(String forgeState, boolean merged) {
        if (merged || "merged".equals(forgeState)) {
            return MERGED;
        }
        return "open".equals(forgeState) || "opened".equals(forgeState) ? OPEN : CLOSED;
    }

    public boolean open() {
        return OPEN.equals(state);
    }

    /** Whether the forge shows this title and body already (line endings as the forge stores them). */
    public boolean shows(String title, String body) {
        return this.title.equals(title) && normal(this.body).equals(normal(body));
    }

    private static String normal(String s) {
        return s == null ? "" : s.replace("\r\n", "\n").strip();
    }
}
