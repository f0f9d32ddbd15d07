package io.tagstream.gitwriter.adapters.forge;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.gitwriter.core.ChangeRequest;
import io.tagstream.gitwriter.core.Forge;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * GitHub's REST API (and GitHub Enterprise Server's {@code /api/v3}): pulls, issue labels; auto-merge through the
 * GraphQL mutation {@code enablePullRequestAutoMerge}, which has no REST twin.
 */
final class GitHubForge implements Forge {

    private final ForgeHttp http;
    private final String graphql;
    private final String repo;
    private final String owner;

    GitHubForge(String api, String repository, String token) {
        this.http = new ForgeHttp(api, "Authorization", token.isEmpty() ? "" : "Bearer " + token, "application/vnd.github+json");
        this.graphql = api.endsWith("/api/v3") ? api.substring(0, api.length() - 3) + "graphql" : api + "/graphql";
        this.repo = "/repos/" + repository;
        this.owner = repository.substring(0, repository.indexOf('/'));
    }

    ForgeHttp http() {
        return http;
    }

    @Override
    public Optional<ChangeRequest> find(String head, String base) {
        JsonNode list = http.get(repo + "/pulls?state=open&head=" + ForgeHttp.enc(owner + ":" + head) + "&base="
                + ForgeHttp.enc(base));
        for (JsonNode pr : list) {
            if (pr.path("head").path("ref").asText().equals(head)) {
                return Optional.of(of(pr));
            }
        }
        return Optional.empty();
    }

    @Override
    public ChangeRequest get(long number) {
        return of(http.get(repo + "/pulls/" + number));
    }

    @Override
    public ChangeRequest create(String head, String base, String title, String body, boolean draft) {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("title", title);
        req.put("body", body);
        req.put("head", head);
        req.put("base", base);
        req.put("draft", draft);
        req.put("maintainer_can_modify", true);
        return of(http.send("POST", repo + "/pulls", req, said -> said.contains("already exists")));
    }

    @Override
    public ChangeRequest edit(long number, String title, String body) {
        return of(http.send("PATCH", repo + "/pulls/" + number, Map.of("title", title, "body", body), s -> false));
    }

    @Override
    public ChangeRequest close(long number, String body) {
        return of(http.send("PATCH", repo + "/pulls/" + number, Map.of("state", "closed", "body", body), s -> false));
    }

    @Override
    public void decorate(ChangeRequest request, List<String> labels, List<String> reviewers, List<String> assignees) {
        if (!labels.isEmpty()) {
            http.send("POST", repo + "/issues/" + request.number() + "/labels", Map.of("labels", labels), s -> false);
        }
    }

    @Override
    public void autoMerge(ChangeRequest request, String method) {
        String query = "mutation($id: ID!, $method: PullRequestMergeMethod, $head: GitObjectID) {"
                + " enablePullRequestAutoMerge(input: {pullRequestId: $id, mergeMethod: $method, expectedHeadOid: $head})"
                + " { pullRequest { autoMergeRequest { enabledAt mergeMethod } } } }";
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("id", request.nodeId());
        vars.put("method", method.toUpperCase(java.util.Locale.ROOT));
        vars.put("head", request.headSha());
        JsonNode answer = http.send("POST", graphql, Map.of("query", query, "variables", vars),
                s -> false);
        if (answer.path("errors").size() > 0) {
            throw new Refused("GitHub GraphQL enablePullRequestAutoMerge: " + answer.path("errors").get(0).path("message").asText(),
                    200, Optional.empty(), false);
        }
    }

    static ChangeRequest of(JsonNode pr) {
        boolean merged = pr.path("merged").asBoolean(false) || (pr.hasNonNull("merged_at"));
        return new ChangeRequest("github", pr.path("html_url").asText(), pr.path("number").asLong(),
                ChangeRequest.state(pr.path("state").asText(), merged), pr.path("head").path("sha").asText(),
                pr.path("title").asText(), pr.path("body").asText(""), pr.path("node_id").asText());
    }
}
