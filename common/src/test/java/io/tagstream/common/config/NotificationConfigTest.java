package io.tagstream.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Flux's Provider and Alert ({@code notification.toolkit.fluxcd.io/v1beta3}) read as Flux documents them. */
class NotificationConfigTest {

    private static ConfigLoad load(String yaml) {
        return ConfigLoaderTest.LOADER.parse(Map.of("n.yaml", yaml));
    }

    @Test
    void aProviderAndAnAlertFromFluxsDocsAreRead() {
        ConfigLoad l = load("""
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Provider
                metadata: {name: slack, namespace: flux-system}
                spec:
                  type: slack
                  channel: general
                  username: flux
                  timeout: 5s
                  secretRef: {name: slack-url}
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Alert
                metadata: {name: on-call, namespace: flux-system}
                spec:
                  providerRef: {name: slack}
                  eventSeverity: error
                  eventSources:
                    - {kind: ImagePolicy, name: '*', matchLabels: {team: a}}
                    - {kind: ImageUpdateAutomation, name: apps, namespace: other}
                    - {kind: Kustomization, name: '*'}
                  inclusionList: [".*succeeded.*"]
                  exclusionList: ["^Dependencies"]
                  eventMetadata: {env: prod, cluster: eu-1}
                """);
        Provider p = l.config().providers().get(0);
        assertEquals("slack", p.type());
        assertEquals(Optional.of("general"), p.channel());
        assertEquals(Optional.of("flux"), p.username());
        assertEquals(Optional.of("slack-url"), p.secretRef());
        assertEquals(Duration.ofSeconds(5), p.sendTimeout());
        Alert a = l.config().alerts().get(0);
        assertEquals(new ResourceId("flux-system", "slack"), a.providerRef());
        assertTrue(a.errorsOnly());
        assertEquals(List.of(
                new Alert.Source("ImagePolicy", "*", Optional.empty(), Map.of("team", "a")),
                new Alert.Source("ImageUpdateAutomation", "apps", Optional.of("other"), Map.of()),
                new Alert.Source("Kustomization", "*", Optional.empty(), Map.of())), a.eventSources());
        assertEquals(List.of(".*succeeded.*"), a.inclusionList());
        assertEquals(List.of("^Dependencies"), a.exclusionList());
        assertEquals(Map.of("env", "prod", "cluster", "eu-1"), a.eventMetadata());
        assertTrue(l.skipped().stream().anyMatch(s -> s.startsWith("Alert flux-system/on-call: eventSources name"
                + " Kustomization: Flux's other controllers send those events")), l.skipped().toString());
        assertEquals(List.of(), l.warnings());
    }

    @Test
    void aTypeTagstreamDoesNotDeliverToMakesTheProviderAndItsAlertsNotReadyAndTheRestApplies() {
        ConfigLoad l = load("""
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Provider
                metadata: {name: pd}
                spec: {type: pagerduty, address: "https://events.pagerduty.com", channel: key}
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Alert
                metadata: {name: a}
                spec: {providerRef: {name: pd}, eventSources: [{kind: ImagePolicy, name: '*'}]}
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Provider
                metadata: {name: hook}
                spec: {type: generic, address: "http://127.0.0.1:1/hook"}
                """);
        assertEquals(List.of("Provider"), l.config().resources().stream().map(Resource::kind).toList());
        List<String> notReady = l.notReady().stream().map(Object::toString).toList();
        assertTrue(notReady.get(0).startsWith("Provider default/pd: type type 'pagerduty' is not delivered to by"
                + " Tagstream: it is not implemented yet. Supported: generic, generic-hmac, slack"), notReady.toString());
        assertTrue(notReady.get(1).startsWith("Alert default/a: providerRef names Provider default/pd"), notReady.toString());
    }

    @Test
    void mistakesAreErrorsNamingTheFieldAndLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("""
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Provider
                metadata: {name: p}
                spec:
                  type: carrier-pigeon
                  address: "ftp://x"
                  timeout: 10m
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Alert
                metadata: {name: a}
                spec:
                  providerRef: {name: p}
                  eventSeverity: warning
                  eventSources:
                    - {kind: ImagePolicy, name: app, matchLabels: {a: b}}
                  exclusionList: ["(unclosed"]
                """));
        List<String> m = e.errors().stream().map(Object::toString).toList();
        assertEquals(6, m.size(), m.toString());
        assertTrue(m.get(0).startsWith("Provider default/p: spec.type 'carrier-pigeon' is not a Flux Provider type"), m.toString());
        assertTrue(m.contains("Provider default/p: spec.address 'ftp://x' is not an http(s) URL (n.yaml:6)"), m.toString());
        assertTrue(m.contains("Provider default/p: spec.timeout must be more than 0 and less than 5m (n.yaml:7)"), m.toString());
        assertTrue(m.contains("Alert default/a: spec.eventSeverity 'warning' is not info or error (n.yaml:14)"), m.toString());
        assertTrue(m.contains("Alert default/a: spec.eventSources[0].matchLabels needs name '*' (Flux's rule) (n.yaml:16)"), m.toString());
        assertTrue(m.stream().anyMatch(x -> x.startsWith("Alert default/a: spec.exclusionList '(unclosed'") && x.endsWith("(n.yaml:17)")), m.toString());
    }

    @Test
    void fieldsNotActedOnAreWarnedAboutOneByOne() {
        ConfigLoad l = load("""
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Provider
                metadata: {name: p}
                spec:
                  type: generic
                  address: "https://hooks.example/x"
                  proxySecretRef: {name: proxy}
                  certSecretRef: {name: ca}
                  interval: 10m
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Alert
                metadata: {name: a}
                spec:
                  providerRef: {name: p}
                  summary: prod cluster
                  eventSources: [{kind: ImagePolicy, name: '*'}]
                """);
        assertEquals(List.of(
                "Alert default/a: spec.summary is deprecated in Flux: use eventMetadata (it is sent as metadata 'summary') (n.yaml:16)"),
                l.warnings().stream().sorted().toList());
        assertEquals(Optional.of("ca"), l.config().providers().get(0).certSecretRef());
        assertEquals(Optional.of("proxy"), l.config().providers().get(0).proxySecretRef());
        ConfigLoad old = load("""
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Provider
                metadata: {name: p}
                spec: {type: generic, address: "https://hooks.example/x", proxy: "http://proxy.corp:3128"}
                """);
        assertEquals(Optional.of("http://proxy.corp:3128"), old.config().providers().get(0).proxy());
        assertEquals(List.of("Provider default/p: spec.proxy is deprecated in Flux: use proxySecretRef (a Secret with address,"
                + " username, password) (n.yaml:4)"), old.warnings());
    }
}
