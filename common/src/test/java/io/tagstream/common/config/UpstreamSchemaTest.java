package io.tagstream.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Every Flux and Strimzi object Tagstream ships ({@code docs/examples}, the kustomize base and overlays, the compose
 * demo's configuration) validates against the upstream CRD's {@code openAPIV3Schema} of a version the upstream release
 * serves ({@code ../shared/conformance/flux-crds/crds}, {@code strimzi/kafkatopic-crd-1.2.0.yaml}), strictly, as
 * {@code kubectl apply --validate=strict} would: a field the schema does not define is an error. Tagstream's documented
 * extensions ({@link #EXTENSIONS}) are the only fields allowed beyond Flux's. Skips when the conformance folder is absent.
 */
class UpstreamSchemaTest {

    /**
     * Tagstream's extensions inside Flux objects, documented in the README's configuration section: where each sits,
     * and the values it allows beyond Flux's schema.
     */
    static final Map<String, String> EXTENSIONS = Map.of(
            "ImagePolicy /spec/policy/semver/coerce", "true|false",
            "ImagePolicy /spec/policy/newest", "\\{(\"by\":\"(pushed|built)\")?\\}",
            "Receiver /spec/type", "distribution|gitea|jfrog",
            "GitRepository /spec/url", "(git|file)://.*",
            "ImageUpdateAutomation /spec/git/push/pullRequest", "\\{\"provider\":\"(github|gitlab|gitea|forgejo)\".*\\}");

    static final ObjectMapper JSON = new ObjectMapper();

    static Path conformance() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path c = p.resolveSibling("shared").resolve("conformance");
            if (Files.isDirectory(c.resolve("flux-crds"))) {
                return c;
            }
        }
        return null;
    }

    /** kind → version → schema, for the served versions of the CRDs in a folder or file. */
    static Map<String, Map<String, JsonNode>> crds(List<Path> files) throws IOException {
        Map<String, Map<String, JsonNode>> out = new HashMap<>();
        for (Path f : files) {
            for (Object doc : new Yaml(new LoaderOptions()).loadAll(Files.readString(f))) {
                JsonNode crd = JSON.valueToTree(doc);
                String kind = crd.at("/spec/names/kind").asText();
                for (JsonNode v : crd.at("/spec/versions")) {
                    if (v.path("served").asBoolean()) {
                        out.computeIfAbsent(crd.at("/spec/group").asText() + " " + kind, k -> new HashMap<>())
                                .put(v.get("name").asText(), strict(v.at("/schema/openAPIV3Schema").deepCopy()));
                    }
                }
            }
        }
        return out;
    }

    /** As strict validation: objects with listed properties admit no others unless the schema says they may. */
    static JsonNode strict(JsonNode schema) {
        if (schema instanceof ObjectNode o) {
            if (o.has("properties") && !o.has("additionalProperties") && !o.has("x-kubernetes-preserve-unknown-fields")) {
                o.put("additionalProperties", false);
            }
            o.properties().forEach(e -> strict(e.getValue()));
        } else if (schema.isArray()) {
            schema.forEach(UpstreamSchemaTest::strict);
        }
        return schema;
    }

    static List<Path> manifests() throws IOException {
        List<Path> out = new ArrayList<>();
        for (String dir : List.of("../docs/examples", "../deploy/kubernetes", "../deploy/compose/config")) {
            try (Stream<Path> s = Files.walk(Path.of(dir))) {
                s.filter(p -> p.toString().matches(".*\\.ya?ml")).sorted().forEach(out::add);
            }
        }
        return out;
    }

    @Test
    void shippedFluxAndStrimziObjectsValidateAgainstUpstreamSchemas() throws IOException {
        Path c = conformance();
        assumeTrue(c != null, "../shared/conformance is absent (CI has it; a fresh clone does not)");
        List<Path> crdFiles = new ArrayList<>();
        try (Stream<Path> s = Files.list(c.resolve("flux-crds/crds"))) {
            s.sorted().forEach(crdFiles::add);
        }
        crdFiles.add(c.resolve("strimzi/kafkatopic-crd-1.2.0.yaml"));
        Map<String, Map<String, JsonNode>> schemas = crds(crdFiles);
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);

        List<String> problems = new ArrayList<>();
        Set<String> extensionsSeen = new TreeSet<>();
        int validated = 0;
        for (Path f : manifests()) {
            for (Object doc : new Yaml(new LoaderOptions()).loadAll(Files.readString(f))) {
                if (doc == null) {
                    continue;
                }
                JsonNode o = JSON.valueToTree(doc);
                String apiVersion = o.path("apiVersion").asText();
                if (!apiVersion.contains(".fluxcd.io/") && !apiVersion.startsWith("kafka.strimzi.io/")) {
                    continue;
                }
                String group = apiVersion.substring(0, apiVersion.indexOf('/'));
                String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
                String kind = o.path("kind").asText();
                String what = f + " " + kind + " " + o.at("/metadata/name").asText();
                Map<String, JsonNode> versions = schemas.get(group + " " + kind);
                if (versions == null) {
                    continue; // a Flux kind we have no CRD for (Kustomization, HelmRelease): not ours to validate
                }
                if (!versions.containsKey(version)) {
                    problems.add(what + ": " + apiVersion + " is not served (served: " + new TreeSet<>(versions.keySet()) + ")");
                    continue;
                }
                Schema schema = registry.getSchema(versions.get(version).toString());
                validated++;
                for (var e : schema.validate(o)) {
                    String pointer = e.getInstanceLocation() + (e.getProperty() == null ? "" : "/" + e.getProperty());
                    String at = kind + " " + pointer;
                    JsonNode found = o.at(pointer);
                    String value = found.isValueNode() ? found.asText() : found.toString();
                    if (EXTENSIONS.containsKey(at) && value.matches(EXTENSIONS.get(at))) {
                        extensionsSeen.add(at);
                    } else {
                        problems.add(what + ": " + e.getInstanceLocation() + " " + e.getMessage());
                    }
                }
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(validated >= 30, "validated " + validated + " objects");
        assertEquals(new TreeSet<>(EXTENSIONS.keySet()), extensionsSeen, "every documented extension is shown in an example");
    }
}
