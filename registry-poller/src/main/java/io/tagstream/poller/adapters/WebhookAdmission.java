package io.tagstream.poller.adapters;

import io.tagstream.common.events.AuditAction;
import io.tagstream.common.service.EarlyAdmission;
import io.tagstream.poller.core.WebhookAuth;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;

/**
 * Webhooks refused before their body is read: a path no Receiver answers at (404), a Receiver whose secret has no
 * token (503), and for providers that send their token in a header, a missing or wrong token (401). Only a delivery
 * that is authentic so far, or whose provider signs the body (GitHub, Nexus, generic-hmac), may send its body.
 * {@link WebhooksResource} makes the same checks again with the body; this is what keeps strangers from holding
 * memory and connections with bodies they will never finish.
 */
@ApplicationScoped
public class WebhookAdmission implements EarlyAdmission {

    static final String FLUX = "/hook/";
    static final String NAMED = "/api/v1/webhooks/";

    @Inject
    Receivers receivers;

    @Inject
    WebhookOutcomes outcomes;

    @Override
    public Verdict beforeBody(String method, String path, Map<String, String> headers) {
        if (!method.equals("POST")) {
            return UNJUDGED;
        }
        if (path.startsWith(FLUX)) {
            String digest = path.substring(FLUX.length());
            if (digest.isEmpty() || digest.contains("/")) {
                return UNJUDGED; // not a receiver path: the REST layer answers it
            }
            if (receivers.byFluxPath(digest).isEmpty()) {
                return refuse(404, "flux-hook", AuditAction.WEBHOOK_UNKNOWN, WebhooksResource.hookSubject(digest),
                        "no Receiver answers at this path");
            }
            return AUTHENTIC; // the path is the secret (a signing provider's signature is checked with the body as well)
        }
        if (path.startsWith(NAMED)) {
            String[] parts = path.substring(NAMED.length()).split("/", -1);
            if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
                return UNJUDGED;
            }
            String type = parts[0];
            Optional<Receivers.Keyed> r = receivers.named(type, parts[1], parts[2]);
            if (r.isEmpty()) {
                return refuse(404, type, AuditAction.WEBHOOK_UNKNOWN, type + "/" + parts[1] + "/" + parts[2],
                        WebhooksResource.unknownReceiver(type, parts[1] + "/" + parts[2]));
            }
            String subject = r.get().receiver().id().toString();
            if (r.get().token().isEmpty()) {
                return refuse(503, type, AuditAction.WEBHOOK_UNCONFIGURED, subject, WebhooksResource.unconfigured(r.get().receiver()));
            }
            if (WebhookAuth.signsBody(type)) {
                return UNJUDGED; // only the body proves a signature
            }
            Optional<String> failure = WebhookAuth.checkHeaders(type, headers, r.get().token().get());
            return failure.isPresent() ? refuse(401, type, AuditAction.WEBHOOK_REJECTED, subject, failure.get()) : AUTHENTIC;
        }
        return UNJUDGED;
    }

    private Verdict refuse(int status, String provider, AuditAction action, String subject, String reason) {
        String said = status == 503 ? WebhooksResource.notYet(subject) : reason;
        outcomes.rejectSoon(status, provider, action, subject, reason);
        return new Refused(status, said);
    }
}
