package io.tagstream.common.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.common.events.AuditRecord.Outcome;
import io.tagstream.common.events.CommitPushed.Change;
import io.tagstream.common.events.PolicyMatched.TagRef;
import io.tagstream.common.events.TagDiscovered.DiscoverySource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/** The records, the JSON on the wire and docs/asyncapi.yaml say the same thing. */
class EventContractTest {

    static final Instant T = Instant.parse("2026-11-23T10:15:30.123Z");
    static final String D1 = "sha256:" + "1".repeat(64);
    static final String D2 = "sha256:" + "2".repeat(64);

    /** One fully populated sample per event type, optionals set, so every field appears in the JSON. */
    static Stream<Event> samples() {
        return Stream.of(
                new TagDiscovered("flux-system/hugo-blog", "ghcr.io", "ghcr.io/tazlab/hugo-blog", "blog-46-a1b2c3d", D2,
                        "application/vnd.oci.image.manifest.v1+json", Optional.of(D1), DiscoverySource.WEBHOOK, T)
                        .inBatch(new ScanBatch("s1", 1, 2)).pushedBy(Optional.of("tazzo"))
                        .times(Optional.of(T.minusSeconds(60)), Optional.of(T.minusSeconds(600))),
                new TagRemoved("flux-system/hugo-blog", "ghcr.io", "ghcr.io/tazlab/hugo-blog", "blog-44-0c0ffee", D1, T)
                        .inBatch(new ScanBatch("s1", 2, 2)),
                new PolicyMatched("flux-system/hugo-blog", "ghcr.io/tazlab/hugo-blog", "blog-46-a1b2c3d", D2,
                        Optional.of(new TagRef("blog-45-ffffff", D1)), T, Optional.of("tazzo")),
                new PromotionApproved("flux-system/pemos-portal-prod", "flux-system/eoseentry-pemos-portal",
                        ImageRef.parse("eoseentry.azurecr.io/pemos-portal:924@" + D2),
                        ImageRef.parse("ctfacentry.azurecr.io/eose-fleet/pemos-portal:924@" + D2), "user:qe-bot", T, true),
                new CommitPushed("flux-system/eose-entry-auto", "https://github.com/eose-sre/openclaw-fleet",
                        "feat/pemclau-master", "0123456789abcdef0123456789abcdef01234567",
                        List.of(new Change("fleet-sync/ctc-flux/eose-entry/portal.yaml", "flux-system:ct-fac-portal",
                                "ctfacentry.azurecr.io/eose-fleet/pemos-portal:922",
                                "ctfacentry.azurecr.io/eose-fleet/pemos-portal:924")),
                        T, List.of("e1"), Optional.of("Update pemos-portal to 924"), Optional.of(new CommitPushed.ChangeRequestRef(
                                "github", "https://github.com/eose-sre/openclaw-fleet/pull/42", 42, "open",
                                "0123456789abcdef0123456789abcdef01234567"))),
                new AuditRecord("a1", T, "promoter", "promotion.approved", "flux-system/pemos-portal-prod", Outcome.OK,
                        "approved by user:qe-bot", Optional.of("c1"), Optional.of("e1")));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void jsonRoundTripKeepsEveryField(Event e) {
        byte[] json = Json.write(e);
        assertEquals(e, Json.read(json, e.getClass()));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void cloudEventHeadersRoundTrip(Event e) {
        CloudEvent<Event> ce = CloudEvent.start("test", e);
        var headers = ce.headers();
        assertEquals("1.0", CloudEvent.header(headers, "ce_specversion").orElseThrow());
        assertEquals(e.type().ceType(), CloudEvent.header(headers, "ce_type").orElseThrow());
        assertEquals(e.subject(), CloudEvent.header(headers, "ce_subject").orElseThrow());
        CloudEvent<? extends Event> back = CloudEvent.read(headers, ce.value(), e.getClass());
        assertEquals(ce.id(), back.id());
        assertEquals(ce.correlationId(), back.correlationId());
        assertEquals(e, back.data());
    }

    @Test
    void optionalsAbsentAreLeftOutAndReadBackEmpty() {
        var e = new PolicyMatched("ns/p", "r/app", "1.0.0", D1, Optional.empty(), T);
        String json = Json.writeString(e);
        assertFalse(json.contains("previous"), json);
        assertTrue(json.contains("\"matchedAt\":\"2026-11-23T10:15:30.123Z\""), json);
        assertEquals(Optional.empty(), Json.read(json.getBytes(), PolicyMatched.class).previous());
    }

    @Test
    void correlationTravelsToCausedEvents() {
        var first = CloudEvent.start("registry-poller", samples().findFirst().orElseThrow());
        var next = CloudEvent.causedBy(first, "policy-evaluator", samples().skip(2).findFirst().orElseThrow());
        var audit = new Audit("policy-evaluator").ok(AuditAction.POLICY_MATCHED, "ns/p", "selected", Optional.of(next));
        assertEquals(first.id(), next.correlationId());
        assertEquals(first.id(), audit.correlationId());
        assertEquals(Optional.of(first.id()), audit.data().correlationId());
        assertEquals(Optional.of(next.id()), audit.data().relatedEventId());
    }

    @Test
    void recordOnTheWrongTopicIsRefusedWithAReason() {
        var ce = CloudEvent.start("test", samples().findFirst().orElseThrow());
        var ex = assertThrows(CloudEvent.MalformedEventException.class,
                () -> CloudEvent.read(ce.headers(), ce.value(), PolicyMatched.class));
        assertTrue(ex.getMessage().contains("io.tagstream.tag.discovered.v1"), ex.getMessage());
        var garbage = assertThrows(CloudEvent.MalformedEventException.class,
                () -> CloudEvent.read(ce.headers(), "{not json".getBytes(), TagDiscovered.class));
        assertTrue(garbage.getMessage().contains(ce.id()), garbage.getMessage());
    }

    @Test
    void imageRefsParseWithRegistryPorts() {
        assertEquals(ImageRef.of("localhost:5000/team/app", "924", D1), ImageRef.parse("localhost:5000/team/app:924@" + D1));
        assertEquals(ImageRef.of("localhost:5000/app", null, null), ImageRef.parse("localhost:5000/app"));
        assertEquals(ImageRef.of("nginx", "1.27", null), ImageRef.parse("nginx:1.27"));
        assertEquals("r.io/a:1@" + D1, ImageRef.parse("r.io/a:1@" + D1).toString());
    }

    // --- docs/asyncapi.yaml ---

    @SuppressWarnings("unchecked")
    static Map<String, Object> asyncApi() throws IOException {
        return new Yaml().load(Files.readString(Path.of("../docs/asyncapi.yaml")));
    }

    @SuppressWarnings("unchecked")
    static <T> T at(Map<String, Object> doc, String... path) {
        Object o = doc;
        for (String p : path) {
            o = ((Map<String, Object>) o).get(p);
            if (o == null) {
                throw new AssertionError("asyncapi.yaml has no " + String.join(".", path));
            }
        }
        return (T) o;
    }

    @Test
    @SuppressWarnings("unchecked")
    void asyncApiDocumentsEveryTopicTypeAndHeader() throws IOException {
        Map<String, Object> doc = asyncApi();
        assertEquals("3.0.0", doc.get("asyncapi"));
        Map<String, Object> channels = at(doc, "channels");
        List<String> addressList = new ArrayList<>();
        channels.values().forEach(c -> addressList.add((String) ((Map<String, Object>) c).get("address")));
        assertEquals(addressList.size(), new TreeSet<>(addressList).size(), "one channel per topic");
        Set<String> addresses = new TreeSet<>();
        channels.values().forEach(c -> addresses.add((String) ((Map<String, Object>) c).get("address")));
        Set<String> topics = new TreeSet<>();
        for (Topic t : Topic.values()) {
            topics.add(t.defaultName());
        }
        assertEquals(topics, addresses);
        Map<String, Object> messages = at(doc, "components", "messages");
        Set<String> types = new TreeSet<>();
        messages.values().forEach(m -> types.add((String) ((Map<String, Object>) m).get("x-ce-type")));
        Set<String> expected = new TreeSet<>();
        for (EventType t : EventType.values()) {
            expected.add(t.ceType());
        }
        assertEquals(expected, types);
        List<String> required = at(doc, "components", "messageTraits", "cloudEvent", "headers", "required");
        var headers = CloudEvent.start("t", samples().findFirst().orElseThrow()).headers();
        for (String h : required) {
            assertTrue(CloudEvent.header(headers, h).isPresent(), "asyncapi requires header " + h + " we do not send");
        }
    }

    /** A name that breaks the OCI grammar makes an event invalid: refused when made, and malformed when read. */
    @Test
    void eventsRefuseNamesThatAreNotTagsDigestsOrReferences() {
        var good = (TagDiscovered) samples().findFirst().orElseThrow();
        var bad = Json.writeString(good).replace(good.tag(), "zz?x=../../");
        var headers = CloudEvent.start("t", good).headers();
        var e = org.junit.jupiter.api.Assertions.assertThrows(CloudEvent.MalformedEventException.class,
                () -> CloudEvent.read(headers, bad.getBytes(java.nio.charset.StandardCharsets.UTF_8), TagDiscovered.class));
        assertTrue(e.getMessage().contains("'zz?x=../../' is not a valid tag"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new PolicyMatched("ns/p", "r/app",
                "1.0", "sha256:short", Optional.empty(), T));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new PromotionApproved("ns/p", "ns/p",
                ImageRef.parse("r.example/app:zz?x"), ImageRef.parse("r.example/app:1.0"), "auto", T, false));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new PromotionApproved("ns/p", "ns/p",
                ImageRef.parse("R.example/UPPER:1.0"), ImageRef.parse("r.example/app:1.0"), "auto", T, false));
    }

    /** Operators filter the audit by action: asyncapi.yaml lists every AuditAction, with the same meaning and service. */
    @Test
    @SuppressWarnings("unchecked")
    void asyncApiListsEveryAuditActionWithItsMeaning() throws IOException {
        Map<String, Object> action = at(asyncApi(), "components", "schemas", "AuditRecord", "properties", "action");
        List<String> wires = java.util.Arrays.stream(AuditAction.values()).map(AuditAction::wire).toList();
        assertEquals(wires, action.get("enum"));
        Map<String, Map<String, String>> documented = (Map<String, Map<String, String>>) action.get("x-actions");
        assertEquals(wires, List.copyOf(documented.keySet()));
        for (AuditAction a : AuditAction.values()) {
            assertEquals(Map.of("service", a.service(), "meaning", a.meaning()), documented.get(a.wire()), a.wire());
            assertEquals(java.util.Optional.of(a), AuditAction.of(a.wire()));
        }
    }

    /** Each sample's JSON fields are exactly the schema's properties, required ones present, types right. */
    @ParameterizedTest
    @MethodSource("samples")
    void payloadMatchesItsSchema(Event e) throws IOException {
        Map<String, Object> schemas = at(asyncApi(), "components", "schemas");
        JsonNode json = Json.mapper().readTree(Json.write(e));
        List<String> problems = new ArrayList<>();
        check(e.getClass().getSimpleName(), json, schemas, problems);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @SuppressWarnings("unchecked")
    static void check(String schemaName, JsonNode json, Map<String, Object> schemas, List<String> problems) {
        Map<String, Object> schema = (Map<String, Object>) schemas.get(schemaName);
        if (schema == null) {
            problems.add("no schema " + schemaName);
            return;
        }
        Map<String, Object> props = (Map<String, Object>) schema.get("properties");
        Set<String> fields = new TreeSet<>();
        json.fieldNames().forEachRemaining(fields::add);
        if (!fields.equals(new TreeSet<>(props.keySet()))) {
            problems.add(schemaName + ": JSON fields " + fields + " but schema properties " + new TreeSet<>(props.keySet()));
        }
        for (String r : (List<String>) schema.getOrDefault("required", List.of())) {
            if (!json.has(r)) {
                problems.add(schemaName + ": required " + r + " missing");
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
            var f = it.next();
            Map<String, Object> p = (Map<String, Object>) props.get(f.getKey());
            if (p == null) {
                continue;
            }
            checkValue(schemaName + "." + f.getKey(), f.getValue(), p, schemas, problems);
        }
    }

    @SuppressWarnings("unchecked")
    static void checkValue(String where, JsonNode v, Map<String, Object> p, Map<String, Object> schemas, List<String> problems) {
        if (p.containsKey("$ref")) {
            String ref = (String) p.get("$ref");
            check(ref.substring(ref.lastIndexOf('/') + 1), v, schemas, problems);
            return;
        }
        String type = (String) p.get("type");
        boolean ok = switch (type) {
            case "string" -> v.isTextual();
            case "boolean" -> v.isBoolean();
            case "integer" -> v.isIntegralNumber();
            case "array" -> v.isArray();
            case "object" -> v.isObject();
            default -> false;
        };
        if (!ok) {
            problems.add(where + " is " + v.getNodeType() + ", schema says " + type);
        }
        if (p.containsKey("enum") && !((List<Object>) p.get("enum")).contains(v.asText())) {
            problems.add(where + " value " + v + " not in " + p.get("enum"));
        }
        if (p.containsKey("pattern") && !v.asText().matches((String) p.get("pattern"))) {
            problems.add(where + " value " + v + " does not match " + p.get("pattern"));
        }
        if ("date-time".equals(p.get("format"))) {
            Instant.parse(v.asText());
        }
        if ("array".equals(type) && p.get("items") instanceof Map<?, ?> items) {
            for (JsonNode item : v) {
                checkValue(where + "[]", item, (Map<String, Object>) items, schemas, problems);
            }
        }
    }
}
