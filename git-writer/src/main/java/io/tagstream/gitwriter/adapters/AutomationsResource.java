package io.tagstream.gitwriter.adapters;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** Per ImageUpdateAutomation: last run, last pushed commit and when, last error, changes waiting for a commit. */
@Path("/api/v1/automations")
@Produces(MediaType.APPLICATION_JSON)
public class AutomationsResource {

    @Inject
    AutomationStatuses statuses;

    @GET
    @Operation(operationId = "listAutomations", summary = "Every ImageUpdateAutomation: last run, last pushed commit, last"
            + " error and changes waiting for a commit")
    @APIResponse(responseCode = "200", description = "One entry per configured automation; one that is not ready (its"
            + " GitRepository is missing) has the reason in lastError")
    public List<AutomationStatuses.AutomationStatus> list() {
        return statuses.list();
    }
}
