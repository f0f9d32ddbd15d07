package io.tagstream.poller.adapters;

import io.tagstream.common.config.ImageRepository;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.registry.RepositoryName;
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
    ConfigWatch config;

    @Inject
    Publisher publisher;

    /** One ImageRepository as the API shows it. */
    public record RepositoryStatus(String id, String image, String canonical, String interval, boolean suspend) {}

    @GET
    public List<RepositoryStatus> list() {
        return config.config().imageRepositories().stream()
                .map(r -> new RepositoryStatus(r.id().toString(), r.image(), RepositoryName.parse(r.image()).canonical(),
                        r.interval().toString(), r.suspend()))
                .toList();
    }

    @POST
    @Path("/{ns}/{name}/scan")
    public Response scan(@PathParam("ns") String ns, @PathParam("name") String name) {
        ResourceId id = new ResourceId(ns, name);
        Optional<ImageRepository> repo = config.config().find(ImageRepository.class, id);
        if (repo.isEmpty()) {
            publisher.audit(Publisher.AUDIT.rejected("scan.requested", id.toString(),
                    "no ImageRepository " + id + " is configured", Optional.empty()));
            return ApiError.of(Response.Status.NOT_FOUND, "no ImageRepository " + id + " is configured");
        }
        publisher.audit(Publisher.AUDIT.ok("scan.requested", id.toString(), "scan of " + repo.get().image()
                + " requested over the API", Optional.empty()));
        return Response.accepted(Map.of("repository", id.toString(), "image", repo.get().image())).build();
    }
}
