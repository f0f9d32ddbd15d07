package io.tagstream.promoter.adapters;

import io.tagstream.common.events.ImageRef;
import io.tagstream.common.access.Identity;
import io.tagstream.common.service.AccessFilter;
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
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Promotions and their decisions, shaped for ChatOps bots: list, read, approve, reject, signal. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class PromotionsResource {

    @Inject
    PromotionStore store;

    @Inject
    LeaderRequests leader;

    /**
     * Why, and for whom. The decision is recorded under the caller's authenticated identity; {@code by} is then at most
     * whom a bot acts for ("on behalf of …", kept in the comment). Only under the local-development switch, where no one
     * is authenticated, is {@code by} the name recorded.
     */
    public record Decision(String by, String comment) {}

    /** A signal for a digest, or for the digest an image reference names. */
    public record Signal(String signal, String digest, String image, String by) {}

    /** A page of promotions, newest first, is at most this long. */
    static final int MAX_PAGE = 1000;

    @GET
    @Path("/promotions")
    public Response list(@QueryParam("state") String state, @QueryParam("limit") Integer limit,
            @QueryParam("offset") Integer offset) {
        int size = limit == null ? 200 : limit;
        int from = offset == null ? 0 : offset;
        if (size < 1 || size > MAX_PAGE || from < 0) {
            return ApiError.of(Response.Status.BAD_REQUEST, "limit must be 1–" + MAX_PAGE + " (default 200) and offset ≥ 0");
        }
        Optional<Promotion.State> s = Optional.empty();
        if (state != null && !state.isBlank()) {
            try {
                s = Optional.of(Promotion.State.valueOf(state.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                return ApiError.of(Response.Status.BAD_REQUEST, "state must be one of pending, approved, rejected, failed, "
                        + "expired, superseded");
            }
        }
        List<Promotion> all = store.gates().list(s);
        List<Promotion> page = all.subList(Math.min(from, all.size()), Math.min(from + size, all.size()));
        Response.ResponseBuilder r = Response.ok(page).header("X-Total-Count", all.size());
        if (from + size < all.size()) {
            r.header("Link", "</api/v1/promotions?" + (s.isPresent() ? "state=" + state + "&" : "") + "limit=" + size + "&offset="
                    + (from + size) + ">; rel=\"next\"");
        }
        return r.build();
    }

    @GET
    @Path("/promotions/{id}")
    public Response get(@PathParam("id") String id) {
        return store.gates().get(id).map(p -> Response.ok(p).build())
                .orElseGet(() -> ApiError.of(Response.Status.NOT_FOUND, "no promotion " + id));
    }

    @POST
    @Path("/promotions/{id}/approve")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response approve(@PathParam("id") String id, Decision d, @Context ContainerRequestContext ctx) {
        Decision body = d == null ? new Decision(null, null) : d;
        Optional<String> tooLong = Gates.checkFields(body.by(), body.comment(), null);
        if (tooLong.isPresent()) {
            return ApiError.of(Response.Status.BAD_REQUEST, tooLong.get());
        }
        Identity who = AccessFilter.identity(ctx).claiming(body.by());
        return answer(new Request.Approve(UUID.randomUUID().toString(), id, who.id(), List.copyOf(who.groups()),
                comment(who, body)), r -> Response.ok(r.promotions().get(0)).build());
    }

    @POST
    @Path("/promotions/{id}/reject")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response reject(@PathParam("id") String id, Decision d, @Context ContainerRequestContext ctx) {
        Decision body = d == null ? new Decision(null, null) : d;
        Optional<String> tooLong = Gates.checkFields(body.by(), body.comment(), null);
        if (tooLong.isPresent()) {
            return ApiError.of(Response.Status.BAD_REQUEST, tooLong.get());
        }
        Identity who = AccessFilter.identity(ctx).claiming(body.by());
        return answer(new Request.Reject(UUID.randomUUID().toString(), id, who.id(), List.copyOf(who.groups()),
                comment(who, body)), r -> Response.ok(r.promotions().get(0)).build());
    }

    /** The comment to record: a bot's "on behalf of" (the body's {@code by} when it is not the caller) comes first. */
    static String comment(Identity who, Decision body) {
        String c = body.comment() == null ? "" : body.comment();
        boolean behalf = who.authenticated() && body.by() != null && !body.by().isBlank() && !body.by().equals(who.name());
        return behalf ? "on behalf of " + body.by() + (c.isBlank() ? "" : ": " + c) : c;
    }

    @POST
    @Path("/signals")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response signal(Signal s, @Context ContainerRequestContext ctx) {
        if (s == null || s.signal() == null || s.signal().isBlank()) {
            return ApiError.of(Response.Status.BAD_REQUEST, "body: {\"signal\": \"qe-passed\", \"digest\": \"sha256:…\" "
                    + "or \"image\": \"<ref>@sha256:…\"}");
        }
        Optional<String> tooLong = Gates.checkFields(s.by(), null, s.signal())
                .or(() -> Optional.ofNullable(s.digest()).filter(x -> x.length() > 256).map(x -> "digest is " + x.length()
                        + " characters; at most 256"))
                .or(() -> Optional.ofNullable(s.image()).filter(x -> x.length() > 1024).map(x -> "image is " + x.length()
                        + " characters; at most 1024"));
        if (tooLong.isPresent()) {
            return ApiError.of(Response.Status.BAD_REQUEST, tooLong.get());
        }
        Optional<String> digest = Optional.ofNullable(s.digest()).filter(d -> !d.isBlank())
                .or(() -> Optional.ofNullable(s.image()).filter(i -> !i.isBlank()).flatMap(i -> ImageRef.parse(i).digest()));
        if (digest.isEmpty()) {
            return ApiError.of(Response.Status.BAD_REQUEST, "name the image by digest: \"digest\" or an \"image\" with @sha256:…");
        }
        Identity who = AccessFilter.identity(ctx).claiming(s.by());
        return answer(new Request.Signal(UUID.randomUUID().toString(), s.signal(), digest.get(), who.id(), List.copyOf(who.groups())),
                r -> Response.accepted(Map.of("promotions", r.promotions())).build());
    }

    /**
     * The leader's reply; or, when no pod leads within the answer timeout (one is being replaced), 202 with the
     * request's id: it stays queued and is applied once a pod leads, and the promotion shows the outcome.
     */
    private Response answer(Request.Decision request, java.util.function.Function<Reply, Response> applied) {
        Optional<Reply> reply = leader.ask(request);
        if (reply.isEmpty()) {
            return Response.accepted(Map.of("request", request.id(), "state", "queued", "message",
                    "no promoter pod leads at the moment (none answered within " + leader.answerTimeout().toSeconds() + " s);"
                            + " the request is queued and applied once one leads: read the promotion to see the outcome")).build();
        }
        Reply r = reply.get();
        return r.status() == 200 ? applied.apply(r)
                : ApiError.of(Response.Status.fromStatusCode(r.status()), r.error().orElse("refused"));
    }
}
