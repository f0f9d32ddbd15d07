package io.tagstream.promoter.adapters;

import io.tagstream.common.access.Identity;
import io.tagstream.common.access.Role;
import io.tagstream.common.config.GoDuration;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.Secrets;
import io.tagstream.common.events.AuditAction;
import io.tagstream.common.events.Json;
import io.tagstream.common.service.AccessFilter;
import io.tagstream.common.service.ApiError;
import io.tagstream.common.service.AuditLog;
import io.tagstream.promoter.core.ApprovalLink;
import io.tagstream.promoter.core.ChatAction;
import io.tagstream.promoter.core.ChatUsers;
import io.tagstream.promoter.core.SlackSignature;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.logging.Logger;

/**
 * Approvals from chat. Slack's interactivity requests (a button on a pending promotion's message) are authenticated
 * by Slack's signature, their user mapped to an identity by the configured table, and decided by the leader under the
 * same rules as a REST approval: the approver role, then the ImagePromotion's approvers. Signed approval links give a
 * bot that cannot hold a token one decision, as the approver who made the link. Both paths are outside the bearer
 * token scheme (like webhooks) and authenticate each request themselves.
 */
@Path("/api/v1")
public class ChatResource {

    private static final Logger LOG = Logger.getLogger(ChatResource.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    LeaderRequests leader;

    @Inject
    PromotionStore store;

    @Inject
    Secrets secrets;

    @Inject
    AuditLog audit;

    /** {@code <namespace>/<name>} of the secret with Slack's {@code signingSecret} and the {@code users} table. */
    @ConfigProperty(name = "tagstream.chat.slack.secret")
    Optional<String> slackSecret;

    /** Feedback goes to the interaction's response_url only when it starts with this (no request to anywhere else). */
    @ConfigProperty(name = "tagstream.chat.slack.response-url-prefix", defaultValue = "https://hooks.slack.com/")
    String responseUrlPrefix;

    /** {@code <namespace>/<name>} of the secret whose {@code key} (at least 32 bytes) signs approval links. */
    @ConfigProperty(name = "tagstream.chat.links.secret")
    Optional<String> linksSecret;

    /** The address people reach the promoter's link paths at (the Ingress); the request's own when unset. */
    @ConfigProperty(name = "tagstream.chat.public-url")
    Optional<String> publicUrl;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    // ---- Slack -----------------------------------------------------------------------------------------------------

    /** What Slack shows the person who pressed the button (only to them). */
    public record SlackAnswer(String response_type, boolean replace_original, String text) {
        static SlackAnswer of(String text) {
            return new SlackAnswer("ephemeral", false, text);
        }
    }

    @POST
    @Path("/chat/slack/interactions")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "slackInteraction", summary = "Slack's interactivity request URL: an Approve or Reject button on a"
            + " pending promotion's message; authenticated by Slack's signature (v0, five-minute window), the user mapped"
            + " to an identity, then decided as a REST approval is")
    @APIResponse(responseCode = "200", description = "Handled; the text (also sent to the response_url) says the outcome,"
            + " a refusal included")
    @APIResponse(responseCode = "400", description = "Signed by Slack, but not a button Tagstream made")
    @APIResponse(responseCode = "401", description = "Not signed by Slack with the configured signing secret, or outside"
            + " the five-minute window")
    @APIResponse(responseCode = "404", description = "Slack interactivity is not configured (tagstream.chat.slack.secret)")
    public Response slack(byte[] body, @HeaderParam("X-Slack-Request-Timestamp") String timestamp,
            @HeaderParam("X-Slack-Signature") String signature) {
        if (slackSecret.filter(s -> !s.isBlank()).isEmpty()) {
            return ApiError.of(Response.Status.NOT_FOUND, "Slack interactivity is not configured: set tagstream.chat.slack.secret");
        }
        ResourceId secret = ResourceId.parse(slackSecret.get().strip());
        Optional<String> signingSecret = secrets.get(secret, "signingSecret").map(s -> s.reveal().strip());
        if (signingSecret.isEmpty()) {
            LOG.errorf("secret %s has no key signingSecret: every Slack interaction is refused", secret);
            return ApiError.of(Response.Status.SERVICE_UNAVAILABLE, "the Slack signing secret is missing (secret " + secret
                    + ", key signingSecret)");
        }
        Optional<String> refused = SlackSignature.refusal(signingSecret.get(), timestamp, signature, body, Instant.now());
        if (refused.isPresent()) {
            deny("POST /api/v1/chat/slack/interactions", "401 Slack signature: " + refused.get());
            return ApiError.of(Response.Status.UNAUTHORIZED, refused.get());
        }
        ChatAction action;
        try {
            action = ChatAction.parseSlack(body);
        } catch (ChatAction.Unreadable e) {
            return ApiError.of(Response.Status.BAD_REQUEST, e.getMessage());
        }
        ChatUsers users = ChatUsers.parse(secrets.get(secret, "users").map(s -> s.reveal()).orElse(""));
        users.problems().forEach(p -> LOG.errorf("secret %s, key users, %s (that line is ignored)", secret, p));
        String who = "Slack user " + action.user() + (action.team().isEmpty() ? "" : " of team " + action.team());
        Optional<Identity> identity = users.of(action.team(), action.user());
        String text;
        if (identity.isEmpty()) {
            text = "Refused: " + who + " is not mapped to a Tagstream identity (the users table of secret " + secret + ")";
            deny("slack " + action.verb().name().toLowerCase(Locale.ROOT) + " " + action.promotionId(), "403 " + text);
        } else if (!identity.get().has(Role.APPROVER)) {
            text = "Refused: approving or rejecting needs the approver role; " + identity.get().id() + " (" + who + ") has "
                    + (identity.get().roles().isEmpty() ? "no role" : "only " + String.join(", ",
                            identity.get().roles().stream().sorted().map(Role::label).toList()));
            deny("slack " + action.verb().name().toLowerCase(Locale.ROOT) + " " + action.promotionId(), "403 " + text);
        } else {
            // one request id per signed request: Slack's retry of the same request is answered, never applied twice
            String id = "slack-" + sha256(signature.strip());
            text = store.answered(id) ? "Already handled." : decide(action.verb(), id, action.promotionId(), identity.get(),
                    "from Slack by @" + action.userName()).text();
        }
        action.responseUrl().filter(u -> u.startsWith(responseUrlPrefix)).ifPresent(u -> tell(u, text));
        return Response.ok(SlackAnswer.of(text)).build();
    }

    /** A decision's outcome: the leader's status (202 while no pod leads) and a sentence for the person. */
    record Outcome(int status, String text) {}

    private Outcome decide(ChatAction.Verb verb, String requestId, String promotion, Identity who, String comment) {
        Request.Decision r = verb == ChatAction.Verb.APPROVE
                ? new Request.Approve(requestId, promotion, who.id(), List.copyOf(who.groups()), comment)
                : new Request.Reject(requestId, promotion, who.id(), List.copyOf(who.groups()), comment);
        Optional<Reply> reply = leader.ask(r);
        if (reply.isEmpty()) {
            return new Outcome(202, "Queued: no promoter leads at the moment; the decision is applied once one does.");
        }
        if (reply.get().status() != 200) {
            return new Outcome(reply.get().status(), "Refused (" + reply.get().status() + "): " + reply.get().error().orElse("refused"));
        }
        var p = reply.get().promotions().get(0);
        return new Outcome(200, (verb == ChatAction.Verb.APPROVE ? "Approved " : "Rejected ") + p.promotion() + " " + p.source()
                + " as " + who.id() + ": " + p.state());
    }

    private void tell(String responseUrl, String text) {
        try {
            http.sendAsync(HttpRequest.newBuilder(URI.create(responseUrl)).timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.writeString(SlackAnswer.of(text)))).build(),
                    HttpResponse.BodyHandlers.discarding())
                    .exceptionally(e -> {
                        LOG.warnf("Slack's response_url did not take the answer: %s", e.toString());
                        return null;
                    });
        } catch (IllegalArgumentException e) {
            LOG.warnf("Slack's response_url is not a URL: %s", e.getMessage());
        }
    }

    // ---- signed links ----------------------------------------------------------------------------------------------

    public record LinkRequest(String action, String expiresIn) {}

    public record Link(String url, String promotion, String action, String by, Instant expiresAt) {}

    @POST
    @Path("/promotions/{id}/links")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "makeApprovalLink", summary = "A signed, single-use link that approves or rejects this promotion"
            + " as the caller (the approver role), for a bot that cannot hold a token; expires within 24 h")
    @APIResponse(responseCode = "200", description = "The link")
    @APIResponse(responseCode = "400", description = "action is not approve or reject, or expiresIn is not a duration up to 24h")
    @APIResponse(responseCode = "404", description = "No such promotion, or links are not configured (tagstream.chat.links.secret)")
    public Response makeLink(@PathParam("id") String id, LinkRequest req, @Context ContainerRequestContext ctx, @Context UriInfo uri) {
        Optional<byte[]> key = linkKey();
        if (key.isEmpty()) {
            return ApiError.of(Response.Status.NOT_FOUND, "approval links are not configured: set tagstream.chat.links.secret to a secret"
                    + " whose key 'key' holds at least 32 random bytes");
        }
        if (store.gates().get(id).isEmpty()) {
            return ApiError.of(Response.Status.NOT_FOUND, "no promotion " + id);
        }
        String action = req == null || req.action() == null ? "" : req.action().strip();
        if (!action.equals("approve") && !action.equals("reject")) {
            return ApiError.of(Response.Status.BAD_REQUEST, "body: {\"action\": \"approve\" or \"reject\", \"expiresIn\": \"1h\"}");
        }
        Optional<Duration> parsed = req.expiresIn() == null ? Optional.of(Duration.ofHours(1)) : GoDuration.parse(req.expiresIn());
        if (parsed.isEmpty()) {
            return ApiError.of(Response.Status.BAD_REQUEST, "expiresIn is not a duration such as 30m or 2h");
        }
        Duration lifetime = parsed.get();
        Optional<String> bad = ApprovalLink.lifetimeProblem(lifetime);
        if (bad.isPresent()) {
            return ApiError.of(Response.Status.BAD_REQUEST, bad.get());
        }
        Identity who = AccessFilter.identity(ctx);
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        ApprovalLink link = new ApprovalLink(id, action.equals("approve") ? ChatAction.Verb.APPROVE : ChatAction.Verb.REJECT, who.id(),
                List.copyOf(who.groups()), Instant.now().plus(lifetime).getEpochSecond(), Base64.getUrlEncoder().withoutPadding().encodeToString(nonce));
        String base = publicUrl.filter(u -> !u.isBlank()).map(u -> u.replaceAll("/+$", "")).orElse(uri.getBaseUri().toString().replaceAll("/+$", ""));
        return Response.ok(new Link(base + "/api/v1/links/" + link.sign(key.get()), id, action, who.id(), link.expiresAt())).build();
    }

    @GET
    @Path("/links/{token}")
    @Produces(MediaType.TEXT_HTML)
    @Operation(operationId = "showApprovalLink", summary = "What a signed link would do, with a button that does it; reading"
            + " it changes nothing (chat apps fetch links to preview them)")
    @APIResponse(responseCode = "200", description = "A page with the decision and its button")
    @APIResponse(responseCode = "401", description = "Not a link this promoter signed")
    @APIResponse(responseCode = "410", description = "Expired or already used")
    public Response showLink(@PathParam("token") String token) {
        ApprovalLink.Checked c = check(token);
        if (c instanceof ApprovalLink.Refused r) {
            return page(r.status(), "This link cannot be used", r.reason(), false);
        }
        ApprovalLink link = ((ApprovalLink.Valid) c).link();
        String verb = link.action() == ChatAction.Verb.APPROVE ? "Approve" : "Reject";
        return page(200, verb + " promotion " + link.promotion(), verb + " " + link.promotion() + " as " + link.by() + "? The link"
                + " expires at " + link.expiresAt() + " and works once.", true);
    }

    @POST
    @Path("/links/{token}")
    @Produces(MediaType.TEXT_HTML)
    @Operation(operationId = "useApprovalLink", summary = "Carry out a signed link's decision, once")
    @APIResponse(responseCode = "200", description = "Decided; the page says the outcome")
    @APIResponse(responseCode = "401", description = "Not a link this promoter signed")
    @APIResponse(responseCode = "403", description = "The link's approver may not decide this promotion")
    @APIResponse(responseCode = "409", description = "The promotion is no longer pending")
    @APIResponse(responseCode = "410", description = "Expired or already used")
    public Response useLink(@PathParam("token") String token) {
        ApprovalLink.Checked c = check(token);
        if (c instanceof ApprovalLink.Refused r) {
            deny("POST /api/v1/links/…", r.status() + " approval link: " + r.reason());
            return page(r.status(), "This link cannot be used", r.reason(), false);
        }
        ApprovalLink link = ((ApprovalLink.Valid) c).link();
        if (store.answered(link.requestId())) {
            return page(410, "This link was used", "The link has already been used; it works once.", false);
        }
        Identity who = new Identity(link.by(), Set.copyOf(link.groups()), Set.of(Role.APPROVER), Identity.Kind.USER);
        Outcome o = decide(link.action(), link.requestId(), link.promotion(), who, "by signed link");
        return page(o.status(), o.status() == 200 ? "Done" : o.status() == 202 ? "Queued" : "Refused", o.text(), false);
    }

    private ApprovalLink.Checked check(String token) {
        Optional<byte[]> key = linkKey();
        if (key.isEmpty()) {
            return new ApprovalLink.Refused(401, "approval links are not configured on this promoter");
        }
        return ApprovalLink.check(key.get(), token, Instant.now());
    }

    private Optional<byte[]> linkKey() {
        return linksSecret.filter(s -> !s.isBlank()).flatMap(s -> secrets.get(ResourceId.parse(s.strip()), "key"))
                .map(s -> s.reveal().strip().getBytes(StandardCharsets.UTF_8)).filter(k -> k.length >= 32);
    }

    private static Response page(int status, String title, String text, boolean button) {
        String html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title></head><body>"
                + "<h1>" + escape(title) + "</h1><p>" + escape(text) + "</p>"
                + (button ? "<form method=\"post\"><button type=\"submit\">" + escape(title.split(" ")[0]) + "</button></form>" : "")
                + "</body></html>";
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("utf-8")).entity(html)
                .header("Content-Security-Policy", "default-src 'none'; form-action 'self'; frame-ancestors 'none'")
                .header("Cache-Control", "no-store").header("Referrer-Policy", "no-referrer").build();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private void deny(String subject, String why) {
        audit.writeLater(audit.records().rejected(AuditAction.ACCESS_DENIED, subject, why, Optional.empty()));
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
