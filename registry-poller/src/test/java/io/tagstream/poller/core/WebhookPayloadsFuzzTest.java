package io.tagstream.poller.core;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tagstream.common.events.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every provider's sample payload, mutated (seeded, bounded): each value in turn replaced by null, a number, a boolean,
 * an empty or nested array or object, an empty, huge or hostile string. Reading must either give hints or ignore the
 * payload, or refuse it as {@link WebhookPayloads.Malformed} (a 400) — never throw anything else (a 500).
 */
class WebhookPayloadsFuzzTest {

    static final JsonNodeFactory F = JsonNodeFactory.instance;
    static final Map<String, String> SAMPLES = Map.ofEntries(Map.entry("distribution", "distribution.json"),
            Map.entry("acr", "acr.json"), Map.entry("dockerhub", "dockerhub.json"), Map.entry("harbor", "harbor.json"),
            Map.entry("quay", "quay.json"), Map.entry("github", "github-registry_package.json"),
            Map.entry("jfrog", "jfrog.json"), Map.entry("nexus", "nexus.json"), Map.entry("gcr", "gar-pubsub.json"),
            Map.entry("generic", "generic.json"));

    static List<JsonNode> replacements(Random rnd) {
        ObjectNode nested = F.objectNode();
        nested.putObject("a").putArray("b").add(F.objectNode());
        return List.of(F.nullNode(), F.numberNode(rnd.nextInt()), F.numberNode(1e308), F.booleanNode(true), F.arrayNode(),
                F.arrayNode().add(F.arrayNode().add(1)), F.objectNode(), nested, F.textNode(""), F.textNode("x".repeat(5000)),
                F.textNode("zz?x=../../"), F.textNode("a/b:c@sha256:"), F.textNode("\u0000\n\r"), F.textNode("ey=="),
                F.textNode("%%%"), F.textNode("{\"message\":{\"data\":1}}"));
    }

    /** Every path to a value in the tree, as the list of keys/indices leading to it. */
    static void paths(JsonNode n, List<Object> at, List<List<Object>> out) {
        out.add(at);
        if (n.isObject()) {
            for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
                String k = it.next();
                List<Object> p = new ArrayList<>(at);
                p.add(k);
                paths(n.get(k), p, out);
            }
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                List<Object> p = new ArrayList<>(at);
                p.add(i);
                paths(n.get(i), p, out);
            }
        }
    }

    static JsonNode replaced(JsonNode root, List<Object> path, JsonNode value) {
        if (path.isEmpty()) {
            return value;
        }
        JsonNode copy = root.deepCopy();
        JsonNode parent = copy;
        for (int i = 0; i < path.size() - 1; i++) {
            Object k = path.get(i);
            parent = k instanceof String s ? parent.get(s) : parent.get((Integer) k);
        }
        Object last = path.get(path.size() - 1);
        if (last instanceof String s) {
            ((ObjectNode) parent).set(s, value);
        } else {
            ((ArrayNode) parent).set((Integer) last, value);
        }
        return copy;
    }

    @Test
    void noMutatedPayloadThrowsAnythingButMalformed() throws Exception {
        Random rnd = new Random(15);
        int tried = 0;
        for (var sample : SAMPLES.entrySet()) {
            JsonNode body = Json.mapper().readTree(Files.readString(Path.of("src/test/resources/webhooks/" + sample.getValue())));
            List<List<Object>> paths = new ArrayList<>();
            paths(body, List.of(), paths);
            for (List<Object> p : paths) {
                for (JsonNode v : replacements(rnd)) {
                    JsonNode mutated = replaced(body, p, v);
                    for (Optional<String> event : List.of(Optional.<String>empty(), Optional.of("package"), Optional.of("registry_package"))) {
                        tried++;
                        try {
                            WebhookPayloads.Reading r = WebhookPayloads.read(sample.getKey(), mutated, event);
                            if (r instanceof WebhookPayloads.Hints h) {
                                h.hints().forEach(x -> assertTrue(x.path() != null, "a hint names a path"));
                            }
                        } catch (WebhookPayloads.Malformed expected) {
                            // a 400
                        } catch (RuntimeException e) {
                            fail(sample.getKey() + " with " + p + " = " + abbreviated(v) + " (event " + event + "): " + e, e);
                        }
                    }
                }
            }
        }
        assertTrue(tried > 3000, "tried " + tried);
        System.out.println("webhook payload fuzz: " + tried + " mutated payloads, none gave anything but hints, ignored or malformed");
    }

    static String abbreviated(JsonNode v) {
        String s = v.toString();
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }
}
