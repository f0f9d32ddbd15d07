package io.tagstream.common.service;

import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Documents, in each service's OpenAPI document, the answers every operation shares because of the access filter and
 * the HTTP layer, so no operation's annotations repeat them: 401 and 403 on the API when access control is on (not on
 * webhooks, which authenticate themselves), 415 on a JSON write sent as something else, 400 and 413 on a body that is
 * not JSON or is too large. Every error answer (4xx, 5xx) without a body of its own is given the {@code Error} body
 * ({@link ApiError}), whose schema is defined here, once. Registered per service with {@code mp.openapi.filter}.
 */
public final class ApiDocs implements OASFilter {

    static final String ERROR = "#/components/schemas/Error";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        if (openAPI.getComponents().getSchemas() == null || !openAPI.getComponents().getSchemas().containsKey("Error")) {
            openAPI.getComponents().addSchema("Error", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.OBJECT))
                    .description("Why the request was refused; every error answer of every Tagstream API has this body")
                    .addProperty("error", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.STRING))
                            .description("The reason, for a person: what was wrong and, where it helps, what to send instead")));
        }
        describeFields(openAPI);
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        for (Map.Entry<String, PathItem> p : openAPI.getPaths().getPathItems().entrySet()) {
            boolean webhook = p.getKey().startsWith("/hook/") || p.getKey().startsWith("/api/v1/webhooks/");
            for (Map.Entry<PathItem.HttpMethod, Operation> o : p.getValue().getOperations().entrySet()) {
                Operation op = o.getValue();
                if (op.getResponses() == null) {
                    op.setResponses(OASFactory.createAPIResponses());
                }
                APIResponses r = op.getResponses();
                boolean write = o.getKey() != PathItem.HttpMethod.GET;
                if (!webhook) {
                    add(r, "401", "Access control is on and the request carries no valid credentials"
                            + " (Authorization: Bearer <API token or JWT>)");
                    add(r, "403", "The caller lacks the role this operation needs"
                            + (write ? ", or a browser wrote from an origin not in tagstream.auth.allowed-origins" : ""));
                    if (write) {
                        add(r, "415", "A body was sent with a Content-Type other than application/json");
                    }
                }
                if (op.getRequestBody() != null) {
                    add(r, "400", "The body is not what this operation reads (malformed JSON, a missing field)");
                    add(r, "413", "The body is larger than the service accepts");
                }
                for (Map.Entry<String, APIResponse> e : r.getAPIResponses().entrySet()) {
                    if ((e.getKey().startsWith("4") || e.getKey().startsWith("5")) && (e.getValue().getContent() == null
                            || e.getValue().getContent().getMediaTypes() == null || e.getValue().getContent().getMediaTypes().isEmpty())) {
                        e.getValue().setContent(errorBody());
                    }
                }
            }
        }
    }

    /** Where each service lists its fields' descriptions: its records live in plain-Java cores, unannotated. */
    static final String FIELDS = "META-INF/tagstream/api-fields.properties";

    private static void describeFields(OpenAPI openAPI) {
        java.util.Properties d = new java.util.Properties();
        try {
            var urls = Thread.currentThread().getContextClassLoader().getResources(FIELDS);
            while (urls.hasMoreElements()) {
                try (var in = urls.nextElement().openStream()) {
                    d.load(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Map<String, Schema> schemas = openAPI.getComponents().getSchemas();
        if (schemas == null) {
            return;
        }
        schemas.forEach((name, schema) -> {
            if (schema.getDescription() == null && d.containsKey(name)) {
                schema.setDescription(d.getProperty(name));
            }
            if (schema.getProperties() != null) {
                schema.getProperties().forEach((field, p) -> {
                    String text = d.getProperty(name + "." + field);
                    if (text != null && p.getDescription() == null) {
                        p.setDescription(text);
                    }
                });
            }
        });
    }

    private static void add(APIResponses r, String status, String description) {
        if (!r.hasAPIResponse(status)) {
            r.addAPIResponse(status, OASFactory.createAPIResponse().description(description).content(errorBody()));
        }
    }

    private static org.eclipse.microprofile.openapi.models.media.Content errorBody() {
        return OASFactory.createContent().addMediaType("application/json",
                OASFactory.createMediaType().schema(OASFactory.createSchema().ref(ERROR)));
    }
}
