package io.tagstream.notifier.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tagstream.notifier.core.FluxEvent.InvolvedObject;
import io.tagstream.notifier.core.FluxEvent.Severity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The body a generic Provider posts is Flux's Event, in Go's field order and escaping. */
class FluxEventTest {

    static final Path PAYLOADS = Path.of("../../shared/conformance/flux-crds/notification-payloads");

    static FluxEvent kustomizeExample() {
        return new FluxEvent(new InvolvedObject("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "apps", "webapp",
                "7d0cdc51-ddcf-4743-b223-83ca5c699632"),
                Severity.ERROR, Instant.parse("2022-10-28T07:26:19Z"),
                "service/apps/webapp validation error: spec.type: Unsupported value: Ingress", "ValidationFailed",
                Map.of("kustomize.toolkit.fluxcd.io/revision", "main/731f7eaddfb6af01cb2173e18f0f75b0ba780ef1"),
                "kustomize-controller", Optional.of("kustomize-controller-7c7b47f5f-8bhrp"));
    }

    @Test
    void goFieldOrderCompactAndHtmlSafe() {
        assertEquals("{\"involvedObject\":{\"kind\":\"Kustomization\",\"namespace\":\"apps\",\"name\":\"webapp\","
                + "\"uid\":\"7d0cdc51-ddcf-4743-b223-83ca5c699632\",\"apiVersion\":\"kustomize.toolkit.fluxcd.io/v1\"},\"severity\":\"error\",\"timestamp\":\"2022-10-28T07:26:19Z\","
                + "\"message\":\"service/apps/webapp validation error: spec.type: Unsupported value: Ingress\","
                + "\"reason\":\"ValidationFailed\",\"metadata\":{\"kustomize.toolkit.fluxcd.io/revision\":"
                + "\"main/731f7eaddfb6af01cb2173e18f0f75b0ba780ef1\"},\"reportingController\":\"kustomize-controller\","
                + "\"reportingInstance\":\"kustomize-controller-7c7b47f5f-8bhrp\"}",
                new String(kustomizeExample().json(), StandardCharsets.UTF_8));
        FluxEvent odd = new FluxEvent(new InvolvedObject("image.toolkit.fluxcd.io/v1", "ImagePolicy", "ns", "p", ""),
                Severity.INFO, Instant.parse("2026-01-02T03:04:05.678Z"), "a<b & c>d\n\t\"q\" \\ \u0001 \u2028", "Succeeded",
                Map.of("b", "2", "a", "1"), "policy-evaluator", Optional.empty());
        assertEquals("{\"involvedObject\":{\"kind\":\"ImagePolicy\",\"namespace\":\"ns\",\"name\":\"p\",\"apiVersion\":"
                + "\"image.toolkit.fluxcd.io/v1\"},\"severity\":\"info\",\"timestamp\":\"2026-01-02T03:04:05Z\",\"message\":"
                + "\"a\\u003cb \\u0026 c\\u003ed\\n\\t\\\"q\\\" \\\\ \\u0001 \\u2028\",\"reason\":\"Succeeded\",\"metadata\":"
                + "{\"a\":\"1\",\"b\":\"2\"},\"reportingController\":\"policy-evaluator\"}",
                new String(odd.json(), StandardCharsets.UTF_8));
    }

    /** notification-controller's docs show this body for a generic Provider; ours says the same, field for field. */
    @Test
    void theBodyIsTheOneFluxDocuments() throws Exception {
        Path doc = PAYLOADS.resolve("generic-provider-body.json");
        assumeTrue(Files.isRegularFile(doc), "../shared/conformance is not beside this checkout (CI has it): " + doc);
        ObjectMapper m = new ObjectMapper();
        JsonNode expected = m.readTree(Files.readString(doc));
        assertEquals(expected, m.readTree(kustomizeExample().json()));
        // the documented request's headers name the component the same way
        String headers = Files.readString(PAYLOADS.resolve("generic-provider-request-headers.txt"));
        assertEquals(true, headers.contains("Gotk-Component: kustomize-controller"));
        assertEquals(true, headers.contains("Content-Type: application/json"));
    }
}
