package io.tagstream.poller.adapters;

import io.tagstream.poller.core.RegistryLoad;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** The load on each registry host: requests, failures, retries, rate-limit waits (since this pod started). */
@Path("/api/v1/registries")
@Produces(MediaType.APPLICATION_JSON)
public class RegistriesResource {

    @Inject
    Scanner scanner;

    @GET
    @Operation(operationId = "listRegistryLoad", summary = "Per registry host: requests, failed answers, retries and rate-limit"
            + " waits since this pod started")
    @APIResponse(responseCode = "200", description = "One entry per host the poller has called")
    public List<RegistryLoad> list() {
        return scanner.registryLoad();
    }
}
