package io.tagstream.console.adapters;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.Secrets;
import io.tagstream.common.events.Json;
import io.tagstream.common.service.ApiError;
import io.tagstream.console.core.Pkce;
import jakarta.inject.Inject;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.logging.Logger;

/**
 * Sign-in with the organisation's identity provider: OpenID Connect's authorization code flow with PKCE. The console
 * keeps no session: the state and the code verifier travel in a short-lived cookie bound to this browser, the code is
 * exchanged for a token at the provider's token endpoint, and the token is handed to the page in the URL fragment
 * (never sent to a server again, kept in the tab's session storage) — the page then calls the APIs with it as with a
 * pasted token, and every service verifies it.
 */
@Path("/login")
public class OidcLogin {

    private static final Logger LOG = Logger.getLogger(OidcLogin.class);
    static final String COOKIE = "tagstream_oidc";

    /** The provider's discovery document, {@code …/.well-known/openid-configuration}. */
    @ConfigProperty(name = "tagstream.console.oidc.discovery-url")
    Optional<String> discoveryUrl;

    @ConfigProperty(name = "tagstream.console.oidc.client-id")
    Optional<String> clientId;

    /** {@code <namespace>/<name>} of a secret whose key {@code clientSecret} holds a confidential client's secret. */
    @ConfigProperty(name = "tagstream.console.oidc.client-secret")
    Optional<String> clientSecretRef;

    @ConfigProperty(name = "tagstream.console.oidc.scopes", defaultValue = "openid profile email")
    String scopes;

    /** Which token the services verify: the access token (default) or the ID token. */
    @ConfigProperty(name = "tagstream.console.oidc.token", defaultValue = "access_token")
    String tokenField;

    /** The console's public address (for the redirect URI); the request's own when unset. */
    @ConfigProperty(name = "tagstream.console.public-url")
    Optional<String> publicUrl;

    @Inject
    Secrets secrets;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public record OidcConfig(boolean enabled) {}

    @GET
    @Path("/oidc/config")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "oidcConfig", summary = "Whether sign-in with an identity provider is offered")
    @APIResponse(responseCode = "200", description = "enabled: true when tagstream.console.oidc.* is set")
    public OidcConfig config() {
        return new OidcConfig(enabled());
    }

    private boolean enabled() {
        return discoveryUrl.filter(u -> !u.isBlank()).isPresent() && clientId.filter(c -> !c.isBlank()).isPresent();
    }

    @GET
    @Path("/oidc")
    @Operation(operationId = "oidcLogin", summary = "Starts the sign-in: a redirect to the identity provider (authorization"
            + " code with PKCE, S256)")
    @APIResponse(responseCode = "303", description = "To the provider's authorization endpoint")
    @APIResponse(responseCode = "404", description = "Sign-in with an identity provider is not configured")
    @APIResponse(responseCode = "502", description = "The provider's discovery document cannot be read")
    public Response start(@Context UriInfo uri) {
        if (!enabled()) {
            return ApiError.of(Response.Status.NOT_FOUND, "sign-in with an identity provider is not configured"
                    + " (tagstream.console.oidc.discovery-url and client-id)");
        }
        Optional<JsonNode> d = discovery();
        if (d.isEmpty() || !d.get().hasNonNull("authorization_endpoint")) {
            return ApiError.of(Response.Status.BAD_GATEWAY, "the identity provider's discovery document at " + discoveryUrl.get()
                    + " cannot be read or names no authorization_endpoint");
        }
        Pkce pkce = Pkce.create();
        String location = d.get().get("authorization_endpoint").asText() + "?" + form(Map.of(
                "response_type", "code", "client_id", clientId.get(), "redirect_uri", redirectUri(uri), "scope", scopes,
                "state", pkce.state(), "code_challenge", pkce.challenge(), "code_challenge_method", "S256"));
        return Response.seeOther(URI.create(location)).cookie(cookie(uri, pkce.state() + "." + pkce.verifier(), 600)).build();
    }

    @GET
    @Path("/callback")
    @Operation(operationId = "oidcCallback", summary = "Where the identity provider sends the browser back: the code is"
            + " exchanged for a token, which goes to the page in the URL fragment")
    @APIResponse(responseCode = "303", description = "To the console, signed in")
    @APIResponse(responseCode = "400", description = "The provider said no, or the state does not match this browser's sign-in")
    @APIResponse(responseCode = "502", description = "The token endpoint refused the code or cannot be reached")
    public Response callback(@QueryParam("code") String code, @QueryParam("state") String state, @QueryParam("error") String error,
            @QueryParam("error_description") String errorDescription, @CookieParam(COOKIE) String cookie, @Context UriInfo uri) {
        NewCookie clear = cookie(uri, "", 0);
        if (error != null) {
            return problem(Response.Status.BAD_REQUEST, "the identity provider refused the sign-in: " + error
                    + (errorDescription == null ? "" : " (" + errorDescription + ")"), clear);
        }
        String[] kept = cookie == null ? new String[0] : cookie.split("\\.", 2);
        if (kept.length != 2 || state == null || !MessageDigest.isEqual(kept[0].getBytes(StandardCharsets.US_ASCII),
                state.getBytes(StandardCharsets.US_ASCII)) || code == null || code.isBlank()) {
            return problem(Response.Status.BAD_REQUEST, "this sign-in was not started in this browser, or it took longer than"
                    + " 10 minutes: start again", clear);
        }
        Optional<JsonNode> d = discovery();
        if (d.isEmpty() || !d.get().hasNonNull("token_endpoint")) {
            return problem(Response.Status.BAD_GATEWAY, "the identity provider's discovery document names no token_endpoint", clear);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(d.get().get("token_endpoint").asText())).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json");
        Map<String, String> fields = new LinkedHashMap<>(Map.of("grant_type", "authorization_code", "code", code,
                "redirect_uri", redirectUri(uri), "client_id", clientId.get(), "code_verifier", kept[1]));
        clientSecret().ifPresent(s -> b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                (enc(clientId.get()) + ":" + enc(s)).getBytes(StandardCharsets.UTF_8))));
        HttpResponse<String> r;
        try {
            r = http.send(b.POST(HttpRequest.BodyPublishers.ofString(form(fields))).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return problem(Response.Status.BAD_GATEWAY, "the token endpoint cannot be reached: " + e.getMessage(), clear);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return problem(Response.Status.BAD_GATEWAY, "interrupted", clear);
        }
        JsonNode t;
        try {
            t = Json.mapper().readTree(r.body());
        } catch (IOException e) {
            t = Json.mapper().createObjectNode();
        }
        if (r.statusCode() != 200 || !t.hasNonNull(tokenField)) {
            return problem(Response.Status.BAD_GATEWAY, "the token endpoint answered " + r.statusCode()
                    + (t.hasNonNull("error") ? ": " + t.get("error").asText() + (t.hasNonNull("error_description")
                            ? " (" + t.get("error_description").asText() + ")" : "") : " with no " + tokenField), clear);
        }
        return Response.seeOther(URI.create(base(uri) + "/#token=" + URLEncoder.encode(t.get(tokenField).asText(), StandardCharsets.UTF_8)))
                .cookie(clear).header("Cache-Control", "no-store").header("Referrer-Policy", "no-referrer").build();
    }

    private Optional<JsonNode> discovery() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(discoveryUrl.get())).timeout(Duration.ofSeconds(10))
                    .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(Json.mapper().readTree(r.body())) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            LOG.warnf("the identity provider's discovery document at %s cannot be read: %s", discoveryUrl.get(), e.toString());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private Optional<String> clientSecret() {
        return clientSecretRef.filter(s -> !s.isBlank()).flatMap(s -> secrets.get(ResourceId.parse(s.strip()), "clientSecret"))
                .map(s -> s.reveal().strip());
    }

    private String base(UriInfo uri) {
        return publicUrl.filter(u -> !u.isBlank()).orElse(uri.getBaseUri().toString()).replaceAll("/+$", "");
    }

    private String redirectUri(UriInfo uri) {
        return base(uri) + "/login/callback";
    }

    private NewCookie cookie(UriInfo uri, String value, int maxAge) {
        return new NewCookie.Builder(COOKIE).value(value).path("/login").maxAge(maxAge).httpOnly(true)
                .secure(base(uri).startsWith("https:")).sameSite(NewCookie.SameSite.LAX).build();
    }

    private static Response problem(Response.Status status, String reason, NewCookie clear) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ApiError(reason)).cookie(clear).build();
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
