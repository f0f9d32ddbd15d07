package io.tagstream.common.service;

import io.quarkus.runtime.configuration.MemorySize;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.OptionalLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The gate every request body passes before the REST layer reads it, on the HTTP event loop: first each
 * {@link EarlyAdmission} may refuse it from its headers; then it must fit the {@link BodyBudget} (503 with Retry-After
 * when it does not; a body no header has proven authentic may use only half of it); then it must arrive within the body timeout (408, connection closed). Bodies are read on the event
 * loop (quarkus.rest.input-buffer-size equals the largest body), never on a worker thread, so slow senders cannot
 * take the threads that health checks and the API run on. Refusals are counted in
 * {@code tagstream.http.refused{status}}.
 */
@ApplicationScoped
public class BodyIntake {

    private static final Logger LOG = Logger.getLogger(BodyIntake.class);

    /** Before the REST layer's routes (order 0 and later) and the body handling they do. */
    static final int ORDER = -1_000;

    @ConfigProperty(name = "tagstream.http.buffered-bodies", defaultValue = "32M")
    MemorySize capacity;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
    MemorySize maxBody;

    @ConfigProperty(name = "tagstream.http.body-timeout", defaultValue = "10s")
    Duration bodyTimeout;

    @Inject
    Instance<EarlyAdmission> admissions;

    @Inject
    MeterRegistry metrics;

    @Inject
    Vertx vertx;

    private volatile BodyBudget budget;
    private volatile BodyBudget unverified;

    /** All bodies being received. */
    BodyBudget budget() {
        if (budget == null) {
            budget = new BodyBudget(capacity.asLongValue(), maxBody.asLongValue());
        }
        return budget;
    }

    /** Bodies whose sender no header has proven: at most half of the whole, so strangers never crowd out a known sender. */
    BodyBudget unverified() {
        if (unverified == null) {
            unverified = new BodyBudget(capacity.asLongValue() / 2, maxBody.asLongValue());
        }
        return unverified;
    }

    void routes(@Observes Router router) {
        router.route().order(ORDER).handler(this::handle);
    }

    /** RFC 9112 §6: a request has a body when it says so by Content-Length (other than 0) or Transfer-Encoding. */
    static boolean hasBody(HttpServerRequest req) {
        String length = req.getHeader("Content-Length");
        return req.getHeader("Transfer-Encoding") != null || (length != null && !length.strip().equals("0"));
    }

    static OptionalLong declared(HttpServerRequest req) {
        String length = req.getHeader("Content-Length");
        if (req.getHeader("Transfer-Encoding") != null || length == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(length.strip()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty(); // the HTTP layer answers 400 for it; reserve as for the largest body meanwhile
        }
    }

    void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        if (!hasBody(req) || req.isEnded()) {
            ctx.next();
            return;
        }
        String path = ctx.normalizedPath();
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        req.headers().forEach(h -> headers.putIfAbsent(h.getKey(), h.getValue()));
        boolean authentic = false;
        for (EarlyAdmission a : admissions) {
            EarlyAdmission.Verdict v = a.beforeBody(req.method().name(), path, headers);
            if (v instanceof EarlyAdmission.Refused r) {
                refuse(ctx, r.status(), r.reason(), false, true);
                return;
            }
            authentic |= v instanceof EarlyAdmission.Authentic;
        }
        BodyBudget b = budget();
        BodyBudget u = unverified();
        OptionalLong declared = declared(req);
        OptionalLong strangers = authentic ? OptionalLong.of(0) : u.reserve(declared);
        OptionalLong reserved = strangers.isPresent() ? b.reserve(declared) : OptionalLong.empty();
        if (reserved.isEmpty()) {
            strangers.ifPresent(x -> u.release(x));
            refuse(ctx, 503, "this service is receiving as many request bodies as it holds at once (" + (authentic
                    ? (b.capacity() >> 20) + " MiB" : (u.capacity() >> 20) + " MiB from senders not yet authenticated") + "); retry shortly", true, true);
            return;
        }
        long timer = vertx.setTimer(bodyTimeout.toMillis(), id -> {
            if (!req.isEnded() && !ctx.response().ended()) {
                refuse(ctx, 408, "the request body did not arrive within " + bodyTimeout.toSeconds() + " s", false, false);
            }
        });
        ctx.addEndHandler(done -> {
            b.release(reserved.getAsLong());
            u.release(strangers.getAsLong());
            vertx.cancelTimer(timer);
        });
        ctx.next();
    }

    /** How long a refused body is read and thrown away before its connection is closed (see {@link #refuse}). */
    static final long LINGER_MILLIS = 2_000;

    /**
     * Answers without reading the body, then closes the connection (its unread body makes it unusable). With
     * {@code linger}, the rest of the body is first read and thrown away, for at most {@link #LINGER_MILLIS} and the
     * largest body the service takes (a lingering close, as nginx and Apache do): closing a socket with unread bytes
     * makes the kernel send a reset, and the sender's TCP stack then drops our answer unread, so a registry would see
     * a broken connection instead of its 401 or 404. Nothing read is kept; a body that stops arriving (the 408) is not
     * waited for.
     */
    private void refuse(RoutingContext ctx, int status, String reason, boolean retry, boolean linger) {
        metrics.counter("tagstream.http.refused", "status", String.valueOf(status)).increment();
        LOG.debugf("refused %s %s with %d before its body: %s", ctx.request().method(), AuditThrottle.escape(ctx.normalizedPath()),
                status, reason);
        HttpServerResponse r = ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .putHeader("Connection", "close");
        if (retry) {
            r.putHeader("Retry-After", "2");
        }
        HttpServerRequest req = ctx.request();
        if (linger && !req.isEnded()) {
            long[] discarded = {0};
            long limit = maxBody.asLongValue();
            long timer = vertx.setTimer(LINGER_MILLIS, id -> req.connection().close());
            req.exceptionHandler(e -> { });
            req.endHandler(end -> {
                vertx.cancelTimer(timer);
                req.connection().close();
            });
            req.handler(chunk -> {
                discarded[0] += chunk.length();
                if (discarded[0] > limit) {
                    vertx.cancelTimer(timer);
                    req.connection().close();
                }
            });
            req.resume();
        }
        r.end(io.tagstream.common.events.Json.writeString(new ApiError(reason))).onComplete(x -> {
            if (!linger && !req.isEnded()) {
                req.connection().close();
            }
        });
    }
}
