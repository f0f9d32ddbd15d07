package io.tagstream.common.service;

import io.tagstream.common.access.AccessRules;
import io.tagstream.common.access.AccessSettings;
import io.tagstream.common.access.ApiTokens;
import io.tagstream.common.access.Authenticator;
import io.tagstream.common.access.Identity;
import io.tagstream.common.access.Role;
import io.tagstream.common.config.Secrets;
import io.tagstream.common.events.AuditAction;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Carries out {@link AccessRules} on every API request of a service: refuses with 401/403/415 and the rule (audited,
 * rate-limited), or lets the request on with its {@link Identity} for the resource to record ({@link #identity}).
 */
@Provider
@PreMatching // before the resource is matched, so that a refusal (e.g. a form post's 415) names our rule
@Priority(Priorities.AUTHENTICATION)
public class AccessFilter implements ContainerRequestFilter {

    private static final Logger LOG = Logger.getLogger(AccessFilter.class);
    static final String PROPERTY = "tagstream.identity";

    @ConfigProperty(name = "tagstream.auth.local-development", defaultValue = "false")
    boolean localDevelopment;

    @ConfigProperty(name = "tagstream.auth.jwt.keys")
    Optional<String> jwtKeys;

    // an unset (or empty) property is an empty Optional: MicroProfile Config refuses "" as a default
    @ConfigProperty(name = "tagstream.auth.jwt.issuer")
    Optional<String> jwtIssuer;

    @ConfigProperty(name = "tagstream.auth.jwt.audience")
    Optional<String> jwtAudience;

    @ConfigProperty(name = "tagstream.auth.jwt.user-claim")
    Optional<String> userClaim;

    @ConfigProperty(name = "tagstream.auth.jwt.groups-claim", defaultValue = "groups")
    String groupsClaim;

    @ConfigProperty(name = "tagstream.auth.roles.viewer")
    Optional<String> viewerGroups;

    @ConfigProperty(name = "tagstream.auth.roles.approver")
    Optional<String> approverGroups;

    @ConfigProperty(name = "tagstream.auth.roles.signaler")
    Optional<String> signalerGroups;

    @ConfigProperty(name = "tagstream.auth.roles.admin")
    Optional<String> adminGroups;

    @ConfigProperty(name = "tagstream.auth.tokens-secret")
    Optional<String> tokensSecret;

    @ConfigProperty(name = "tagstream.auth.reads", defaultValue = "authenticated")
    String reads;

    @ConfigProperty(name = "tagstream.auth.allowed-origins")
    Optional<String> allowedOrigins;

    @Inject
    Secrets secrets;

    @Inject
    AuditLog audit;

    private volatile AccessSettings settings;
    private volatile Authenticator authenticator;
    private volatile ApiTokens.Table tokens = ApiTokens.parse("");
    private volatile Instant tokensReadAt = Instant.EPOCH;

    void start(@Observes StartupEvent e) {
        settings();
        String how = settings.describe();
        if (settings.localDevelopment()) {
            LOG.warn("ACCESS CONTROL IS OFF (tagstream.auth.local-development=true): anyone who reaches this service may "
                    + "approve, reject, signal and scan. Never set this outside one developer's machine.");
        } else if (!settings.problems().isEmpty()) {
            LOG.errorf("access control is misconfigured, every request that needs a role is refused: %s", String.join("; ", settings.problems()));
        } else {
            LOG.infof("access control: %s", how);
        }
    }

    /** The settings in force, built once from the properties. */
    public AccessSettings settings() {
        if (settings == null) {
            Map<Role, Set<String>> groups = new EnumMap<>(Role.class);
            groups.put(Role.VIEWER, list(viewerGroups));
            groups.put(Role.APPROVER, list(approverGroups));
            groups.put(Role.SIGNALER, list(signalerGroups));
            groups.put(Role.ADMIN, list(adminGroups));
            AccessSettings s = new AccessSettings(localDevelopment,
                    jwtKeys.filter(k -> !k.isBlank()).map(k -> new AccessSettings.Jwt(k, jwtIssuer.orElse(""), jwtAudience.orElse(""),
                            userClaim.filter(c -> !c.isBlank()), groupsClaim)),
                    tokensSecret.filter(t -> !t.isBlank()), groups, !"open".equals(reads.strip()), list(allowedOrigins));
            authenticator = new Authenticator(s, this::tokens);
            settings = s;
        }
        return settings;
    }

    private static Set<String> list(Optional<String> csv) {
        return Arrays.stream(csv.orElse("").split(",")).map(String::strip).filter(x -> !x.isEmpty()).collect(Collectors.toSet());
    }

    /** The token table from its secret, read again at most every 10 seconds so that a rotated token takes effect. */
    private ApiTokens.Table tokens() {
        Instant now = Instant.now();
        if (Duration.between(tokensReadAt, now).toSeconds() >= 10 && settings.tokensSecret().isPresent()) {
            String[] ns = settings.tokensSecret().get().split("/", 2);
            ApiTokens.Table t = secrets.get(ns[0], ns[1], "tokens").map(s -> ApiTokens.parse(s.reveal())).orElseGet(() -> {
                LOG.errorf("API-token secret %s has no key 'tokens': no API token is accepted", settings.tokensSecret().get());
                return ApiTokens.parse("");
            });
            t.problems().forEach(p -> LOG.errorf("API-token secret %s, key tokens, %s (that line is ignored)", settings.tokensSecret().get(), p));
            tokens = t;
            tokensReadAt = now;
        }
        return tokens;
    }

    /** RFC 9112 §6: a request has a body when it says so by Content-Length (other than 0) or Transfer-Encoding */
    static boolean hasBody(ContainerRequestContext ctx) {
        String length = ctx.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        return ctx.getHeaderString("Transfer-Encoding") != null || (length != null && !length.strip().equals("0"));
    }

    @Override
    public void filter(ContainerRequestContext ctx) {
        AccessSettings s = settings();
        String path = AccessRules.routed(ctx.getUriInfo().getPath());
        Optional<String> contentType = Optional.ofNullable(ctx.getHeaderString(HttpHeaders.CONTENT_TYPE)).filter(t -> !t.isBlank());
        AccessRules.Call call = new AccessRules.Call(ctx.getMethod(), path, contentType, hasBody(ctx),
                Optional.ofNullable(ctx.getHeaderString("Origin")).filter(o -> !o.isBlank()));
        Authenticator.Outcome who = authenticator.authenticate(Optional.ofNullable(ctx.getHeaderString(HttpHeaders.AUTHORIZATION)));
        AccessRules.Decision d = AccessRules.decide(call, s, who);
        if (d instanceof AccessRules.Allowed a) {
            ctx.setProperty(PROPERTY, a.identity());
        } else if (d instanceof AccessRules.Denied denied) {
            Response.ResponseBuilder r = Response.status(denied.status()).type("application/json")
                    .entity(new ApiError(denied.reason() + " (rule: " + denied.rule() + ")"));
            if (denied.status() == 401) {
                r.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"tagstream\"");
            }
            String subject = call.method() + " " + path;
            String why = denied.status() + " " + denied.rule() + ": " + denied.reason();
            audit.writeLater(audit.records().rejected(AuditAction.ACCESS_DENIED, subject, why, Optional.empty()));
            ctx.abortWith(r.build());
        }
    }

    /** Who the filter let this request in as; every resource method behind the filter has one. */
    public static Identity identity(ContainerRequestContext ctx) {
        Object o = ctx.getProperty(PROPERTY);
        return o instanceof Identity i ? i : Identity.ANONYMOUS;
    }

    /** For readiness and the log: how this service lets callers in. */
    public List<String> describe() {
        return List.of(settings().describe());
    }
}
