package io.tagstream.notifier.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tagstream.common.config.ConfigLoader;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.notifier.core.FluxEvent.InvolvedObject;
import io.tagstream.notifier.core.FluxEvent.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Flux's routing rules, one row per rule. */
class AlertsTest {

    static final TagstreamConfig CONFIG = new ConfigLoader().parse(Map.of("c.yaml", """
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Provider
            metadata: {name: hook, namespace: flux-system}
            spec: {type: generic, address: "http://127.0.0.1:1/"}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Provider
            metadata: {name: paused, namespace: flux-system}
            spec: {type: generic, address: "http://127.0.0.1:1/", suspend: true}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: all-policies, namespace: flux-system}
            spec:
              providerRef: {name: hook}
              eventSources: [{kind: ImagePolicy, name: '*'}]
              eventMetadata: {env: prod, image.toolkit.fluxcd.io/revision: not-this}
              summary: cluster eu-1
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: team-a-errors, namespace: flux-system}
            spec:
              providerRef: {name: hook}
              eventSeverity: error
              eventSources: [{kind: ImageRepository, name: '*', matchLabels: {team: a}}]
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: other-namespace, namespace: flux-system}
            spec:
              providerRef: {name: hook}
              eventSources: [{kind: ImageUpdateAutomation, name: auto, namespace: apps}]
              inclusionList: ["^pushed commit"]
              exclusionList: ["\\\\[skip ci\\\\]"]
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: suspended, namespace: flux-system}
            spec: {providerRef: {name: hook}, suspend: true, eventSources: [{kind: ImagePromotion, name: '*'}]}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: provider-suspended, namespace: flux-system}
            spec: {providerRef: {name: paused}, eventSources: [{kind: ImagePromotion, name: '*'}]}
            """)).config();

    static FluxEvent event(String kind, String ns, String name, Severity s, String message) {
        return new FluxEvent(new InvolvedObject(kind.equals("ImagePromotion") ? Events.TAGSTREAM : Events.FLUX_IMAGE, kind, ns, name),
                s, Instant.EPOCH, message, "r", Map.of("image.toolkit.fluxcd.io/revision", "1.0.0"), "c", Optional.empty());
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of(event("ImagePolicy", "flux-system", "p", Severity.INFO, "m"), Map.of(), "all-policies"),
                Arguments.of(event("ImagePolicy", "apps", "p", Severity.INFO, "m"), Map.of(), "", "another namespace"),
                Arguments.of(event("ImageRepository", "flux-system", "r", Severity.ERROR, "m"), Map.of("team", "a"), "team-a-errors"),
                Arguments.of(event("ImageRepository", "flux-system", "r", Severity.INFO, "m"), Map.of("team", "a"), "", "info to an error alert"),
                Arguments.of(event("ImageRepository", "flux-system", "r", Severity.ERROR, "m"), Map.of("team", "b"), "", "labels differ"),
                Arguments.of(event("ImageUpdateAutomation", "apps", "auto", Severity.INFO, "pushed commit 'abc'"), Map.of(), "other-namespace"),
                Arguments.of(event("ImageUpdateAutomation", "apps", "auto", Severity.INFO, "pushed commit 'abc' [skip ci]"), Map.of(), "", "excluded"),
                Arguments.of(event("ImageUpdateAutomation", "apps", "auto", Severity.ERROR, "push refused"), Map.of(), "", "not included"),
                Arguments.of(event("ImageUpdateAutomation", "apps", "other", Severity.INFO, "pushed commit"), Map.of(), "", "another name"),
                Arguments.of(event("ImagePromotion", "flux-system", "x", Severity.INFO, "m"), Map.of(), "", "suspended alert and provider"))
                .map(a -> a.get().length == 3 ? Arguments.of(a.get()[0], a.get()[1], a.get()[2], "") : a);
    }

    @ParameterizedTest(name = "{3} {2}")
    @MethodSource("rows")
    void routes(FluxEvent e, Map<String, String> labels, String alerts, String why) {
        assertEquals(alerts, String.join(",", Alerts.route(e, labels, CONFIG).stream().map(r -> r.alert().id().name()).toList()), why);
    }

    @org.junit.jupiter.api.Test
    void theAlertsMetadataIsMergedAndTheEventsOwnKeysWin() {
        FluxEvent e = Alerts.route(event("ImagePolicy", "flux-system", "p", Severity.INFO, "m"), Map.of(), CONFIG).get(0).event();
        assertEquals(Map.of("env", "prod", "summary", "cluster eu-1", "image.toolkit.fluxcd.io/revision", "1.0.0"), e.metadata());
        assertEquals(List.of(), Alerts.route(event("Kustomization", "flux-system", "p", Severity.INFO, "m"), Map.of(), CONFIG));
    }
}
