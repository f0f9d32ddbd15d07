package io.tagstream.gitwriter.adapters;

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
    public List<AutomationStatuses.AutomationStatus> list() {
        return statuses.list();
    }
}
