package io.tagstream.poller.adapters;

import io.tagstream.common.events.AuditAction;
import io.tagstream.common.service.ApiError;
import io.tagstream.common.config.ResourceId;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Status of the configured ImageRepositories, and on-demand scans. */
@Path("/api/v1/repositories")
@Produces(MediaType.APPLICATION_JSON)
public class RepositoriesResource {

    @Inject
    Scanner scanner;

    @Inject
    Publisher publisher;

    @GET
    public List<Scanner.RepositoryStatus> list() {
        return scanner.status();
    }

    @POST
    @Path("/{ns}/{name}/scan")
    public Response scan(@PathParam("ns") String ns, @PathParam("name") String name) {
        ResourceId id = new ResourceId(ns, name);
        if (!scanner.requestScan(id)) {
            publisher.audit(Publisher.AUDIT.rejected(AuditAction.SCAN_REQUESTED, id.toString(),
                    "no ImageRepository " + id + " is configured", Optional.empty()));
            return ApiError.of(Response.Status.NOT_FOUND, "no ImageRepository " + id + " is configured");
        }
        publisher.audit(Publisher.AUDIT.ok(AuditAction.SCAN_REQUESTED, id.toString(), "scan requested over the API", Optional.empty()));
        return Response.accepted(Map.of("repository", id.toString(), "status", "scan started")).build();
    }
}
