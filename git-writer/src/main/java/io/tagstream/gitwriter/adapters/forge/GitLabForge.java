package io.tagstream.gitwriter.adapters.forge;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.gitwriter.core.ChangeRequest;
import io.tagstream.gitwriter.core.Forge;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * GitLab's API v4 merge requests: a project by its URL-encoded path, a request by its {@code iid}, the body is the
 * {@code description}, a draft is a {@code Draft:} title, labels are set at creation, auto-merge is "merge when the
 * pipeline succeeds".
 */
final class GitLabForge implements Forge {

    private final ForgeHttp http;
    private final String project;
    /** Labels are an attribute of the create request on GitLab, not a call of their own. */
    private final List<String> labels;

    GitLabForge(String api, String repository, String token, List<String> labels) {
        this.http = new ForgeHttp(api, "PRIVATE-TOKEN", token, "application/json");
        this.project = "/projects/" + ForgeHttp.enc(repository);
        this.labels = List.copyOf(labels);
    }

    ForgeHttp http() {
        return http;
    }

    @Override
    public Optional<ChangeRequest> find(String head, String base) {
        for (JsonNode mr : http.get(project + "/merge_requests?state=opened&source_branch=" + ForgeHttp.enc(head)
                + "&target_branch=" + ForgeHttp.enc(base))) {
            return Optional.of(of(mr));
        }
        return Optional.empty();
    }

    @Override
    public ChangeRequest get(long number) {
        return of(http.get(project + "/merge_requests/" + number));
    }

    @Override
    public ChangeRequest create(String head, String base, String title, String body, boolean draft) {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("source_branch", head);
        req.put("target_branch", base);
        req.put("title", title);
        req.put("description", body);
        if (!labels.isEmpty()) {
            req.put("labels", labels);
        }
        return of(http.send("POST", project + "/merge_requests", req, said -> true));
    }

    @Override
    public ChangeRequest edit(long number, String title, String body) {
        return of(http.send("PUT", project + "/merge_requests/" + number, Map.of("title", title, "description", body),
                s -> false));
    }

    @Override
    public ChangeRequest close(long number, String body) {
        return of(http.send("PUT", project + "/merge_requests/" + number, Map.of("state_event", "close", "description", body),
                s -> false));
    }

    @Override
    public void decorate(ChangeRequest request, List<String> labels, List<String> reviewers, List<String> assignees) {
        // labels went with the create request
    }

    @Override
    public void autoMerge(ChangeRequest request, String method) {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("merge_when_pipeline_succeeds", true);
        req.put("sha", request.headSha());
        req.put("squash", method.equals("squash"));
        http.send("PUT", project + "/merge_requests/" + request.number() + "/merge", req, s -> false);
    }

    static ChangeRequest of(JsonNode mr) {
        return new ChangeRequest("gitlab", mr.path("web_url").asText(), mr.path("iid").asLong(),
                ChangeRequest.state(mr.path("state").asText(), false), mr.path("sha").asText(), mr.path("title").asText(),
                mr.path("description").asText(""), "");
    }
}
