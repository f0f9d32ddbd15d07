package io.tagstream.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.dialect.Dialects;
import io.tagstream.common.events.Json;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * A forge's published API description (OpenAPI 3 for GitHub, Swagger 2 for Gitea and GitLab) used as the contract of
 * the test forges: each request must match a described operation (path, method, query parameters, JSON body against
 * its schema) and each answer must validate against the schema of its status. Also makes the smallest instance a
 * schema allows, so an answer carries every field the description requires before the forge fills in its state.
 */
public final class ForgeDescription {

    /** A described operation: its path template and node. */
    public record Op(String method, String template, JsonNode node, JsonNode pathItem) {}

    private final JsonNode doc;
    private final boolean openApi3;
    private final String basePath;
    private final SchemaRegistry registry;

    private ForgeDescription(JsonNode doc) {
        this.doc = doc;
        this.openApi3 = doc.has("openapi");
        this.basePath = doc.path("basePath").asText("");
        this.registry = openApi3 ? SchemaRegistry.withDefaultDialect(Dialects.getOpenApi30())
                : SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);
    }

    /** A file of {@code ../shared/conformance/forges}, if that folder is beside the checkout (CI has it). */
    public static Optional<Path> file(String name) {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path f = p.resolveSibling("shared").resolve("conformance/forges").resolve(name);
            if (Files.isRegularFile(f)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** The description in {@code ../shared/conformance/forges/<file>}, if that folder is beside the checkout. */
    public static Optional<ForgeDescription> load(String file) {
        return file(file).map(f -> {
            try {
                String text = Files.readString(f);
                JsonNode doc = file.endsWith(".json") ? Json.mapper().readTree(text)
                        : Json.mapper().valueToTree(new Yaml(new LoaderOptions()).load(text));
                return new ForgeDescription(doc);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    public JsonNode doc() {
        return doc;
    }

    /** The operation serving {@code method rawPath}, if described. */
    public Optional<Op> op(String method, String rawPath) {
        String m = method.toLowerCase(java.util.Locale.ROOT);
        Op best = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("paths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String regex = java.util.regex.Pattern.quote(basePath + e.getKey()).replaceAll("\\{[A-Za-z_]+}", "\\\\E[^/]+\\\\Q");
            if (rawPath.matches(regex) && e.getValue().has(m)) {
                // the most literal template wins (/pulls/{base}/{head} over nothing; /pulls/{index} over /pulls/{a}/{b})
                if (best == null || literal(e.getKey()) > literal(best.template())) {
                    best = new Op(m, e.getKey(), e.getValue().get(m), e.getValue());
                }
            }
        }
        return Optional.ofNullable(best);
    }

    private static int literal(String template) {
        return template.replaceAll("\\{[^}]+}", "").length();
    }

    /** What is wrong with a request, against the description: empty when it conforms. */
    public List<String> checkRequest(String method, String rawPath, String rawQuery, JsonNode body) {
        List<String> out = new ArrayList<>();
        Optional<Op> op = op(method, rawPath);
        if (op.isEmpty()) {
            out.add(method + " " + rawPath + " is not an operation of the description");
            return out;
        }
        List<JsonNode> params = new ArrayList<>();
        op.get().pathItem().path("parameters").forEach(p -> params.add(resolve(p)));
        op.get().node().path("parameters").forEach(p -> params.add(resolve(p)));
        Set<String> query = new TreeSet<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String kv : rawQuery.split("&")) {
                query.add(URLDecoder.decode(kv.split("=", 2)[0], StandardCharsets.UTF_8));
            }
        }
        for (String q : query) {
            if (params.stream().noneMatch(p -> p.path("in").asText().equals("query") && p.path("name").asText().equals(q))) {
                out.add(method + " " + op.get().template() + ": query parameter '" + q + "' is not described");
            }
        }
        Optional<JsonNode> schema = Optional.empty();
        if (openApi3) {
            JsonNode rb = resolve(op.get().node().path("requestBody"));
            if (!rb.isMissingNode()) {
                schema = Optional.of(rb.path("content").path("application/json").path("schema"));
                if (rb.path("required").asBoolean(false) && body == null) {
                    out.add(method + " " + op.get().template() + ": the body is required");
                }
            }
        } else {
            schema = params.stream().filter(p -> p.path("in").asText().equals("body")).map(p -> p.path("schema")).findFirst();
        }
        if (body != null) {
            if (schema.isEmpty()) {
                out.add(method + " " + op.get().template() + ": sends a body the operation does not take");
            } else {
                validate(schema.get(), body).forEach(v -> out.add(method + " " + op.get().template() + " body: " + v));
            }
        }
        return out;
    }

    /** What is wrong with an answer: its status must be described, its JSON must fit the status's schema. */
    public List<String> checkResponse(Op op, int status, JsonNode body) {
        List<String> out = new ArrayList<>();
        JsonNode r = resolve(op.node().path("responses").path(String.valueOf(status)));
        if (r.isMissingNode()) {
            out.add(op.method() + " " + op.template() + ": status " + status + " is not described");
            return out;
        }
        JsonNode schema = openApi3 ? r.path("content").path("application/json").path("schema") : r.path("schema");
        if (!schema.isMissingNode() && body != null && body.isArray() && !"array".equals(resolve(schema).path("type").asText())) {
            // Grape (GitLab) describes a list's answer by its element's entity: each element must fit it
            for (JsonNode item : body) {
                validate(schema, item).forEach(v -> out.add(op.method() + " " + op.template() + " " + status + " item: " + v));
            }
        } else if (!schema.isMissingNode() && body != null) {
            validate(schema, body).forEach(v -> out.add(op.method() + " " + op.template() + " " + status + ": " + v));
        }
        return out;
    }

    /** The schema of a status's answer, resolved. */
    public JsonNode responseSchema(Op op, int status) {
        JsonNode r = resolve(op.node().path("responses").path(String.valueOf(status)));
        return resolve(openApi3 ? r.path("content").path("application/json").path("schema") : r.path("schema"));
    }

    private List<String> validate(JsonNode schema, JsonNode instance) {
        ObjectNode root = schema.deepCopy();
        if (openApi3) {
            root.set("components", doc.path("components"));
        } else {
            root.set("definitions", doc.path("definitions"));
        }
        Schema s = registry.getSchema(root);
        List<String> out = new ArrayList<>();
        s.validate(instance).forEach(e -> out.add(e.toString()));
        return out;
    }

    /** Follows a {@code $ref} inside the document. */
    public JsonNode resolve(JsonNode n) {
        int hops = 0;
        while (n.has("$ref") && hops++ < 20) {
            n = doc.at(n.get("$ref").asText().substring(1));
        }
        return n;
    }

    /** The smallest instance the schema allows: required properties only, first enum values, nulls where nullable. */
    public JsonNode sample(JsonNode schema) {
        return sample(schema, 0);
    }

    private JsonNode sample(JsonNode schema, int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        schema = resolve(schema);
        if (schema.has("allOf")) {
            ObjectNode merged = f.objectNode();
            schema.get("allOf").forEach(s -> {
                JsonNode part = sample(s, depth + 1);
                if (part.isObject()) {
                    merged.setAll((ObjectNode) part);
                }
            });
            return merged;
        }
        if (schema.has("anyOf") || schema.has("oneOf")) {
            return sample((schema.has("anyOf") ? schema.get("anyOf") : schema.get("oneOf")).get(0), depth + 1);
        }
        if (schema.path("nullable").asBoolean(false) && depth > 0) {
            return f.nullNode();
        }
        if (schema.has("enum")) {
            return schema.get("enum").get(0);
        }
        String type = schema.path("type").asText(schema.has("properties") ? "object" : "string");
        switch (type) {
            case "object": {
                ObjectNode o = f.objectNode();
                for (JsonNode req : schema.path("required")) {
                    JsonNode p = schema.path("properties").path(req.asText());
                    o.set(req.asText(), p.isMissingNode() ? f.textNode("x") : depth > 14 ? f.nullNode() : sample(p, depth + 1));
                }
                return o;
            }
            case "array":
                return f.arrayNode();
            case "integer":
            case "number":
                return f.numberNode(1);
            case "boolean":
                return f.booleanNode(false);
            default: {
                String format = schema.path("format").asText("");
                return f.textNode(switch (format) {
                    case "date-time" -> "2026-12-06T00:00:00Z";
                    case "uri" -> "https://forge.test/x";
                    case "email" -> "bot@forge.test";
                    default -> "x";
                });
            }
        }
    }

    /** An array node (for list answers). */
    public static ArrayNode array() {
        return JsonNodeFactory.instance.arrayNode();
    }
}
