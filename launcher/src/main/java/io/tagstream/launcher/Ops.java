package io.tagstream.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tagstream.common.events.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operators' commands: {@code ./tagstream status}, {@code promotions}, {@code approve} and {@code reject}, reading
 * and acting through the services' REST APIs with the token in {@code TAGSTREAM_TOKEN} (sent as a Bearer token; the
 * services decide what it may do, so a viewer's approval is refused here as in any other client).
 */
public final class Ops {

    static final String USAGE = """
            usage: ./tagstream status                      repositories, policies, pending promotions, mirrors, automations, errors
                   ./tagstream promotions [--pending | --state STATE] [--limit N]
                   ./tagstream approve ID [--comment TEXT]
                   ./tagstream reject ID [--comment TEXT]
              TAGSTREAM_TOKEN           API token or OIDC access token (Bearer); needed to approve and reject,
                                        and to read when the services require it
              TAGSTREAM_POLLER_URL      default http://127.0.0.1:8081   TAGSTREAM_EVALUATOR_URL   default http://127.0.0.1:8082
              TAGSTREAM_PROMOTER_URL    default http://127.0.0.1:8083   TAGSTREAM_GIT_WRITER_URL  default http://127.0.0.1:8084
            exit code: 0 done, 1 a service refused or could not be reached, 2 usage
            """;

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    public Ops(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new Ops(System.getenv(), System.out, System.err).run(List.of(args)));
    }

    /** Runs one command; returns the exit code. */
    public int run(List<String> args) {
        if (args.isEmpty() || args.get(0).equals("--help")) {
            (args.isEmpty() ? err : out).print(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        try {
            return switch (args.get(0)) {
                case "status" -> args.size() == 1 ? status() : args.get(1).equals("--help") ? help() : usage();
                case "promotions" -> promotions(args.subList(1, args.size()));
                case "approve", "reject" -> decide(args.get(0), args.subList(1, args.size()));
                default -> usage();
            };
        } catch (Refused e) {
            err.println("tagstream " + args.get(0) + ": " + e.getMessage());
            return 1;
        }
    }

    private int help() {
        out.print(USAGE);
        return 0;
    }

    private int usage() {
        err.print(USAGE);
        return 2;
    }

    private String url(String service) {
        String u = switch (service) {
            case "registry-poller" -> env.getOrDefault("TAGSTREAM_POLLER_URL", "http://127.0.0.1:8081");
            case "policy-evaluator" -> env.getOrDefault("TAGSTREAM_EVALUATOR_URL", "http://127.0.0.1:8082");
            case "promoter" -> env.getOrDefault("TAGSTREAM_PROMOTER_URL", "http://127.0.0.1:8083");
            default -> env.getOrDefault("TAGSTREAM_GIT_WRITER_URL", "http://127.0.0.1:8084");
        };
        return u.replaceAll("/+$", "");
    }

    /** A service answered with an error, or could not be reached: its words, as the operator needs them. */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    private JsonNode call(String service, String method, String path, Optional<String> body) {
        String target = url(service) + path;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target)).timeout(Duration.ofSeconds(20))
                .header("Accept", "application/json");
        String token = env.getOrDefault("TAGSTREAM_TOKEN", "");
        if (!token.isBlank()) {
            b.header("Authorization", "Bearer " + token.strip());
        }
        b.method(method, body.map(s -> {
            b.header("Content-Type", "application/json");
            return HttpRequest.BodyPublishers.ofString(s);
        }).orElse(HttpRequest.BodyPublishers.noBody()));
        HttpResponse<String> r;
        try {
            r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Refused(service + " at " + url(service) + " cannot be reached (" + e.getMessage() + "); is it running?"
                    + " Set " + envName(service) + " to its address");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused("interrupted");
        }
        if (r.statusCode() >= 300) {
            String reason = reason(r.body());
            String hint = r.statusCode() == 401 ? " (set TAGSTREAM_TOKEN to an API token: ./tagstream token new …)"
                    : r.statusCode() == 403 ? " (the token's identity lacks the role this needs)" : "";
            throw new Refused(service + " answered " + r.statusCode() + " to " + method + " " + path
                    + (reason.isEmpty() ? "" : ": " + reason) + hint);
        }
        try {
            return r.body().isBlank() ? Json.mapper().createObjectNode() : Json.mapper().readTree(r.body());
        } catch (IOException e) {
            throw new Refused(service + " answered " + r.statusCode() + " with no JSON");
        }
    }

    private static String envName(String service) {
        return switch (service) {
            case "registry-poller" -> "TAGSTREAM_POLLER_URL";
            case "policy-evaluator" -> "TAGSTREAM_EVALUATOR_URL";
            case "promoter" -> "TAGSTREAM_PROMOTER_URL";
            default -> "TAGSTREAM_GIT_WRITER_URL";
        };
    }

    /** The error's own words: a JSON {@code error}/{@code message}/{@code reason}, else the text. */
    static String reason(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode n = Json.mapper().readTree(body);
            for (String f : List.of("error", "message", "reason", "details")) {
                if (n.hasNonNull(f)) {
                    return n.get(f).isTextual() ? n.get(f).asText() : n.get(f).toString();
                }
            }
            return body.strip();
        } catch (IOException e) {
            return body.strip().length() > 300 ? body.strip().substring(0, 300) + "…" : body.strip();
        }
    }

    private int status() {
        List<String> unreachable = new ArrayList<>();
        section("REPOSITORIES", "registry-poller", "/api/v1/repositories", List.of("REPOSITORY", "IMAGE", "TAGS", "LATEST", "LAST SCAN",
                "ERROR"), r -> List.of(text(r, "id"), text(r, "image"), text(r, "tagCount"), join(r.path("latestTags"), 3),
                ago(r, "lastScan"), text(r, "lastError")), unreachable);
        section("POLICIES", "policy-evaluator", "/api/v1/policies", List.of("POLICY", "LATEST", "PREVIOUS", "SINCE", "ERROR"),
                p -> List.of(text(p, "policy"), text(p.path("latest"), "tag"), text(p.path("previous"), "tag"), ago(p, "since"),
                        text(p, "lastError")), unreachable);
        section("PENDING PROMOTIONS", "promoter", "/api/v1/promotions?state=pending&limit=50", List.of("ID", "PROMOTION",
                "IMAGE", "APPROVALS / SIGNALS", "DEADLINE"), p -> List.of(text(p, "id"), text(p, "promotion"), text(p, "image") + ":"
                + text(p, "tag"), gate(p), text(p, "deadline")), unreachable);
        section("MIRRORS", "promoter", "/api/v1/mirrors", List.of("MIRROR", "DESTINATION", "SELECTED", "AT DESTINATION", "DRIFTED",
                "FAILED", "PRUNE NEXT"), m -> List.of(text(m, "name"), text(m, "destination"), String.valueOf(m.path("selected").size()),
                String.valueOf(count(m, "copied", "overwritten", "skipped")), String.valueOf(count(m, "drifted")),
                String.valueOf(count(m, "failed")), pruneNext(m.path("prune"))), unreachable);
        section("AUTOMATIONS", "git-writer", "/api/v1/automations", List.of("AUTOMATION", "BRANCH", "LAST PUSH", "COMMIT",
                "PULL REQUEST", "ERROR"), a -> List.of(text(a, "automation"), text(a, "branch"), ago(a, "lastPushTime"),
                abbrev(text(a, "lastPushedCommit")), pullRequest(a.path("pullRequest")), text(a, "lastError")), unreachable);
        if (!unreachable.isEmpty()) {
            err.println("tagstream status: " + String.join("; ", unreachable));
            return 1;
        }
        return 0;
    }

    /** The destination tags a mirror's next prune deletes, the first three. */
    static String pruneNext(JsonNode prune) {
        List<String> tags = prune.findValuesAsText("destinationTag");
        return String.join(" ", tags.subList(0, Math.min(3, tags.size()))) + (tags.size() > 3 ? " …" : "");
    }

    /** How many of a mirror's tags have one of these statuses. */
    static long count(JsonNode mirror, String... statuses) {
        List<String> wanted = List.of(statuses);
        long n = 0;
        for (JsonNode t : mirror.path("tags")) {
            n += wanted.contains(t.path("status").asText()) ? 1 : 0;
        }
        return n;
    }

    private interface Row {
        List<String> of(JsonNode n);
    }

    private void section(String title, String service, String path, List<String> header, Row row, List<String> problems) {
        out.println(title + " (" + url(service) + ")");
        JsonNode list;
        try {
            list = call(service, "GET", path, Optional.empty());
        } catch (Refused e) {
            out.println("  unavailable: " + e.getMessage());
            out.println();
            problems.add(e.getMessage());
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(header);
        for (JsonNode n : list) {
            rows.add(row.of(n));
        }
        if (rows.size() == 1) {
            out.println("  none");
        } else {
            out.print(table(rows));
        }
        out.println();
    }

    private int promotions(List<String> args) {
        String query = "?limit=50";
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--pending" -> query += "&state=pending";
                case "--state" -> {
                    if (i + 1 >= args.size()) {
                        return usage();
                    }
                    query += "&state=" + java.net.URLEncoder.encode(args.get(++i).toLowerCase(java.util.Locale.ROOT),
                            java.nio.charset.StandardCharsets.UTF_8);
                }
                case "--limit" -> {
                    if (i + 1 >= args.size() || !args.get(i + 1).matches("[0-9]{1,4}")) {
                        return usage();
                    }
                    query = query.replaceFirst("limit=[0-9]+", "limit=" + args.get(++i));
                }
                default -> {
                    return usage();
                }
            }
        }
        JsonNode list = call("promoter", "GET", "/api/v1/promotions" + query, Optional.empty());
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("ID", "PROMOTION", "IMAGE", "STATE", "CREATED", "GATE / DECIDED BY"));
        for (JsonNode p : list) {
            String state = text(p, "state");
            rows.add(List.of(text(p, "id"), text(p, "promotion"), text(p, "image") + ":" + text(p, "tag"), state,
                    text(p, "createdAt"), state.equals("PENDING") ? gate(p) : text(p, "decidedBy")));
        }
        out.print(rows.size() == 1 ? "no promotions\n" : table(rows));
        return 0;
    }

    private int decide(String verb, List<String> args) {
        if (args.isEmpty() || args.get(0).startsWith("-")) {
            return usage();
        }
        String id = args.get(0);
        ObjectNode body = Json.mapper().createObjectNode();
        for (int i = 1; i < args.size(); i++) {
            if (args.get(i).equals("--comment") && i + 1 < args.size()) {
                body.put("comment", args.get(++i));
            } else {
                return usage();
            }
        }
        if (!id.matches("[A-Za-z0-9._:-]{1,200}")) {
            err.println("tagstream " + verb + ": '" + id + "' is not a promotion id (./tagstream promotions --pending lists them)");
            return 2;
        }
        JsonNode p = call("promoter", "POST", "/api/v1/promotions/" + id + "/" + verb, Optional.of(body.toString()));
        out.println(text(p, "id") + " " + text(p, "promotion") + " " + text(p, "image") + ":" + text(p, "tag") + " → "
                + text(p, "state") + (text(p, "decidedBy").isEmpty() ? "" : " by " + text(p, "decidedBy")));
        return 0;
    }

    /** Where a pending promotion stands: who approved so far and which signals arrived. */
    static String gate(JsonNode p) {
        List<String> approvals = new ArrayList<>();
        p.path("approvals").forEach(a -> approvals.add(a.asText()));
        List<String> signals = new ArrayList<>();
        p.path("signals").forEach(a -> signals.add(a.asText()));
        return (approvals.isEmpty() ? "no approval yet" : "approved by " + String.join(", ", approvals))
                + (signals.isEmpty() ? "" : "; signals " + String.join(", ", signals));
    }

    static String pullRequest(JsonNode pr) {
        if (pr.isMissingNode() || pr.isNull()) {
            return "";
        }
        return "#" + text(pr, "number") + " " + text(pr, "state") + " " + text(pr, "url");
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isMissingNode() || v.isNull() ? "" : v.isValueNode() ? v.asText() : v.toString();
    }

    static String join(JsonNode list, int max) {
        List<String> out = new ArrayList<>();
        list.forEach(t -> {
            if (out.size() < max) {
                out.add(t.asText());
            }
        });
        return String.join(" ", out) + (list.size() > max ? " …" : "");
    }

    static String abbrev(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) : sha;
    }

    static String ago(JsonNode n, String field) {
        String t = text(n, field);
        if (t.isEmpty()) {
            return "";
        }
        try {
            long s = Duration.between(java.time.Instant.parse(t), java.time.Instant.now()).toSeconds();
            return s < 0 ? t : s < 120 ? s + "s ago" : s < 7200 ? s / 60 + "m ago" : s < 172_800 ? s / 3600 + "h ago" : s / 86_400 + "d ago";
        } catch (java.time.format.DateTimeParseException e) {
            return t;
        }
    }

    /** Columns padded to their widest cell; a cell longer than 60 characters is cut with an ellipsis. */
    static String table(List<List<String>> rows) {
        int cols = rows.get(0).size();
        int[] width = new int[cols];
        List<List<String>> cut = new ArrayList<>();
        for (List<String> r : rows) {
            List<String> c = new ArrayList<>();
            for (int i = 0; i < cols; i++) {
                String cell = i < r.size() && r.get(i) != null ? r.get(i).replace('\n', ' ') : "";
                cell = cell.length() > 60 ? cell.substring(0, 59) + "…" : cell;
                c.add(cell);
                width[i] = Math.max(width[i], cell.length());
            }
            cut.add(c);
        }
        StringBuilder s = new StringBuilder();
        for (List<String> r : cut) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < cols; i++) {
                line.append(r.get(i));
                if (i < cols - 1) {
                    line.append(" ".repeat(width[i] - r.get(i).length() + 2));
                }
            }
            s.append(line.toString().stripTrailing()).append('\n');
        }
        return s.toString();
    }
}
