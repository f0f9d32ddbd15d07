package io.tagstream.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tagstream.common.events.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stateful stand-in for GitHub, Gitea or GitLab's pull-request API over a real git repository (a bare repository of
 * the test kit's git daemon): requests keep numbers, states, titles, bodies and labels; a merge really merges the head
 * branch into the base in git ({@code git merge-tree} + {@code commit-tree}); asking for auto-merge merges at once,
 * as if the checks had passed. Where {@code ../shared/conformance/forges} is present, every request must match the
 * forge's published API description and every answer is validated against it; {@link #violations()} lists what did
 * not. {@link #down(boolean)} makes it answer 503, as a forge being deployed does.
 */
public final class TestForge implements AutoCloseable {

    public enum Kind {
        GITHUB("github/api.github.com.pulls.trimmed.json", ""), GITEA("gitea/gitea-1.22.pulls.trimmed.json", "/api/v1"),
        GITLAB("gitlab/gitlab-v4.merge-requests.trimmed.yaml", "/api/v4");

        final String file;
        final String prefix;

        Kind(String file, String prefix) {
            this.file = file;
            this.prefix = prefix;
        }
    }

    /** One request's state. */
    public static final class Pr {
        public final long number;
        public final String head;
        public final String base;
        public volatile String title;
        public volatile String body;
        public volatile String state = "open";
        public volatile boolean merged;
        public volatile boolean draft;
        public final List<String> labels = new CopyOnWriteArrayList<>();
        public volatile String autoMerge;

        Pr(long number, String head, String base) {
            this.number = number;
            this.head = head;
            this.base = base;
        }
    }

    private final Kind kind;
    private final GitServer git;
    private final String repoName;
    private final String owner;
    private final String token;
    private final HttpServer server;
    private final Optional<ForgeDescription> description;
    /** GitHub's auto-merge GraphQL SDL, read once. */
    private final Optional<String> sdl;
    private final Map<Long, Pr> prs = new LinkedHashMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger next = new AtomicInteger(1);
    private volatile boolean down;
    private volatile boolean loseCreateAnswer;

    private TestForge(Kind kind, GitServer git, String owner, String repoName, String token) throws IOException {
        this.kind = kind;
        this.git = git;
        this.owner = owner;
        this.repoName = repoName;
        this.token = token;
        this.description = ForgeDescription.load(kind.file);
        this.sdl = kind == Kind.GITHUB ? readSdl() : Optional.empty();
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A forge for {@code owner/repo}, whose git repository is the daemon's bare repository {@code repo}. */
    public static TestForge start(Kind kind, GitServer git, String owner, String repo, String token) {
        try {
            return new TestForge(kind, git, owner, repo, token);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The API base URL a client is configured with. */
    public String api() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + kind.prefix;
    }

    public boolean described() {
        return description.isPresent();
    }

    /**
     * What did not fit the description. GitLab's copy is Grape's re-emission, which types the entity's booleans
     * {@code draft} and {@code merge_when_pipeline_succeeds} as strings; GitLab answers JSON booleans (its REST docs),
     * and so does this forge: those two are the only findings set aside.
     */
    public List<String> violations() {
        return violations.stream().filter(v -> kind != Kind.GITLAB
                || !v.matches(".*/(draft|merge_when_pipeline_succeeds): boolean found, string expected")).toList();
    }

    /** {@code METHOD path} of every call, in order. */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    public void down(boolean d) {
        this.down = d;
    }

    /** The next create is made but its answer is lost (the connection is closed), as on a network failure. */
    public void loseNextCreateAnswer() {
        this.loseCreateAnswer = true;
    }

    public synchronized List<Pr> requests() {
        return List.copyOf(prs.values());
    }

    public synchronized List<Pr> open() {
        return prs.values().stream().filter(p -> p.state.equals("open")).toList();
    }

    /** The requests from one head branch, oldest first. */
    public synchronized List<Pr> requests(String head) {
        return prs.values().stream().filter(p -> p.head.equals(head)).toList();
    }

    /** The open requests from one head branch. */
    public synchronized List<Pr> open(String head) {
        return prs.values().stream().filter(p -> p.head.equals(head) && p.state.equals("open")).toList();
    }

    /** A person closes the request without merging. */
    public synchronized void closeByHand(long number) {
        prs.get(number).state = "closed";
    }

    /** A person merges the request. */
    public synchronized void mergeByHand(long number) {
        merge(prs.get(number));
    }

    private void merge(Pr pr) {
        String bare = repoName;
        String tree = git.inBare(bare, "merge-tree", "--write-tree", pr.base, pr.head).trim().split("\n")[0];
        String commit = git.inBare(bare, "-c", "user.name=Test Forge", "-c", "user.email=forge@forge.test", "commit-tree", tree, "-p", pr.base, "-p", pr.head, "-m", "Merge pull request #"
                + pr.number + " from " + pr.head).trim();
        git.inBare(bare, "update-ref", "refs/heads/" + pr.base, commit);
        pr.state = "closed";
        pr.merged = true;
    }

    private String sha(String branch) {
        return git.inBare(repoName, "rev-parse", "refs/heads/" + branch).trim();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getRawPath();
            String query = ex.getRequestURI().getRawQuery();
            calls.add(method + " " + path);
            if (down) {
                send(ex, 503, null, null);
                return;
            }
            byte[] raw = ex.getRequestBody().readAllBytes();
            JsonNode body = raw.length == 0 ? null : Json.mapper().readTree(raw);
            if (!authorised(ex)) {
                send(ex, 401, null, Json.mapper().createObjectNode().put("message", "Bad credentials"));
                return;
            }
            if (kind == Kind.GITHUB && path.equals("/graphql")) {
                graphql(ex, body);
                return;
            }
            description.ifPresent(d -> violations.addAll(d.checkRequest(method, path, query, body)));
            synchronized (this) {
                route(ex, method, path, query, body);
            }
        } catch (RuntimeException | Error e) {
            e.printStackTrace();
            violations.add("forge failed on " + ex.getRequestMethod() + " " + ex.getRequestURI() + ": " + e);
            send(ex, 500, null, null);
        }
    }

    private boolean authorised(HttpExchange ex) {
        return switch (kind) {
            case GITHUB -> ("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"));
            case GITEA -> ("token " + token).equals(ex.getRequestHeaders().getFirst("Authorization"));
            case GITLAB -> token.equals(ex.getRequestHeaders().getFirst("PRIVATE-TOKEN"));
        };
    }

    private void route(HttpExchange ex, String method, String path, String query, JsonNode body) throws IOException {
        Map<String, String> q = new LinkedHashMap<>();
        if (query != null) {
            for (String kv : query.split("&")) {
                String[] p = kv.split("=", 2);
                q.put(URLDecoder.decode(p[0], StandardCharsets.UTF_8), p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "");
            }
        }
        String[] seg = path.substring(kind.prefix.length()).split("/");
        // GitHub/Gitea: /repos/{o}/{r}/pulls[/{n}[/merge]] | /repos/{o}/{r}/pulls/{base}/{head} | /repos/{o}/{r}/issues/{n}/labels
        // GitLab: /projects/{id}/merge_requests[/{iid}[/merge]]
        boolean lab = kind == Kind.GITLAB;
        int at = lab ? 3 : 4; // index of the collection segment
        String collection = seg.length > at ? seg[at] : "";
        if (lab && !URLDecoder.decode(seg[2], StandardCharsets.UTF_8).equals(owner + "/" + repoName)
                || !lab && !(seg[2].equals(owner) && seg[3].equals(repoName))) {
            send(ex, 404, path, Json.mapper().createObjectNode().put("message", "Not Found"));
            return;
        }
        if (collection.equals("issues") && seg.length == at + 3 && method.equals("POST")) {
            Pr pr = prs.get(Long.parseLong(seg[at + 1]));
            body.path("labels").forEach(l -> pr.labels.add(l.asText()));
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            Optional<JsonNode> item = itemSchema(method, path, 200);
            for (String l : pr.labels) {
                ObjectNode o = item.map(s -> (ObjectNode) description.get().sample(s)).orElseGet(Json.mapper()::createObjectNode);
                o.put("name", l);
                out.add(o);
            }
            send(ex, 200, path, out);
            return;
        }
        if (!collection.equals(lab ? "merge_requests" : "pulls")) {
            send(ex, 404, path, Json.mapper().createObjectNode().put("message", "Not Found"));
            return;
        }
        int rest = seg.length - at - 1;
        if (rest == 0 && method.equals("GET")) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            for (Pr pr : prs.values()) {
                boolean open = pr.state.equals("open");
                boolean match = lab ? (!q.containsKey("state") || q.get("state").equals(open ? "opened" : pr.merged ? "merged" : "closed"))
                        && pr.head.equals(q.getOrDefault("source_branch", pr.head)) && pr.base.equals(q.getOrDefault("target_branch", pr.base))
                        : (!q.containsKey("state") || q.get("state").equals("all") || q.get("state").equals(pr.state))
                        && (!q.containsKey("head") || q.get("head").equals(owner + ":" + pr.head))
                        && pr.base.equals(q.getOrDefault("base", pr.base));
                if (match) {
                    out.add(render(pr, itemSchema(method, path, 200)));
                }
            }
            send(ex, 200, path, out);
            return;
        }
        if (rest == 0 && method.equals("POST")) {
            String head = body.path(lab ? "source_branch" : "head").asText();
            String base = body.path(lab ? "target_branch" : "base").asText();
            boolean exists = prs.values().stream().anyMatch(p -> p.state.equals("open") && p.head.equals(head) && p.base.equals(base));
            if (exists) {
                ObjectNode err = Json.mapper().createObjectNode();
                if (kind == Kind.GITHUB) {
                    err.put("message", "Validation Failed")
                            .put("documentation_url", "https://docs.github.com/rest/pulls/pulls#create-a-pull-request");
                    err.putArray("errors").addObject().put("resource", "PullRequest").put("code", "custom")
                            .put("message", "A pull request already exists for " + owner + ":" + head + ".");
                    send(ex, 422, path, err);
                } else {
                    err.put("message", kind == Kind.GITEA ? "pull request already exists for these targets"
                            : "Another open merge request already exists for this source branch");
                    if (kind == Kind.GITLAB) {
                        ArrayNode m = err.putArray("message");
                        m.add("Another open merge request already exists for this source branch: !1");
                        err.set("message", m);
                    }
                    send(ex, 409, path, err);
                }
                return;
            }
            Pr pr = new Pr(next.getAndIncrement(), head, base);
            pr.title = body.path("title").asText();
            pr.body = body.path(lab ? "description" : "body").asText("");
            pr.draft = body.path("draft").asBoolean(false) || pr.title.startsWith("WIP:") || pr.title.startsWith("Draft:");
            if (lab) {
                body.path("labels").forEach(l -> pr.labels.add(l.asText()));
            }
            prs.put(pr.number, pr);
            if (loseCreateAnswer) {
                loseCreateAnswer = false;
                ex.getResponseBody().close(); // made, but the client never hears of it
                throw new LostAnswer();
            }
            send(ex, 201, path, render(pr, schema(method, path, 201)));
            return;
        }
        // Gitea's GET pulls/{base}/{head}
        if (kind == Kind.GITEA && rest == 2 && method.equals("GET") && !seg[at + 2].equals("merge")) {
            String base = URLDecoder.decode(seg[at + 1], StandardCharsets.UTF_8);
            String head = URLDecoder.decode(seg[at + 2], StandardCharsets.UTF_8);
            Optional<Pr> found = prs.values().stream().filter(p -> p.base.equals(base) && p.head.equals(head))
                    .reduce((a, b) -> b);
            if (found.isEmpty()) {
                send(ex, 404, path, null);
            } else {
                send(ex, 200, path, render(found.get(), schema(method, path, 200)));
            }
            return;
        }
        Pr pr = prs.get(Long.parseLong(seg[at + 1]));
        if (pr == null) {
            send(ex, 404, path, kind == Kind.GITEA ? null : Json.mapper().createObjectNode().put("message", "Not Found"));
            return;
        }
        if (rest == 1 && method.equals("GET")) {
            send(ex, 200, path, render(pr, schema(method, path, 200)));
        } else if (rest == 1 && (method.equals("PATCH") || method.equals("PUT"))) {
            if (body.has("title")) {
                pr.title = body.get("title").asText();
            }
            if (body.has(lab ? "description" : "body")) {
                pr.body = body.get(lab ? "description" : "body").asText();
            }
            String close = lab ? body.path("state_event").asText("") : body.path("state").asText("");
            if (close.equals("closed") || close.equals("close")) {
                pr.state = "closed";
            }
            int status = kind == Kind.GITEA ? 201 : 200; // Gitea answers an edit with 201, as its description says
            send(ex, status, path, render(pr, schema(method, path, status)));
        } else if (rest == 2 && seg[at + 2].equals("merge")) {
            String sha = sha(pr.head);
            String expected = body == null ? "" : body.path(kind == Kind.GITEA ? "head_commit_id" : "sha").asText("");
            if (!expected.isEmpty() && !expected.equals(sha)) {
                send(ex, 409, path, kind == Kind.GITEA ? null : Json.mapper().createObjectNode().put("message", "SHA does not match HEAD of source branch"));
                return;
            }
            pr.autoMerge = body == null ? "merge" : kind == Kind.GITLAB ? (body.path("squash").asBoolean(false) ? "squash" : "merge")
                    : body.path(kind == Kind.GITEA ? "Do" : "merge_method").asText("merge");
            merge(pr); // checks pass at once here
            if (kind == Kind.GITEA) {
                send(ex, 200, path, null);
            } else {
                send(ex, 200, path, render(pr, schema(method, path, 200)));
            }
        } else {
            send(ex, 404, path, null);
        }
    }

    private void graphql(HttpExchange ex, JsonNode body) throws IOException {
        String query = body.path("query").asText();
        JsonNode vars = body.path("variables");
        if (!query.contains("enablePullRequestAutoMerge")) {
            violations.add("GraphQL: only enablePullRequestAutoMerge is served: " + query);
        }
        sdl.ifPresent(s -> {
            String input = s.substring(s.indexOf("input EnablePullRequestAutoMergeInput"));
            input = input.substring(0, input.indexOf('}'));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("input:\\s*\\{([^}]*)}").matcher(query);
            if (!m.find()) {
                violations.add("GraphQL: no input object in " + query);
            } else {
                for (String field : m.group(1).split(",")) {
                    String name = field.split(":")[0].strip();
                    if (!java.util.regex.Pattern.compile("\\n\\s*" + name + ":").matcher(input).find()) {
                        violations.add("GraphQL: " + name + " is not a field of EnablePullRequestAutoMergeInput");
                    }
                }
            }
            String method = vars.path("method").asText();
            if (!method.isEmpty() && !s.contains("enum PullRequestMergeMethod") || !List.of("MERGE", "SQUASH", "REBASE").contains(method)) {
                violations.add("GraphQL: merge method " + method + " is not a PullRequestMergeMethod");
            }
        });
        Pr pr = null;
        synchronized (this) {
            for (Pr p : prs.values()) {
                if (("PR_" + p.number).equals(vars.path("id").asText())) {
                    pr = p;
                }
            }
            ObjectNode out = Json.mapper().createObjectNode();
            if (pr == null) {
                out.putArray("errors").addObject().put("message", "Could not resolve to a node with the global id of '"
                        + vars.path("id").asText() + "'");
            } else {
                pr.autoMerge = vars.path("method").asText();
                merge(pr);
                out.putObject("data").putObject("enablePullRequestAutoMerge").putObject("pullRequest")
                        .putObject("autoMergeRequest").put("enabledAt", "2026-12-06T00:00:00Z").put("mergeMethod", pr.autoMerge);
            }
            send(ex, 200, null, out);
        }
    }

    private static Optional<String> readSdl() {
        return ForgeDescription.file("github/graphql-auto-merge.graphql").map(f -> {
            try {
                return java.nio.file.Files.readString(f);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private Optional<JsonNode> schema(String method, String path, int status) {
        return description.flatMap(d -> d.op(method, path)).map(op -> description.get().responseSchema(op, status));
    }

    private Optional<JsonNode> itemSchema(String method, String path, int status) {
        return schema(method, path, status).map(s -> s.has("items") ? description.get().resolve(s.path("items")) : s);
    }

    /** The request as the forge shows it: the schema's required fields, then its state. */
    private JsonNode render(Pr pr, Optional<JsonNode> schema) {
        ObjectNode o = schema.map(s -> (ObjectNode) description.get().sample(s)).orElseGet(Json.mapper()::createObjectNode);
        String sha = sha(pr.head);
        String web = "http://forge.test/" + owner + "/" + repoName;
        switch (kind) {
            case GITHUB -> {
                o.put("number", pr.number).put("id", pr.number).put("node_id", "PR_" + pr.number).put("state", pr.state)
                        .put("title", pr.title).put("body", pr.body).put("draft", pr.draft)
                        .put("html_url", web + "/pull/" + pr.number);
                if (o.has("merged") || schema.isEmpty()) {
                    o.put("merged", pr.merged);
                }
                if (pr.merged) {
                    o.put("merged_at", "2026-12-06T00:00:00Z");
                } else {
                    o.putNull("merged_at");
                }
                ((ObjectNode) o.with("head")).put("ref", pr.head).put("sha", sha).put("label", owner + ":" + pr.head);
                ((ObjectNode) o.with("base")).put("ref", pr.base).put("sha", sha(pr.base)).put("label", owner + ":" + pr.base);
            }
            case GITEA -> {
                o.put("number", pr.number).put("id", pr.number).put("state", pr.state).put("title", pr.title)
                        .put("body", pr.body).put("draft", pr.draft).put("merged", pr.merged)
                        .put("html_url", web + "/pulls/" + pr.number);
                ((ObjectNode) o.with("head")).put("ref", pr.head).put("sha", sha).put("label", pr.head);
                ((ObjectNode) o.with("base")).put("ref", pr.base).put("sha", sha(pr.base)).put("label", pr.base);
                ArrayNode labels = o.putArray("labels");
                pr.labels.forEach(l -> labels.addObject().put("name", l));
            }
            case GITLAB -> {
                o.put("iid", pr.number).put("id", 1000 + pr.number).put("state", pr.merged ? "merged" : pr.state.equals("open")
                        ? "opened" : "closed").put("title", pr.title).put("description", pr.body).put("draft", pr.draft)
                        .put("source_branch", pr.head).put("target_branch", pr.base).put("sha", sha)
                        .put("web_url", web + "/-/merge_requests/" + pr.number)
                        .put("merge_when_pipeline_succeeds", pr.autoMerge != null);
            }
        }
        return o;
    }

    private void send(HttpExchange ex, int status, String path, JsonNode body) throws IOException {
        if (path != null && body != null) {
            description.flatMap(d -> d.op(ex.getRequestMethod(), path))
                    .ifPresent(op -> violations.addAll(description.get().checkResponse(op, status, body)));
        }
        byte[] b = body == null ? new byte[0] : Json.mapper().writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            ex.getResponseBody().write(b);
        }
    }

    /** A create whose answer is dropped on purpose. */
    private static final class LostAnswer extends RuntimeException {}

    @Override
    public void close() {
        server.stop(0);
    }
}
