package io.tagstream.promoter.adapters;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
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

    // what several operations answer, documented once
    static final String QUEUED = "No promoter pod leads at the moment: the request is queued, applied once one leads; read"
            + " the promotion for the outcome";
    static final String TOO_LONG = "A comment or name too long, or a request the promoter cannot read";
    static final String NO_PROMOTION = "No promotion has this id";
    static final String UNAPPLIED = "The promoter cannot apply this request (a record Kafka refused)";

    /** A page of promotions, newest first, is at most this long. */
    static final int MAX_PAGE = 1000;

    @GET
    @Path("/promotions")
    @Operation(operationId = "listPromotions", summary = "Promotions, newest first, optionally of one state; paged with"
            + " limit/offset, the total in X-Total-Count and the next page in Link")
    @APIResponse(responseCode = "200", description = "A page of promotions",
            content = @Content(schema = @Schema(implementation = Promotion.class, type = SchemaType.ARRAY)))
    @APIResponse(responseCode = "400", description = "limit outside 1–1000, a negative offset, or an unknown state")
    public Response list(@QueryParam("state") String state, @QueryParam("limit") String limit,
            @QueryParam("offset") String offset) {
        // read as text: JAX-RS answers 404 to a query parameter it cannot convert, which says nothing useful
        int size = whole(limit, 200);
        int from = whole(offset, 0);
        if (size < 1 || size > MAX_PAGE || from < 0) {
            return ApiError.of(Response.Status.BAD_REQUEST, "limit must be a whole number 1–" + MAX_PAGE + " (default 200) and"
                    + " offset a whole number ≥ 0");
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

    /** A whole number, the default when absent, or -1 (refused by the caller) when it is not one. */
    private static int whole(String v, int otherwise) {
        if (v == null || v.isBlank()) {
            return otherwise;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @GET
    @Path("/promotions/{id}")
    @Operation(operationId = "getPromotion", summary = "One promotion: its state, what it waits for, approvals and history")
    @APIResponse(responseCode = "200", description = "The promotion",
            content = @Content(schema = @Schema(implementation = Promotion.class)))
    @APIResponse(responseCode = "404", description = NO_PROMOTION)
    public Response get(@PathParam("id") String id) {
        return store.gates().get(id).map(p -> Response.ok(p).build())
                .orElseGet(() -> ApiError.of(Response.Status.NOT_FOUND, "no promotion " + id));
    }

    @POST
    @Path("/promotions/{id}/approve")
    @Operation(operationId = "approvePromotion", summary = "Approve a pending promotion as the authenticated caller (the"
            + " approver role); with enough approvals it is promoted")
    @APIResponse(responseCode = "200", description = "The promotion after the approval",
            content = @Content(schema = @Schema(implementation = Promotion.class)))
    @APIResponse(responseCode = "202", description = QUEUED)
    @APIResponse(responseCode = "400", description = TOO_LONG)
    @APIResponse(responseCode = "403", description = "The caller lacks the approver role, is not among the promotion's approvers, approved it"
            + " already, or pushed the image itself (forbidSelfApproval)")
    @APIResponse(responseCode = "404", description = NO_PROMOTION)
    @APIResponse(responseCode = "409", description = "The promotion is no longer pending (approved, rejected, expired,"
            + " superseded or failed)")
    @APIResponse(responseCode = "422", description = UNAPPLIED)
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
    @Operation(operationId = "rejectPromotion", summary = "Reject a pending promotion as the authenticated caller (the"
            + " approver role)")
    @APIResponse(responseCode = "200", description = "The promotion after the rejection",
            content = @Content(schema = @Schema(implementation = Promotion.class)))
    @APIResponse(responseCode = "202", description = QUEUED)
    @APIResponse(responseCode = "400", description = TOO_LONG)
    @APIResponse(responseCode = "403", description = "The caller is not among the promotion's approvers")
    @APIResponse(responseCode = "404", description = NO_PROMOTION)
    @APIResponse(responseCode = "409", description = "The promotion is no longer pending")
    @APIResponse(responseCode = "422", description = UNAPPLIED)
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
    @Operation(operationId = "sendSignal", summary = "A signal (e.g. qe-passed) for an image digest: promotions waiting for"
            + " it go on")
    @APIResponse(responseCode = "202", description = "The signal was applied (the promotions it moved are listed), or it"
            + " is queued until a promoter pod leads")
    @APIResponse(responseCode = "400", description = "No signal, no digest (give digest, or an image with @sha256:…), a field"
            + " too long")
    @APIResponse(responseCode = "403", description = "The caller may not send this signal")
    @APIResponse(responseCode = "404", description = "No promotion waits for this image")
    @APIResponse(responseCode = "409", description = "The promotions of this image are no longer pending")
    @APIResponse(responseCode = "422", description = UNAPPLIED)
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
