package io.tagstream.poller.adapters;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
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
    @Operation(operationId = "listRepositories", summary = "Every ImageRepository: last scan, tag count, latest tags, last"
            + " error and next scan")
    @APIResponse(responseCode = "200", description = "One entry per configured repository")
    public List<Scanner.RepositoryStatus> list() {
        return scanner.status();
    }

    @POST
    @Path("/{ns}/{name}/scan")
    @Operation(operationId = "scanRepository", summary = "Scan an ImageRepository now (the admin role); at most one scan"
            + " waits per repository")
    @APIResponse(responseCode = "202", description = "The scan started, or one is already queued")
    @APIResponse(responseCode = "404", description = "No such ImageRepository is configured")
    @APIResponse(responseCode = "409", description = "The ImageRepository is suspended (spec.suspend)")
    public Response scan(@PathParam("ns") String ns, @PathParam("name") String name) {
        ResourceId id = new ResourceId(ns, name);
        return switch (scanner.requestScan(id)) {
            case UNKNOWN -> {
                publisher.audit(Publisher.AUDIT.rejected(AuditAction.SCAN_REQUESTED, id.toString(),
                        "no ImageRepository " + id + " is configured", Optional.empty()));
                yield ApiError.of(Response.Status.NOT_FOUND, "no ImageRepository " + id + " is configured");
            }
            case SUSPENDED -> {
                publisher.audit(Publisher.AUDIT.rejected(AuditAction.SCAN_REQUESTED, id.toString(),
                        "ImageRepository " + id + " is suspended (spec.suspend)", Optional.empty()));
                yield ApiError.of(Response.Status.CONFLICT, "ImageRepository " + id + " is suspended (spec.suspend): not scanned");
            }
            case ALREADY_QUEUED -> Response.accepted(Map.of("repository", id.toString(), "status",
                    "a scan is queued already; this request joins it")).build();
            case STARTED -> {
                publisher.audit(Publisher.AUDIT.ok(AuditAction.SCAN_REQUESTED, id.toString(), "scan requested over the API",
                        Optional.empty()));
                yield Response.accepted(Map.of("repository", id.toString(), "status", "scan started")).build();
            }
        };
    }
}
