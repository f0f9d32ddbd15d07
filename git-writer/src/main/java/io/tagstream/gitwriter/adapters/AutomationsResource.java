package io.tagstream.gitwriter.adapters;

import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.ImageRef;
import io.tagstream.common.events.PromotionApproved;
import io.tagstream.common.service.ApiError;
import io.tagstream.common.service.ConfigWatch;
import io.tagstream.gitwriter.core.ImageValues;
import io.tagstream.gitwriter.core.Routing;
import io.tagstream.gitwriter.core.Setters;
import io.tagstream.gitwriter.core.Workspace;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import org.eclipse.jgit.api.errors.GitAPIException;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;

/** Per ImageUpdateAutomation: last run, last pushed commit and when, last error, changes waiting for a commit. */
@Path("/api/v1/automations")
@Produces(MediaType.APPLICATION_JSON)
public class AutomationsResource {

    @Inject
    AutomationStatuses statuses;

    @Inject
    Workspaces workspaces;

    @Inject
    ConfigWatch config;

    @GET
    @Operation(operationId = "listAutomations", summary = "Every ImageUpdateAutomation: last run, last pushed commit, last"
            + " error and changes waiting for a commit")
    @APIResponse(responseCode = "200", description = "One entry per configured automation; one that is not ready (its"
            + " GitRepository is missing) has the reason in lastError")
    public List<AutomationStatuses.AutomationStatus> list() {
        return statuses.list();
    }

    /** An image a policy would select, to see what its markers would become. */
    public record PreviewRequest(String policy, String image, String tag, String digest) {}

    /** One marker that would change; {@code oldValue} is what the file holds now on the automation's branch. */
    public record MarkerChange(String automation, String repository, String branch, String file, String marker, String oldValue,
            String newValue) {}

    /** @param problems files whose markers cannot be set (not YAML, a marker off a scalar), with file and line */
    public record Preview(List<MarkerChange> changes, List<String> problems) {}

    @POST
    @Path("/preview")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "previewPolicySelection", summary = "Dry run in git: which files and setter markers the"
            + " automations would change, old → new, if the policy selected this image (nothing is committed)")
    @APIResponse(responseCode = "200", description = "The markers that would change, per automation, read from each branch's"
            + " head")
    @APIResponse(responseCode = "400", description = "No policy, image or tag, or not a valid reference")
    @APIResponse(responseCode = "502", description = "A branch cannot be fetched")
    public Response preview(PreviewRequest req) {
        if (req == null || req.policy() == null || req.image() == null || req.tag() == null) {
            return ApiError.of(Response.Status.BAD_REQUEST, "body: {\"policy\": \"ns/name\", \"image\": \"…\", \"tag\": \"…\","
                    + " \"digest\": \"sha256:…\" (for markers that pin digests)}");
        }
        TagstreamConfig cfg = config.config();
        ResourceId policy;
        Map<String, ImageValues> values;
        try {
            policy = ResourceId.parse(req.policy());
            ImageRef ref = ImageRef.of(req.image(), req.tag(), req.digest() == null || req.digest().isBlank() ? null : req.digest());
            values = Routing.values(new PromotionApproved(policy.toString(), policy.toString(), ref, ref, "preview", Instant.now(), false), cfg);
        } catch (IllegalArgumentException e) {
            return ApiError.of(Response.Status.BAD_REQUEST, "not a policy and image reference: " + e.getMessage());
        }
        List<MarkerChange> changes = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Routing.Target t : Routing.targets(policy, cfg)) {
            Workspace ws = workspaces.preview(t);
            try {
                List<Setters.Change> found;
                synchronized (ws) {
                    found = ws.wouldChange(t.checkoutBranch(), t.automation().updatePath(), values);
                }
                found.forEach(c -> changes.add(new MarkerChange(t.automation().id().toString(), Workspace.safeUrl(t.repository().url()),
                        t.checkoutBranch(), c.file(), c.setter(), c.oldValue(), c.newValue())));
            } catch (IOException | GitAPIException | RuntimeException e) {
                problems.add(t.automation().id() + ": " + Workspace.safeUrl(t.repository().url()) + "#" + t.checkoutBranch()
                        + " cannot be read: " + e.getMessage());
            }
        }
        return Response.ok(new Preview(changes, problems)).build();
    }
}
