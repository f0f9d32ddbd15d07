package io.tagstream.console.adapters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tagstream.common.access.Identity;
import io.tagstream.common.access.Role;
import io.tagstream.common.events.Json;
import io.tagstream.common.service.AccessFilter;
import io.tagstream.common.service.ApiError;
import io.tagstream.console.adapters.Upstream.Answer;
import io.tagstream.console.adapters.Upstream.Service;
import io.tagstream.console.core.RegistryMatrix;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * The console's API for its pages. Its paths are the services' own ({@code /api/v1/promotions/{id}/approve} is the
 * promoter's), so the same access rules judge a request here and again at the service, which receives the user's own
 * token: a viewer is refused approval by the console and would be by the promoter.
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class ConsoleResource {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,200}");
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    private static final Pattern STATE = Pattern.compile("[a-z]{1,20}");

    @Inject
    Upstream upstream;

    @ConfigProperty(name = "tagstream.console.registry-labels")
    Optional<String> registryLabels;

    private Map<String, String> labels = Map.of();

    @PostConstruct
    void labels() {
        labels = RegistryMatrix.labels(registryLabels.orElse(""));
    }

    /** Who the caller is, for the page to say so and to offer only what the roles allow. */
    public record Me(String id, String kind, List<String> roles, boolean localDevelopment) {}

    @GET
    @Path("/whoami")
    @Operation(operationId = "whoami", summary = "The caller's identity and roles, as every service sees the same token")
    @APIResponse(responseCode = "200", description = "The identity")
    public Me whoami(@Context ContainerRequestContext ctx) {
        Identity id = AccessFilter.identity(ctx);
        return new Me(id.id(), id.kind().name().toLowerCase(Locale.ROOT),
                id.roles().stream().sorted().map(Role::label).toList(), id.kind() == Identity.Kind.LOCAL_DEVELOPMENT);
    }

    @GET
    @Path("/registries")
    @Operation(operationId = "registryMatrix", summary = "Each registry host with its watched repositories: last scan, tags,"
            + " newest tags, errors (from the registry-poller)")
    @APIResponse(responseCode = "200", description = "One entry per registry host")
    @APIResponse(responseCode = "502", description = "The registry-poller cannot be reached")
    public Response registries(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        Answer a = upstream.call(Service.POLLER, "GET", "/api/v1/repositories", Optional.ofNullable(auth), Optional.empty());
        if (!a.ok()) {
            return a.response();
        }
        List<RegistryMatrix.Repository> repos = new ArrayList<>();
        for (JsonNode r : tree(a.body())) {
            String image = r.path("image").asText();
            repos.add(new RegistryMatrix.Repository(r.path("id").asText(), image, RegistryMatrix.host(r.path("canonical").asText(image)),
                    instant(r.path("lastScan")), r.path("tagCount").asInt(), texts(r.path("latestTags")), text(r.path("lastError")),
                    instant(r.path("nextScan")), r.path("suspended").asBoolean(), text(r.path("capped"))));
        }
        // and each host's load as the poller counts it (its requests, failures, retries, rate-limit waits)
        Map<String, RegistryMatrix.Load> loads = new HashMap<>();
        Answer l = upstream.call(Service.POLLER, "GET", "/api/v1/registries", Optional.ofNullable(auth), Optional.empty());
        if (l.ok()) {
            for (JsonNode h : tree(l.body())) {
                loads.put(h.path("host").asText(), new RegistryMatrix.Load(h.path("requests").asLong(), h.path("failed").asLong(),
                        h.path("retries").asLong(), h.path("rateLimitWaits").asLong()));
            }
        }
        return Response.ok(RegistryMatrix.of(repos, labels, loads)).build();
    }

    @GET
    @Path("/repositories")
    @Operation(operationId = "listRepositories", summary = "The registry-poller's repositories, as it answers them")
    public Response repositories(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        return upstream.call(Service.POLLER, "GET", "/api/v1/repositories", Optional.ofNullable(auth), Optional.empty()).response();
    }

    @GET
    @Path("/policies")
    @Operation(operationId = "listPolicies", summary = "The policy-evaluator's policies: current and previous selection")
    public Response policies(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        return upstream.call(Service.EVALUATOR, "GET", "/api/v1/policies", Optional.ofNullable(auth), Optional.empty()).response();
    }

    @POST
    @Path("/policies/{ns}/{name}/evaluate")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "evaluateConfiguredPolicy", summary = "Dry run of a configured policy, or of a new rule for it,"
            + " over the tags known for its repository (the policy-evaluator's answer)")
    public Response evaluate(@PathParam("ns") String ns, @PathParam("name") String name, String body,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        if (!NAME.matcher(ns).matches() || !NAME.matcher(name).matches()) {
            return ApiError.of(Response.Status.BAD_REQUEST, "not a policy name: " + ns + "/" + name);
        }
        Answer a = upstream.call(Service.EVALUATOR, "POST", "/api/v1/policies/" + ns + "/" + name + "/evaluate", Optional.ofNullable(auth),
                Optional.ofNullable(body).filter(b -> !b.isBlank()));
        if (!a.ok()) {
            return a.response();
        }
        // and what that selection would change in git: each automation's markers for the policy, old → new
        ObjectNode result = (ObjectNode) tree(a.body());
        if (result.hasNonNull("image") && result.hasNonNull("latestTag")) {
            ObjectNode preview = Json.mapper().createObjectNode().put("policy", ns + "/" + name).put("image", result.get("image").asText())
                    .put("tag", result.get("latestTag").asText());
            if (result.hasNonNull("digest")) {
                preview.put("digest", result.get("digest").asText());
            }
            Answer g = upstream.call(Service.GIT_WRITER, "POST", "/api/v1/automations/preview", Optional.ofNullable(auth),
                    Optional.of(preview.toString()));
            if (g.ok()) {
                JsonNode p = tree(g.body());
                result.set("changes", p.path("changes"));
                result.set("changeProblems", p.path("problems"));
            } else {
                result.put("changesError", "git-writer answered " + g.status() + ": " + tree(g.body()).path("error").asText(g.body()));
            }
        }
        return Response.ok(result).build();
    }

    @GET
    @Path("/promotions")
    @Operation(operationId = "listPromotions", summary = "The promoter's promotions, newest first; state=pending for those"
            + " waiting")
    public Response promotions(@QueryParam("state") String state, @QueryParam("limit") Integer limit,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        if (state != null && !STATE.matcher(state).matches()) {
            return ApiError.of(Response.Status.BAD_REQUEST, "state must be a word such as pending");
        }
        int n = limit == null ? 100 : Math.max(1, Math.min(limit, 500));
        String q = "?limit=" + n + (state == null ? "" : "&state=" + URLEncoder.encode(state, StandardCharsets.UTF_8));
        return upstream.call(Service.PROMOTER, "GET", "/api/v1/promotions" + q, Optional.ofNullable(auth), Optional.empty()).response();
    }

    @POST
    @Path("/promotions/{id}/approve")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "approvePromotion", summary = "Approve a pending promotion, as the caller (the promoter decides)")
    public Response approve(@PathParam("id") String id, String body, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        return decide(id, "approve", body, auth);
    }

    @POST
    @Path("/promotions/{id}/reject")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "rejectPromotion", summary = "Reject a pending promotion, as the caller (the promoter decides)")
    public Response reject(@PathParam("id") String id, String body, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        return decide(id, "reject", body, auth);
    }

    private Response decide(String id, String verb, String body, String auth) {
        if (!ID.matcher(id).matches()) {
            return ApiError.of(Response.Status.BAD_REQUEST, "not a promotion id: " + id);
        }
        return upstream.call(Service.PROMOTER, "POST", "/api/v1/promotions/" + id + "/" + verb, Optional.ofNullable(auth),
                Optional.of(body == null || body.isBlank() ? "{}" : body)).response();
    }

    @GET
    @Path("/mirrors")
    @Operation(operationId = "listMirrors", summary = "The promoter's mirrors: selected tags, their status, prune plan")
    public Response mirrors(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        return upstream.call(Service.PROMOTER, "GET", "/api/v1/mirrors", Optional.ofNullable(auth), Optional.empty()).response();
    }

    @GET
    @Path("/automations")
    @Operation(operationId = "listAutomations", summary = "The git-writer's automations: last commit, pull request, errors")
    public Response automations(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        return upstream.call(Service.GIT_WRITER, "GET", "/api/v1/automations", Optional.ofNullable(auth), Optional.empty()).response();
    }

    private static JsonNode tree(String body) {
        try {
            return Json.mapper().readTree(body);
        } catch (IOException e) {
            return Json.mapper().createObjectNode().put("error", body);
        }
    }

    private static Optional<String> text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? Optional.empty() : Optional.of(n.asText());
    }

    private static Optional<Instant> instant(JsonNode n) {
        return text(n).map(Instant::parse);
    }

    private static List<String> texts(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.forEach(t -> out.add(t.asText()));
        return out;
    }
}
