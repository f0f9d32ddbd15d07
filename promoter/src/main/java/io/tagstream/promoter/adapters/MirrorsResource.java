package io.tagstream.promoter.adapters;

import io.tagstream.common.config.ImageMirror;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.service.ApiError;
import io.tagstream.common.service.ConfigWatch;
import io.tagstream.promoter.core.MirrorPlan;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** The mirrors as they stand: each selected tag's status in flux-mirror's words, and what prune would delete (dry run). */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class MirrorsResource {

    @Inject
    ConfigWatch config;

    @Inject
    MirrorEngine engine;

    @Inject
    Leader leader;

    /** One mirror's status. */
    public record MirrorStatus(String name, String source, String destination, List<String> selected, List<TagStatus> tags,
            List<PruneCandidate> prune, boolean suspended, boolean fromLeader) {}

    /** A destination tag: its status and why. */
    public record TagStatus(String sourceTag, String destinationTag, String digest, String status, Optional<String> reason,
            Optional<Instant> at) {}

    /** A copy prune deletes at its next run (the dry-run view). */
    public record PruneCandidate(String destinationTag, String digest, boolean manifest, String why) {}

    @GET
    @Path("/mirrors")
    @Operation(operationId = "listMirrors", summary = "Every mirror: selected tags with their status, and what prune would delete")
    @APIResponse(responseCode = "200", description = "The mirrors",
            content = @Content(schema = @Schema(implementation = MirrorStatus.class, type = SchemaType.ARRAY)))
    public List<MirrorStatus> list() {
        List<MirrorStatus> out = new ArrayList<>();
        config.config().mirrors().forEach(m -> status(m).ifPresent(out::add));
        return out;
    }

    @GET
    @Path("/mirrors/{namespace}/{name}")
    @Operation(operationId = "getMirror", summary = "One mirror: selected tags with their status, and what prune would delete")
    @APIResponse(responseCode = "200", description = "The mirror",
            content = @Content(schema = @Schema(implementation = MirrorStatus.class)))
    @APIResponse(responseCode = "404", description = "No mirror has this name")
    public Response one(@PathParam("namespace") String namespace, @PathParam("name") String name) {
        Optional<ImageMirror> m;
        try {
            m = config.config().find(ImageMirror.class, new ResourceId(namespace, name));
        } catch (IllegalArgumentException e) {
            m = Optional.empty();
        }
        return m.flatMap(this::status).map(s -> Response.ok(s).build())
                .orElseGet(() -> ApiError.of(Response.Status.NOT_FOUND, "no mirror " + namespace + "/" + name + " is configured"));
    }

    private Optional<MirrorStatus> status(ImageMirror m) {
        Instant now = Instant.now();
        return engine.plan(m, now).map(plan -> {
            Map<String, MirrorEngine.Outcome> said = engine.outcomes(m.id().toString());
            List<TagStatus> tags = new ArrayList<>();
            for (MirrorPlan.Step s : plan.steps()) {
                MirrorEngine.Outcome o = said.get(s.destinationTag());
                TagStatus derived = derived(s);
                boolean current = o != null && o.digest().equals(derived.digest()) && !(s instanceof MirrorPlan.Drifted);
                tags.add(current ? new TagStatus(s.sourceTag(), s.destinationTag(), o.digest(), o.status(), o.reason(), Optional.of(o.at()))
                        : derived);
            }
            List<PruneCandidate> prune = plan.prune().stream()
                    .map(d -> new PruneCandidate(d.destinationTag(), d.digest(), d.manifest(), d.why())).toList();
            return new MirrorStatus(m.id().toString(), m.source(), m.destination(), plan.selected(), tags, prune, m.suspend(),
                    leader.leads());
        });
    }

    /** The status the plan alone gives (on a pod that does not lead, or before the engine said anything). */
    private static TagStatus derived(MirrorPlan.Step s) {
        if (s instanceof MirrorPlan.UpToDate u) {
            return new TagStatus(u.sourceTag(), u.destinationTag(), u.digest(), "skipped", Optional.of("up-to-date"), Optional.empty());
        }
        if (s instanceof MirrorPlan.Drifted d) {
            return new TagStatus(d.sourceTag(), d.destinationTag(), d.sourceDigest(), "drifted", Optional.of("the destination keeps "
                    + d.destinationDigest() + " (overwrite is off)"), Optional.empty());
        }
        if (s instanceof MirrorPlan.Waiting w) {
            return new TagStatus(w.sourceTag(), w.destinationTag(), "", "waiting", Optional.of("minAge: copied from " + w.until()),
                    Optional.empty());
        }
        MirrorPlan.CopyTag c = (MirrorPlan.CopyTag) s;
        return new TagStatus(c.sourceTag(), c.destinationTag(), c.digest(), c.overwrite() ? "would-overwrite" : "would-copy",
                Optional.empty(), Optional.empty());
    }
}
