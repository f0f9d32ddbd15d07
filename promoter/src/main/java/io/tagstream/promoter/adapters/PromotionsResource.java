package io.tagstream.promoter.adapters;

import io.tagstream.common.events.ImageRef;
import io.tagstream.common.service.ApiError;
import io.tagstream.promoter.core.Gates;
import io.tagstream.promoter.core.Promotion;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Promotions and their decisions, shaped for ChatOps bots: list, read, approve, reject, signal. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class PromotionsResource {

    @Inject
    Promoter promoter;

    /** Who decides and why. */
    public record Decision(String by, String comment) {}

    /** A signal for a digest, or for the digest an image reference names. */
    public record Signal(String signal, String digest, String image, String by) {}

    @GET
    @Path("/promotions")
    public Response list(@QueryParam("state") String state) {
        Optional<Promotion.State> s = Optional.empty();
        if (state != null && !state.isBlank()) {
            try {
                s = Optional.of(Promotion.State.valueOf(state.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                return ApiError.of(Response.Status.BAD_REQUEST, "state must be one of pending, approved, rejected, failed, "
                        + "expired, superseded");
            }
        }
        return Response.ok(promoter.gates().list(s)).build();
    }

    @GET
    @Path("/promotions/{id}")
    public Response get(@PathParam("id") String id) {
        return promoter.gates().get(id).map(p -> Response.ok(p).build())
                .orElseGet(() -> ApiError.of(Response.Status.NOT_FOUND, "no promotion " + id));
    }

    @POST
    @Path("/promotions/{id}/approve")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response approve(@PathParam("id") String id, Decision d) {
        if (d == null || d.by() == null || d.by().isBlank()) {
            return ApiError.of(Response.Status.BAD_REQUEST, "say who approves: {\"by\": \"<user or bot>\", \"comment\": \"…\"}");
        }
        try {
            return Response.ok(promoter.approve(id, d.by(), d.comment() == null ? "" : d.comment())).build();
        } catch (Gates.Refused e) {
            return ApiError.of(Response.Status.fromStatusCode(e.status()), e.getMessage());
        }
    }

    @POST
    @Path("/promotions/{id}/reject")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response reject(@PathParam("id") String id, Decision d) {
        if (d == null || d.by() == null || d.by().isBlank()) {
            return ApiError.of(Response.Status.BAD_REQUEST, "say who rejects: {\"by\": \"<user or bot>\", \"comment\": \"…\"}");
        }
        try {
            return Response.ok(promoter.reject(id, d.by(), d.comment() == null ? "" : d.comment())).build();
        } catch (Gates.Refused e) {
            return ApiError.of(Response.Status.fromStatusCode(e.status()), e.getMessage());
        }
    }

    @POST
    @Path("/signals")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response signal(Signal s) {
        if (s == null || s.signal() == null || s.signal().isBlank() || s.by() == null || s.by().isBlank()) {
            return ApiError.of(Response.Status.BAD_REQUEST, "body: {\"signal\": \"qe-passed\", \"digest\": \"sha256:…\" "
                    + "or \"image\": \"<ref>@sha256:…\", \"by\": \"…\"}");
        }
        Optional<String> digest = Optional.ofNullable(s.digest()).filter(d -> !d.isBlank())
                .or(() -> Optional.ofNullable(s.image()).filter(i -> !i.isBlank()).flatMap(i -> ImageRef.parse(i).digest()));
        if (digest.isEmpty()) {
            return ApiError.of(Response.Status.BAD_REQUEST, "name the image by digest: \"digest\" or an \"image\" with @sha256:…");
        }
        try {
            List<Promotion> changed = promoter.signal(s.signal(), digest.get(), s.by());
            return Response.accepted(Map.of("promotions", changed)).build();
        } catch (Gates.Refused e) {
            return ApiError.of(Response.Status.fromStatusCode(e.status()), e.getMessage());
        }
    }
}
