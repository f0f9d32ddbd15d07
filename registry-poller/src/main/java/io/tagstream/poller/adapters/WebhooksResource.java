package io.tagstream.poller.adapters;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import io.tagstream.common.events.AuditAction;
import io.tagstream.common.service.ApiError;
import io.tagstream.common.service.ConfigWatch;
import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.common.config.ImageRepository;
import io.tagstream.common.config.Receiver;
import io.tagstream.common.events.Json;
import io.tagstream.common.events.TagDiscovered.DiscoverySource;
import io.tagstream.common.registry.OciGrammar;
import io.tagstream.poller.core.HintOrigin;
import io.tagstream.poller.core.ImageOwners;
import io.tagstream.poller.core.WebhookAuth;
import io.tagstream.poller.core.WebhookPayloads;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Registry push notifications, at Flux's {@code /hook/<sha256(token+name+namespace)>} and at
 * {@code /api/v1/webhooks/<type>/<namespace>/<name>}. Every delivery is authenticated; a payload is only a hint, so the
 * named tag is resolved against the registry before anything is emitted. Answers: 202 accepted or ignored, 400
 * malformed, 401 not authentic, 404 unknown receiver, 413 too large (over 3 MiB, enforced by the HTTP layer).
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class WebhooksResource {

    /** Tags one delivery may name: a burst of pushes fits, a list of 10,000 invented tags does not reach a registry. */
    static final int MAX_HINTS = 100;

    // what both webhook paths answer, documented once
    static final String ACCEPTED = "Accepted (the tags named are checked against the registry) or ignored (a pull, a blob,"
            + " an untagged push, a suspended repository), with the reason";
    static final String MALFORMED = "The body is not the provider's JSON, or names a tag outside the OCI grammar";
    static final String UNAUTHENTICATED = "The delivery's signature or token does not match the Receiver's secret";
    static final String UNCONFIGURED = "The Receiver's secret is missing: deliveries are refused until it is there";

    @Inject
    ConfigWatch config;

    @Inject
    Scanner scanner;

    @Inject
    Publisher publisher;

    @Inject
    Receivers receivers;

    @Inject
    WebhookOutcomes outcomes;

    @POST
    @Path("/api/v1/webhooks/{type}/{ns}/{name}")
    @Operation(operationId = "receiveWebhook", summary = "A registry's push notification for a named Receiver,"
            + " authenticated by the provider's signature or the Receiver's token; a hint, checked against the registry")
    @APIResponse(responseCode = "202", description = ACCEPTED)
    @APIResponse(responseCode = "400", description = MALFORMED)
    @APIResponse(responseCode = "401", description = UNAUTHENTICATED)
    @APIResponse(responseCode = "404", description = "No Receiver answers here")
    @APIResponse(responseCode = "413", description = "The body is larger than 3 MiB")
    @APIResponse(responseCode = "503", description = UNCONFIGURED)
    public Response named(@PathParam("type") String type, @PathParam("ns") String ns, @PathParam("name") String name,
            @Context HttpHeaders headers, byte[] body) {
        Optional<Receivers.Keyed> receiver = receivers.named(type, ns, name);
        if (receiver.isEmpty()) {
            return reject(404, type, AuditAction.WEBHOOK_UNKNOWN, type + "/" + ns + "/" + name, unknownReceiver(type, ns + "/" + name));
        }
        return deliver(receiver.get(), headers, body, false);
    }

    @POST
    @Path("/hook/{digest}")
    @Operation(operationId = "receiveFluxWebhook", summary = "Flux's receiver path, sha256(token + name + namespace):"
            + " the same delivery as receiveWebhook, for registries that cannot send headers")
    @APIResponse(responseCode = "202", description = ACCEPTED)
    @APIResponse(responseCode = "400", description = MALFORMED)
    @APIResponse(responseCode = "401", description = UNAUTHENTICATED)
    @APIResponse(responseCode = "404", description = "No Receiver answers here")
    @APIResponse(responseCode = "413", description = "The body is larger than 3 MiB")
    @APIResponse(responseCode = "503", description = UNCONFIGURED)
    public Response flux(@PathParam("digest") String digest, @Context HttpHeaders headers, byte[] body) {
        return receivers.byFluxPath(digest).map(r -> deliver(r, headers, body, true))
                .orElseGet(() -> reject(404, "flux-hook", AuditAction.WEBHOOK_UNKNOWN, hookSubject(digest), "no Receiver answers at this path"));
    }

    /** A {@code /hook/} path in the audit: its first 8 characters, never the whole secret. */
    static String hookSubject(String digest) {
        return "/hook/" + digest.substring(0, Math.min(8, digest.length())) + "…";
    }

    static String unknownReceiver(String type, String id) {
        return "no Receiver of type " + type + " named " + id + " or covering ImageRepository " + id;
    }

    /** For the audit: which secret is missing. */
    static String unconfigured(Receiver r) {
        return "Receiver " + r.id() + " has no token: secret " + r.id().namespace() + "/" + r.secretRef() + " key 'token' is missing";
    }

    /** For the caller, who is not authenticated yet: which secret is missing is for the audit, not for them. */
    static String notYet(String subject) {
        return "Receiver " + subject + " is not configured to accept deliveries yet";
    }

    private Response deliver(Receivers.Keyed keyed, HttpHeaders headers, byte[] body, boolean pathAuthenticated) {
        Receiver receiver = keyed.receiver();
        String subject = receiver.id().toString();
        Optional<String> token = keyed.token();
        if (token.isEmpty()) {
            outcomes.count(receiver.type(), "503");
            publisher.audit(Publisher.AUDIT.error(AuditAction.WEBHOOK_UNCONFIGURED, subject, unconfigured(receiver), Optional.empty()));
            return Response.status(503).type(MediaType.APPLICATION_JSON).entity(new ApiError(notYet(subject))).build();
        }
        Map<String, String> h = new LinkedHashMap<>();
        headers.getRequestHeaders().forEach((k, v) -> h.put(k, v.isEmpty() ? "" : v.get(0)));
        if (!pathAuthenticated || WebhookAuth.signsBody(receiver.type())) {
            Optional<String> failure = WebhookAuth.check(receiver.type(), h, body == null ? new byte[0] : body, token.get());
            if (failure.isPresent()) {
                return reject(401, receiver.type(), AuditAction.WEBHOOK_REJECTED, subject, failure.get());
            }
        }
        JsonNode json;
        try {
            json = Json.mapper().readTree(body == null ? new byte[0] : body);
        } catch (IOException e) {
            return reject(400, receiver.type(), AuditAction.WEBHOOK_MALFORMED, subject, "body is not JSON: " + e.getMessage().split("\n")[0]);
        }
        WebhookPayloads.Reading reading;
        try {
            reading = WebhookPayloads.read(receiver.type(), json, Optional.ofNullable(h.get("X-GitHub-Event")));
        } catch (WebhookPayloads.Malformed e) {
            return reject(400, receiver.type(), AuditAction.WEBHOOK_MALFORMED, subject, e.getMessage());
        }
        if (reading instanceof WebhookPayloads.Ignored ignored) {
            outcomes.count(receiver.type(), "ignored");
            publisher.audit(Publisher.AUDIT.ok(AuditAction.WEBHOOK_IGNORED, subject, ignored.reason(), Optional.empty()));
            return Response.accepted(Map.of("status", "ignored", "reason", ignored.reason())).build();
        }
        List<String> accepted = new ArrayList<>();
        List<String> unmatched = new ArrayList<>();
        List<String> invalid = new ArrayList<>();
        List<String> suspended = new ArrayList<>();
        List<WebhookPayloads.Hint> hints = ((WebhookPayloads.Hints) reading).hints();
        if (hints.size() > MAX_HINTS) {
            invalid.add((hints.size() - MAX_HINTS) + " more tags than the " + MAX_HINTS + " one delivery may name: left to the"
                    + " next scan");
            hints = hints.subList(0, MAX_HINTS);
        }
        for (WebhookPayloads.Hint hint : hints) {
            Optional<String> bad = hint.tag().flatMap(OciGrammar::tagProblem);
            if (bad.isPresent()) {
                invalid.add(bad.get()); // never resolved, never announced: the registry would not have it anyway
                continue;
            }
            List<ImageRepository> repos = ImageOwners.notified(hint.host(), hint.path(),
                    ImageOwners.triggeredBy(receiver, config.config()));
            String what = hint.host().map(x -> x + "/").orElse("") + hint.path() + hint.tag().map(t -> ":" + t).orElse("");
            if (repos.isEmpty()) {
                unmatched.add(what);
            }
            for (ImageRepository repo : repos) {
                if (repo.suspend()) { // as Flux: a suspended ImageRepository is not reconciled, whoever asks
                    suspended.add(repo.id() + " is suspended");
                    continue;
                }
                scanner.hint(repo, hint.tag(), DiscoverySource.WEBHOOK, new HintOrigin(Optional.empty(), hint.pushedBy()));
                accepted.add(repo.id() + (hint.tag().map(t -> ":" + t).orElse(" (rescan)")));
            }
        }
        if (accepted.isEmpty() && unmatched.isEmpty() && invalid.isEmpty() && !suspended.isEmpty()) {
            String reason = String.join("; ", new java.util.TreeSet<>(suspended));
            outcomes.count(receiver.type(), "ignored");
            publisher.audit(Publisher.AUDIT.ok(AuditAction.WEBHOOK_IGNORED, subject, reason, Optional.empty()));
            return Response.accepted(Map.of("status", "ignored", "reason", reason)).build();
        }
        invalid.addAll(new java.util.TreeSet<>(suspended));
        if (accepted.isEmpty() && unmatched.isEmpty() && !invalid.isEmpty()) {
            return reject(400, receiver.type(), AuditAction.WEBHOOK_MALFORMED, subject, String.join("; ", invalid));
        }
        if (accepted.isEmpty()) {
            outcomes.count(receiver.type(), "unmatched");
            String reason = "no ImageRepository of Receiver " + subject + " matches " + String.join(", ", unmatched);
            publisher.audit(Publisher.AUDIT.rejected(AuditAction.WEBHOOK_UNMATCHED, subject, reason, Optional.empty()));
            return Response.accepted(Map.of("status", "ignored", "reason", reason)).build();
        }
        outcomes.count(receiver.type(), "accepted");
        publisher.audit(Publisher.AUDIT.ok(AuditAction.WEBHOOK_ACCEPTED, subject, "checking " + String.join(", ", accepted)
                + " against the registry", Optional.empty()));
        return Response.accepted(invalid.isEmpty() ? Map.of("status", "accepted", "checking", accepted)
                : Map.of("status", "accepted", "checking", accepted, "skipped", invalid)).build();
    }

    private Response reject(int status, String provider, AuditAction action, String subject, String reason) {
        return outcomes.reject(status, provider, action, subject, reason);
    }
}
