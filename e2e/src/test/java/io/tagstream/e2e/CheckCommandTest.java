package io.tagstream.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's check command, run as a user runs it: every finding at once, exit code 1 only on errors. */
class CheckCommandTest {

    record Run(int exit, String out) {}

    static Run check(Path dir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("../tagstream", "check", "--config", dir.toString()).redirectErrorStream(true);
        pb.environment().put("TAGSTREAM_SKIP_BUILD", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }

    @Test
    void aFluxSystemFolderMakesSense(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("gotk-sync.yaml"), """
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: flux-system, namespace: flux-system}
                spec: {interval: 1m, ref: {branch: main}, secretRef: {name: flux-system}, url: "ssh://git@github.com/org/fleet"}
                ---
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: flux-system, namespace: flux-system}
                spec: {interval: 10m, path: ./clusters/prod, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}
                """);
        Files.writeString(dir.resolve("images.yaml"), """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: podinfo, namespace: flux-system}
                spec: {image: ghcr.io/stefanprodan/podinfo, interval: 5m, serviceAccountName: puller}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: podinfo, namespace: flux-system}
                spec: {imageRepositoryRef: {name: podinfo}, policy: {semver: {range: 5.0.x}}}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: other, namespace: flux-system}
                spec: {imageRepositoryRef: {name: missing}, policy: {semver: {range: 1.x}}}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageUpdateAutomation
                metadata: {name: flux-system, namespace: flux-system}
                spec:
                  interval: 30m
                  sourceRef: {kind: GitRepository, name: flux-system}
                  git:
                    checkout: {ref: {branch: main}}
                    commit:
                      author: {email: fluxcdbot@users.noreply.github.com, name: fluxcdbot}
                      messageTemplate: '{{range .Changed.Changes}}{{print .OldValue}} -> {{println .NewValue}}{{end}}'
                    push: {branch: main}
                  update: {path: ./clusters/prod, strategy: Setters}
                """);
        Run ok = check(dir);
        assertEquals(0, ok.exit(), ok.out());
        assertTrue(ok.out().contains("spec.serviceAccountName is not acted on"), ok.out());
        assertTrue(ok.out().contains("ImagePolicy flux-system/other: imageRepositoryRef names ImageRepository"
                + " flux-system/missing, which is not in the configuration"), ok.out());
        assertTrue(ok.out().contains("Kustomization flux-system/flux-system: kustomize.toolkit.fluxcd.io/v1 is for another"
                + " Flux controller"), ok.out());
        assertTrue(ok.out().contains("ImagePolicy flux-system/podinfo (images.yaml:6): policy-evaluator (selects a tag);"
                + " written by flux-system/flux-system"), ok.out());
        assertTrue(ok.out().contains("OK: 4 resource(s) would be applied"), ok.out());

        Files.writeString(dir.resolve("broken.yaml"), """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: broken, namespace: flux-system}
                spec: {imageRepositoryRef: {name: podinfo}, policy: {semver: {range: ">=1.0.0"}, numerical: {order: asc}}}
                """);
        Run refused = check(dir);
        assertEquals(1, refused.exit(), refused.out());
        assertTrue(refused.out().contains("errors (1):"), refused.out());
        assertTrue(refused.out().contains("(broken.yaml:4)"), refused.out());
        assertTrue(refused.out().contains("spec.serviceAccountName is not acted on"), "warnings are shown with the errors: "
                + refused.out());
        assertTrue(refused.out().contains("REFUSED: 1 error(s)"), refused.out());
    }
}
