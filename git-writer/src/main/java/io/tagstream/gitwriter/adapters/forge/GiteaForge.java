package io.tagstream.gitwriter.adapters.forge;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.gitwriter.core.ChangeRequest;
import io.tagstream.gitwriter.core.Forge;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Gitea's (and Forgejo's) API v1: the request for a head branch is {@code GET pulls/{base}/{head}} (the list has no
 * head filter), a draft is a {@code WIP:} title, labels go by name to the issue, and auto-merge is a merge scheduled
 * with {@code merge_when_checks_succeed}.
 */
final class GiteaForge implements Forge {

    private final ForgeHttp http;
    private final String repo;

    GiteaForge(String api, String repository, String token) {
        this.http = new ForgeHttp(api, "Authorization", token.isEmpty() ? "" : "token " + token, "application/json");
        this.repo = "/repos/" + repository;
    }

    ForgeHttp http() {
        return http;
    }

    @Override
    public Optional<ChangeRequest> find(String head, String base) {
        return http.find(repo + "/pulls/" + ForgeHttp.enc(base) + "/" + ForgeHttp.enc(head)).map(GiteaForge::of)
                .filter(ChangeRequest::open);
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
        return of(http.send("POST", repo + "/pulls", req, said -> true));
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
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("Do", method);
        req.put("merge_when_checks_succeed", true);
        req.put("head_commit_id", request.headSha());
        http.send("POST", repo + "/pulls/" + request.number() + "/merge", req, s -> false);
    }

    static ChangeRequest of(JsonNode pr) {
        return new ChangeRequest("gitea", pr.path("html_url").asText(), pr.path("number").asLong(),
                ChangeRequest.state(pr.path("state").asText(), pr.path("merged").asBoolean(false)),
                pr.path("head").path("sha").asText(), pr.path("title").asText(), pr.path("body").asText(""), "");
    }
}
