package io.tagstream.gitwriter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.common.config.ConfigLoader;
import io.tagstream.common.config.ImageUpdateAutomation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Commit messages from Flux YAML: Go templates over the changes Setters made, files relative to update.path. */
class CommitMessageTest {

    static ImageUpdateAutomation automation(String commit) {
        String yaml = """
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: fleet, namespace: flux-system}
                spec: {url: "https://example.com/fleet.git", interval: 1m, ref: {branch: main}}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageUpdateAutomation
                metadata: {name: podinfo-auto, namespace: flux-system}
                spec:
                  interval: 5m
                  sourceRef: {kind: GitRepository, name: fleet}
                  git:
                    commit:
                %s
                  update: {path: ./clusters/prod, strategy: Setters}
                """.formatted(commit.indent(6).stripTrailing());
        return new ConfigLoader().parse(Map.of("flux.yaml", yaml)).config().automations().get(0);
    }

    static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: podinfo
              namespace: default
            spec:
              template:
                spec:
                  containers:
                    - name: podinfo
                      image: ghcr.io/stefanprodan/podinfo:5.0.0 # {"$imagepolicy": "flux-system:podinfo"}
            """;

    static List<Setters.Change> changes() {
        return Setters.applyText("clusters/prod/apps/podinfo.yaml", DEPLOYMENT, Map.of("flux-system:podinfo",
                new ImageValues("ghcr.io/stefanprodan/podinfo", "5.0.3", "", false))).changes();
    }

    @Test
    void fluxDataFromTheChangesMade() {
        ImageUpdateAutomation a = automation("""
                author: {email: flux@example.com}
                messageTemplate: |-
                  {{ .AutomationObject }} for {{ .Values.cluster }}
                  {{ range $file, $objects := .Changed.FileChanges -}}
                  {{ range $o, $changes := $objects }}{{ range $changes -}}
                  {{ $file }} {{ $o.Kind }}/{{ $o.Namespace }}/{{ $o.Name }}: {{ .OldValue }} -> {{ .NewValue }} ({{ .Setter }})
                  {{ end }}{{ end }}{{ end -}}
                messageTemplateValues: {cluster: prod}
                """);
        assertEquals("""
                flux-system/podinfo-auto for prod
                apps/podinfo.yaml Deployment/default/podinfo: ghcr.io/stefanprodan/podinfo:5.0.0 -> ghcr.io/stefanprodan/podinfo:5.0.3 (flux-system:podinfo)
                """, CommitMessage.render(a, changes()));
    }

    @Test
    void fluxDefaultMessageWithoutTemplate() {
        assertEquals("Update from image update automation", CommitMessage.render(automation("author: {email: f@x.io}"), changes()));
    }

    @Test
    void aTemplateThatFailsWhileRunningNamesItsLine() {
        ImageUpdateAutomation a = automation("""
                author: {email: flux@example.com}
                messageTemplate: |-
                  first
                  {{ index .Changed.Changes 5 }}
                """);
        CommitMessage.TemplateFailed e = assertThrows(CommitMessage.TemplateFailed.class, () -> CommitMessage.render(a, changes()));
        assertTrue(e.getMessage().contains("template line 2: error calling index: index out of range: 5"), e.getMessage());
    }
}
