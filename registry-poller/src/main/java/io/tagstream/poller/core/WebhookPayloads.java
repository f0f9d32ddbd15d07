package io.tagstream.poller.core;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads each registry's push notification into hints: which repository changed and, when the payload says, which tag.
 * Nothing in a payload is trusted beyond that; digests are always resolved against the registry again.
 */
public final class WebhookPayloads {

    /** A repository that changed; no tag means "rescan it". {@code host} is absent when the payload does not say. */
    /**
     * One tag (or a rescan) a payload names. {@code pushedBy}: who pushed it, where the provider says (Docker Hub's
     * {@code push_data.pusher}, distribution's {@code actor.name}, Harbor's {@code operator}, GitHub's
     * {@code sender.login}, the user part of Nexus' {@code initiator}); only a hint, as the tag is.
     */
    public record Hint(Optional<String> host, String path, Optional<String> tag, Optional<String> pushedBy) {
        public Hint {
            pushedBy = pushedBy == null ? Optional.empty() : pushedBy.filter(io.tagstream.common.events.TagDiscovered::plausiblePusher);
        }

        public Hint(Optional<String> host, String path, Optional<String> tag) {
            this(host, path, tag, Optional.empty());
        }
    }

    /** What a payload amounts to. */
    public sealed interface Reading permits Hints, Ignored {}

    public record Hints(List<Hint> hints) implements Reading {}

    /** A valid payload about something we do not act on: a pull, a blob, an untagged manifest, a delete. */
    public record Ignored(String reason) implements Reading {}

    /** The payload cannot be read as this provider's notification. */
    public static final class Malformed extends Exception {
        public Malformed(String message) {
            super(message);
        }
    }

    private static final Set<String> MANIFEST_TYPES = Set.of(
            "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.v1+prettyjws");

    private WebhookPayloads() {}

    public static Reading read(String type, JsonNode body, Optional<String> githubEvent) throws Malformed {
        if (body == null || !body.isObject()) {
            throw new Malformed("body must be a JSON object");
        }
        return switch (type) {
            case "distribution", "gitlab", "acr" -> distribution(body);
            case "dockerhub" -> dockerhub(body);
            case "harbor" -> harbor(body);
            case "quay" -> quay(body);
            case "github" -> github(body, githubEvent);
            case "gitea" -> gitea(body);
            case "jfrog" -> jfrog(body);
            case "nexus" -> nexus(body);
            case "gcr" -> gar(body);
            case "generic", "generic-hmac" -> generic(body);
            default -> throw new Malformed("unknown provider type '" + type + "'");
        };
    }

    private static String text(JsonNode n, String field, String what) throws Malformed {
        JsonNode v = n.path(field);
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new Malformed(what + " has no '" + field + "'");
        }
        return v.asText();
    }

    private static Optional<String> optText(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isTextual() && !v.asText().isBlank() ? Optional.of(v.asText()) : Optional.empty();
    }

    /** CNCF distribution notifications ({@code {"events": [...]}}), and ACR/GitLab sending one event alone. */
    private static Reading distribution(JsonNode body) throws Malformed {
        List<JsonNode> events = new ArrayList<>();
        if (body.has("events")) {
            if (!body.get("events").isArray()) {
                throw new Malformed("'events' must be a list");
            }
            body.get("events").forEach(events::add);
        } else if (body.has("action") && body.has("target")) {
            events.add(body);
        } else {
            throw new Malformed("distribution notification has neither 'events' nor 'action' and 'target'");
        }
        List<Hint> hints = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        for (JsonNode e : events) {
            String action = e.path("action").asText("");
            JsonNode target = e.path("target");
            String repo = text(target, "repository", "event target");
            Optional<String> tag = optText(target, "tag");
            String media = target.path("mediaType").asText("");
            if (!action.equals("push")) {
                ignored.add(action + " of " + repo);
            } else if (!media.isEmpty() && !MANIFEST_TYPES.contains(media)) {
                ignored.add("blob push to " + repo);
            } else if (tag.isEmpty()) {
                ignored.add("untagged manifest push to " + repo);
            } else {
                hints.add(new Hint(optText(e.path("request"), "host"), repo, tag, optText(e.path("actor"), "name")));
            }
        }
        return hints.isEmpty() ? new Ignored(String.join("; ", ignored)) : new Hints(hints);
    }

    private static Reading dockerhub(JsonNode body) throws Malformed {
        String repo = text(body.path("repository"), "repo_name", "Docker Hub payload repository");
        Optional<String> tag = optText(body.path("push_data"), "tag");
        return new Hints(List.of(new Hint(Optional.of("docker.io"), repo.contains("/") ? repo : "library/" + repo, tag,
                optText(body.path("push_data"), "pusher"))));
    }

    private static Reading harbor(JsonNode body) throws Malformed {
        String type = text(body, "type", "Harbor payload");
        if (!type.equals("PUSH_ARTIFACT") && !type.equals("pushImage")) {
            return new Ignored("Harbor event " + type);
        }
        JsonNode data = body.path("event_data");
        String repo = text(data.path("repository"), "repo_full_name", "Harbor event_data.repository");
        List<Hint> hints = new ArrayList<>();
        for (JsonNode r : data.path("resources")) {
            Optional<String> host = optText(r, "resource_url").map(u -> u.substring(0, Math.max(0, u.indexOf('/')))).filter(h -> !h.isEmpty());
            hints.add(new Hint(host, repo, optText(r, "tag"), optText(body, "operator")));
        }
        return hints.isEmpty() ? new Hints(List.of(new Hint(Optional.empty(), repo, Optional.empty()))) : new Hints(hints);
    }

    private static Reading quay(JsonNode body) throws Malformed {
        String url = text(body, "docker_url", "Quay payload");
        int slash = url.indexOf('/');
        Optional<String> host = slash > 0 ? Optional.of(url.substring(0, slash)) : Optional.empty();
        String path = slash > 0 ? url.substring(slash + 1) : url;
        List<Hint> hints = new ArrayList<>();
        for (JsonNode t : body.path("updated_tags")) {
            if (!t.isTextual() || t.asText().isBlank()) {
                throw new Malformed("Quay updated_tags must list tag names");
            }
            hints.add(new Hint(host, path, Optional.of(t.asText())));
        }
        return hints.isEmpty() ? new Hints(List.of(new Hint(host, path, Optional.empty()))) : new Hints(hints);
    }

    private static Reading github(JsonNode body, Optional<String> event) throws Malformed {
        JsonNode pkg = body.has("registry_package") ? body.get("registry_package") : body.path("package");
        if (pkg.has("type") && !pkg.has("package_type")) {
            return gitea(body); // Gitea and Forgejo post their own shape; Flux tells their users to pick type github
        }
        if (pkg.isMissingNode()) {
            throw new Malformed("GitHub payload has neither 'registry_package' nor 'package'");
        }
        String action = body.path("action").asText("");
        if (!action.equals("published") && !action.equals("updated")) {
            return new Ignored("GitHub package action " + action);
        }
        String ptype = pkg.path("package_type").asText("").toLowerCase(java.util.Locale.ROOT);
        if (!ptype.equals("container") && !ptype.equals("docker")) {
            return new Ignored("GitHub package of type " + ptype);
        }
        JsonNode version = pkg.path("package_version");
        Optional<String> tag = optText(version.path("container_metadata").path("tag"), "name");
        String url = text(version, "package_url", "GitHub package_version");
        String ref = url.endsWith(":") ? url.substring(0, url.length() - 1) : url;
        int lastSlash = ref.lastIndexOf('/');
        int colon = ref.lastIndexOf(':');
        String repo = colon > lastSlash ? ref.substring(0, colon) : ref;
        String[] hp = hostAndPath(repo, "GitHub package_url");
        return new Hints(List.of(new Hint(Optional.of(hp[0]), hp[1].toLowerCase(java.util.Locale.ROOT), tag,
                optText(body.path("sender"), "login"))));
    }

    private static final java.util.regex.Pattern COSIGN_TAG = java.util.regex.Pattern.compile("sha256-[0-9a-f]{64}(\\.[a-z]+)?");

    /**
     * Gitea's (and Forgejo's) package event ({@code structs.PackagePayload}: {@code action}, {@code package} with
     * {@code type}, {@code name}, {@code version}, {@code owner.login}, {@code html_url}). Every manifest push fires
     * {@code created}, also a digest-only version ({@code sha256:…}, an index's platform manifests) and cosign's
     * {@code sha256-<hex>.sig} tags: those name no tag a policy could select, so they are ignored. The image is
     * {@code <host of html_url>/<owner>/<name>}; the payload has no digest (resolved against the registry, as always).
     */
    private static Reading gitea(JsonNode body) throws Malformed {
        JsonNode pkg = body.path("package");
        if (!pkg.isObject()) {
            throw new Malformed("Gitea payload has no 'package'");
        }
        String action = body.path("action").asText("");
        String type = pkg.path("type").asText("");
        String name = text(pkg, "name", "Gitea package");
        if (!type.equals("container")) {
            return new Ignored("Gitea package of type " + type);
        }
        if (!action.equals("created")) {
            return new Ignored("Gitea package action " + action + " of " + name);
        }
        String version = text(pkg, "version", "Gitea package");
        if (version.startsWith("sha256:")) {
            return new Ignored("digest-only version of " + name + " (no tag)");
        }
        if (COSIGN_TAG.matcher(version).matches()) {
            return new Ignored("signature or attestation tag " + version + " of " + name);
        }
        String owner = text(pkg.path("owner"), "login", "Gitea package owner");
        String url = text(pkg, "html_url", "Gitea package");
        java.net.URI u;
        try {
            u = java.net.URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new Malformed("Gitea package html_url is not a URL");
        }
        if (u.getHost() == null) {
            throw new Malformed("Gitea package html_url names no host");
        }
        String host = u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "");
        Optional<String> by = optText(body.path("sender"), "login").or(() -> optText(pkg.path("creator"), "login"));
        return new Hints(List.of(new Hint(Optional.of(host), (owner + "/" + name).toLowerCase(java.util.Locale.ROOT),
                Optional.of(version), by)));
    }

    private static Reading jfrog(JsonNode body) throws Malformed {
        if (!body.path("domain").asText("").equals("docker")) {
            return new Ignored("JFrog domain " + body.path("domain").asText("?"));
        }
        if (!body.path("event_type").asText("").equals("pushed")) {
            return new Ignored("JFrog event " + body.path("event_type").asText("?"));
        }
        JsonNode data = body.path("data");
        return new Hints(List.of(new Hint(Optional.empty(), text(data, "image_name", "JFrog data"), optText(data, "tag"))));
    }

    private static Reading nexus(JsonNode body) throws Malformed {
        JsonNode c = body.path("component");
        if (c.isMissingNode()) {
            return new Ignored("Nexus event without a component");
        }
        if (!c.path("format").asText("").equals("docker")) {
            return new Ignored("Nexus component of format " + c.path("format").asText("?"));
        }
        String action = body.path("action").asText("");
        if (!action.equals("CREATED") && !action.equals("UPDATED")) {
            return new Ignored("Nexus action " + action);
        }
        // initiator is "<user>/<address>"
        Optional<String> user = optText(body, "initiator").map(i -> i.contains("/") ? i.substring(0, i.lastIndexOf('/')) : i)
                .filter(u -> !u.isBlank() && !u.equals("*UNKNOWN"));
        return new Hints(List.of(new Hint(Optional.empty(), text(c, "name", "Nexus component"), optText(c, "version"), user)));
    }

    /** Google Artifact Registry through a Pub/Sub push subscription: the event is base64 JSON in message.data. */
    private static Reading gar(JsonNode body) throws Malformed {
        String data = text(body.path("message"), "data", "Pub/Sub message");
        JsonNode event;
        try {
            event = io.tagstream.common.events.Json.mapper().readTree(new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw new Malformed("Pub/Sub message.data is not base64 JSON");
        }
        if (!event.path("action").asText("").equals("INSERT")) {
            return new Ignored("Artifact Registry action " + event.path("action").asText("?"));
        }
        Optional<String> tagRef = optText(event, "tag");
        String ref = tagRef.orElseGet(() -> event.path("digest").asText(""));
        if (ref.isEmpty()) {
            throw new Malformed("Artifact Registry event names neither tag nor digest");
        }
        String repoAndTag = ref.contains("@") ? ref.substring(0, ref.indexOf('@')) : ref;
        int lastSlash = repoAndTag.lastIndexOf('/');
        int colon = repoAndTag.lastIndexOf(':');
        String repo = tagRef.isPresent() && colon > lastSlash ? repoAndTag.substring(0, colon) : repoAndTag;
        Optional<String> tag = tagRef.isPresent() && colon > lastSlash ? Optional.of(repoAndTag.substring(colon + 1)) : Optional.empty();
        String[] hp = hostAndPath(repo, "Artifact Registry event");
        return new Hints(List.of(new Hint(Optional.of(hp[0]), hp[1], tag)));
    }

    /** {@code host/path} split at the first slash; a reference without both is not this provider's payload. */
    private static String[] hostAndPath(String ref, String what) throws Malformed {
        int slash = ref.indexOf('/');
        if (slash <= 0 || slash == ref.length() - 1) {
            throw new Malformed(what + " does not name <host>/<repository>");
        }
        return new String[] {ref.substring(0, slash), ref.substring(slash + 1)};
    }

    /** Our generic form: {@code {"repository": "host/path", "tag": "…"}}; the digest, if sent, is ignored. */
    private static Reading generic(JsonNode body) throws Malformed {
        String repo = text(body, "repository", "generic payload");
        int slash = repo.indexOf('/');
        boolean hasHost = slash > 0 && (repo.substring(0, slash).contains(".") || repo.substring(0, slash).contains(":"));
        return new Hints(List.of(new Hint(hasHost ? Optional.of(repo.substring(0, slash)) : Optional.empty(),
                hasHost ? repo.substring(slash + 1) : repo, optText(body, "tag"))));
    }
}
