package io.tagstream.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * flux-mirror's Config read unchanged (every upstream example loads), and our ImageMirror kind: what each field
 * becomes, and every mistake reported with its file, line and field.
 */
class MirrorConfigTest {

    static final ConfigLoader LOADER = new ConfigLoader(List.of(), Map.of("REGISTRY", "registry.corp.example"));

    static Path examples() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path c = p.resolveSibling("shared").resolve("conformance/flux-mirror/examples");
            if (Files.isDirectory(c)) {
                return c;
            }
        }
        return null;
    }

    @Test
    void everyUpstreamExampleLoads() throws IOException {
        Path dir = examples();
        assumeTrue(dir != null, "../shared/conformance is absent (CI has it; a fresh clone does not)");
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(files.size() >= 14, files.toString());
        int mirrors = 0;
        List<String> problems = new ArrayList<>();
        for (Path f : files) {
            String text = Files.readString(f);
            if (f.getParent().getFileName().toString().equals("fragments")) {
                text = "apiVersion: mirror.plugin.fluxcd.io/v1beta1\nkind: Config\n" + text; // snippets of the README
            }
            try {
                ConfigLoad r = LOADER.parse(Map.of(f.getFileName().toString(), text));
                mirrors += r.config().all(ImageMirror.class).size() + (int) r.notReady().stream()
                        .filter(n -> n.kind().equals("ImageMirror")).count();
                if (text.contains("mirror.plugin.fluxcd.io/v1beta1")) {
                    assertTrue(r.warnings().stream().anyMatch(w -> w.contains("v1beta1 is deprecated")), f + ": " + r.warnings());
                }
            } catch (ConfigException e) {
                problems.add(f + ": " + e.getMessage());
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(mirrors >= 10, "artifacts read: " + mirrors);
    }

    @Test
    void theE2eConfigOfFluxMirrorBecomesTwoMirrorsAndSaysWhatItDoesNotDo() throws IOException {
        Path dir = examples();
        assumeTrue(dir != null, "../shared/conformance is absent (CI has it; a fresh clone does not)");
        ConfigLoad r = LOADER.parse(Map.of("mirror/podinfo.yaml", Files.readString(dir.resolve("v1beta2/test-podinfo.yaml"))));
        assertEquals(List.of(), r.config().all(ImageMirror.class), "not run by this version: listed as not ready");
        List<NotReady> mirrors = r.notReady().stream().filter(n -> n.kind().equals("ImageMirror")).toList();
        assertEquals(List.of("default/podinfo-0", "default/podinfo-1"), mirrors.stream().map(n -> n.id().toString()).toList());
        assertTrue(mirrors.get(0).reason().startsWith("verify: keyless cosign verification (matchOIDCIdentity) needs a trusted"
                + " root"), mirrors.get(0).reason());
        assertTrue(mirrors.get(0).reason().contains("(mirror/podinfo.yaml artifacts[0])"), mirrors.get(0).reason());
        assertTrue(r.skipped().stream().anyMatch(s -> s.contains("charts[0] (https://stefanprodan.github.io/podinfo): HTTP Helm"
                + " repositories are not mirrored")), r.skipped().toString());
    }

    @Test
    void theCleanstartExampleRunsEveryMirrorOneWithKeyBasedVerification() {
        ConfigLoad r = new ConfigLoader().load(Path.of("../docs/examples/cleanstart"));
        assertEquals(List.of(), r.warnings());
        assertEquals(List.of("default/flux-mirror-1", "platform/cleanstart-base", "platform/cleanstart-nginx"), r.config().mirrors()
                .stream().map(m -> m.id().toString()).sorted().toList());
        assertEquals(List.of(), r.notReady());
        assertEquals("aws", r.config().registryFor("123456789012.dkr.ecr.eu-west-1.amazonaws.com").orElseThrow().provider());
    }

    static final String CONFIG = """
            apiVersion: mirror.plugin.fluxcd.io/v1beta2
            kind: Config
            artifacts:
              - source: registry.cleanstart.com/cleanstart/base
                destination: ${REGISTRY}/vendor/cleanstart/base
                selector:
                  regex: {pattern: '^v?(?P<version>[0-9]+\\.[0-9]+\\.[0-9]+)$', extract: '$version'}
                  semver: '>=1.0.0'
                  limit: 5
                includeReferrers: true
            hosts:
              - host: 123456789012.dkr.ecr.eu-west-1.amazonaws.com
                provider: ecr
            """;

    @Test
    void anEntryIsReadAsFluxMirrorMeansItAndAnImageMirrorAddsWhatTheConfigLacks() {
        ConfigLoad r = LOADER.parse(Map.of("cleanstart.yaml", CONFIG, "mirror.yaml", """
                apiVersion: tagstream.io/v1alpha1
                kind: ImageMirror
                metadata: {name: cleanstart-base, namespace: platform}
                spec:
                  configRef: {destination: registry.corp.example/vendor/cleanstart/base}
                  interval: 30m
                  minAge: 1h
                  prune: {keepLast: 5, olderThan: 168h, untagged: true}
                  concurrency: 2
                """));
        assertEquals(List.of("platform/cleanstart-base"), r.config().mirrors().stream().map(x -> x.id().toString()).toList(),
                "the Config entry runs as the ImageMirror taking it");
        assertEquals(List.of(), r.notReady());
        ImageRepository scanned = r.config().scanTargets().get(0);
        assertEquals("platform/cleanstart-base", scanned.id().toString(), "the poller lists the source under the mirror's name");
        assertEquals("registry.cleanstart.com/cleanstart/base", scanned.image());
        assertEquals(List.of(), scanned.exclusionList(), "cosign's tags are referrers a mirror may copy");
        assertEquals("aws", r.config().registryFor("123456789012.dkr.ecr.eu-west-1.amazonaws.com").orElseThrow().provider());

        List<ConfigError> errors = new ArrayList<>();
        List<Resource> read = Mirrors.fluxMirror("cleanstart.yaml", (org.yaml.snakeyaml.nodes.MappingNode) new org.yaml.snakeyaml.Yaml()
                .compose(new java.io.StringReader(CONFIG)), "v1beta2", errors, new ArrayList<>(), new ArrayList<>(),
                Map.of("REGISTRY", "registry.corp.example"));
        List<Resource> all = new ArrayList<>(read);
        all.add(imageMirror());
        ImageMirror m = Mirrors.resolve(all, errors).stream()
                .filter(ImageMirror.class::isInstance).map(ImageMirror.class::cast).findFirst().orElseThrow();
        assertEquals("registry.cleanstart.com/cleanstart/base", m.source());
        assertEquals("registry.corp.example/vendor/cleanstart/base", m.destination(), "${REGISTRY} substituted");
        assertEquals(new ImageMirror.Selector(Optional.of("^v?(?P<version>[0-9]+\\.[0-9]+\\.[0-9]+)$"), Optional.of("$version"),
                Optional.of(">=1.0.0"), ImageMirror.SortBy.SEMVER, 5), m.selector());
        assertTrue(m.includeReferrers());
        assertEquals(Duration.ofMinutes(30), m.interval());
        assertEquals(Optional.of(new ImageMirror.Prune(5, Optional.of(Duration.ofHours(168)), true)), m.prune());
        assertEquals(2, m.concurrency());
        assertEquals(List.of(), errors);
    }

    static ImageMirror imageMirror() {
        return new ImageMirror(new ResourceId("platform", "cleanstart-base"), Map.of(), new Origin("mirror.yaml", 1, Map.of()), "",
                "registry.corp.example/vendor/cleanstart/base", new ImageMirror.Selector(Optional.empty(), Optional.empty(),
                        Optional.empty(), ImageMirror.SortBy.SEMVER, 1), false, false, Optional.empty(), Duration.ofMinutes(30),
                Optional.empty(), Optional.empty(), Optional.of(new ImageMirror.Prune(5, Optional.of(Duration.ofHours(168)), true)),
                2, false, Optional.of("configRef"), Optional.empty());
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
                Arguments.of("a field flux-mirror's schema does not have", CONFIG.replace("includeReferrers: true",
                        "includeReferers: true"), "flux-mirror Config: artifacts[0].includeReferers is not a field of flux-mirror's"
                        + " Config here (its schema allows no other fields) (c.yaml:10)"),
                Arguments.of("an unset variable", CONFIG.replace("${REGISTRY}", "${MIRROR_HOST}"), "flux-mirror Config:"
                        + " artifacts[0].destination names ${MIRROR_HOST}, which is not set in the environment (flux-mirror"
                        + " substitutes every ${VAR} at load and refuses an unset one; so does Tagstream) (c.yaml:5)"),
                Arguments.of("a bad range", CONFIG.replace(">=1.0.0", ">=1.x.0 <"), "flux-mirror Config: artifacts[0].selector.semver"
                        + " '>=1.x.0 <' is not a semver range: '>=1.x.0 <' is not a valid semver range (improper constraint"
                        + " '>=1.x.0 <') (c.yaml:8)"),
                Arguments.of("an extract naming no group", CONFIG.replace("'$version'", "'$ver'"), "flux-mirror Config:"
                        + " artifacts[0].selector.regex.extract '$ver' refers to group 'ver' which pattern"
                        + " '^v?(?P<version>[0-9]+\\.[0-9]+\\.[0-9]+)$' does not define (c.yaml:7)"),
                Arguments.of("a sort flux-mirror does not know", CONFIG.replace("limit: 5", "limit: 5\n      sortBy: newest"),
                        "flux-mirror Config: artifacts[0].selector.sortBy 'newest' is not semver, alphabetical or numerical (c.yaml:10)"),
                Arguments.of("a tag as the source", CONFIG.replace("cleanstart/base\n", "cleanstart/base:latest\n"), "flux-mirror Config:"
                        + " artifacts[0].source 'registry.cleanstart.com/cleanstart/base:latest' must name a repository, not a tag"
                        + " or digest (the selector picks the tags) (c.yaml:4)"),
                Arguments.of("a cloud host with a credential", CONFIG.replace("provider: ecr", "provider: ecr\n    credential: {type: jwt,"
                        + " value: x}"), "flux-mirror Config: hosts[0].provider 'ecr' takes the cloud's workload identity;"
                        + " flux-mirror does not allow credential or tls beside it (c.yaml:13)"),
                Arguments.of("an ImageMirror verifying keyless with nothing to verify against", STANDALONE + """
                          verify:
                            provider: cosign
                            matchOIDCIdentity: [{issuer: 'https://token.actions.githubusercontent.com', subject: '^https://github\\.com/cleanstart/.*$'}]
                        """, "ImageMirror platform/base: spec.verify keyless verification (matchOIDCIdentity) needs"
                        + " trustedRootSecretRef: a secret with the Sigstore trusted root (trusted_root.json) to verify against"
                        + " offline; or verify with publicKeySecretRef (c.yaml:9)"),
                Arguments.of("an ImageMirror taking an entry that is not there", """
                        apiVersion: tagstream.io/v1alpha1
                        kind: ImageMirror
                        metadata: {name: base, namespace: platform}
                        spec:
                          configRef: {destination: registry.corp.example/nowhere}
                          prune: {keepLast: 0}
                        """, "ImageMirror platform/base: spec.prune.keepLast '0' is not a whole number ≥ 1 (pruning never leaves"
                        + " a mirror empty) (c.yaml:6)"),
                Arguments.of("a tag template that is not a template", STANDALONE + "  tagTemplate: 'v{{ .Tag '\n",
                        "ImageMirror platform/base: spec.tagTemplate 'v{{ .Tag ' is not a Go template over .Tag: "),
                Arguments.of("a mirror named like an ImageRepository", STANDALONE + """
                        ---
                        apiVersion: image.toolkit.fluxcd.io/v1
                        kind: ImageRepository
                        metadata: {name: base, namespace: platform}
                        spec: {image: registry.corp.example/app, interval: 1h}
                        """, "ImageMirror platform/base: has the same name as an ImageRepository; the poller lists a mirror's"
                        + " source under the mirror's name, so the two could not be told apart: rename one (c.yaml:1)"));
    }

    static final String STANDALONE = """
            apiVersion: tagstream.io/v1alpha1
            kind: ImageMirror
            metadata: {name: base, namespace: platform}
            spec:
              source: registry.cleanstart.com/cleanstart/base
              destination: registry.corp.example/vendor/base
              selector: {semver: '>=1.0.0', limit: 5}
            """;

    @Test
    void verificationThisVersionCannotDoKeepsTheMirrorFromRunningWithTheReason() {
        ConfigLoad keyless = LOADER.parse(Map.of("c.yaml", STANDALONE + """
                  verify:
                    provider: cosign
                    trustedRootSecretRef: {name: sigstore-root}
                    matchOIDCIdentity: [{issuer: 'https://token.actions.githubusercontent.com', subject: '^https://github\\.com/cleanstart/.*$'}]
                """));
        assertEquals(List.of(), keyless.config().mirrors());
        assertTrue(keyless.notReady().get(0).reason().startsWith("verify: keyless cosign verification (matchOIDCIdentity, against a"
                + " trusted root) is not done by this version"), keyless.notReady().toString());
        ConfigLoad young = LOADER.parse(Map.of("c.yaml", STANDALONE + """
                  verify: {provider: cosign, minAge: 48h, publicKeySecretRef: {name: vendor-key}}
                """));
        assertTrue(young.notReady().get(0).reason().startsWith("verify.minAge counts from the signature's Rekor integrated time"),
                young.notReady().toString());
        ConfigLoad keyed = LOADER.parse(Map.of("c.yaml", STANDALONE + """
                  verify: {provider: cosign, publicKeySecretRef: {name: vendor-key}}
                """));
        assertEquals(Optional.of("vendor-key"), keyed.config().mirrors().get(0).verify().orElseThrow().publicKeySecretRef());
    }

    @Test
    void aReceiverMayNameAMirrorAndOneNamingNoMirrorIsNotReady() {
        String receiver = """
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1
                kind: Receiver
                metadata: {name: vendor, namespace: platform}
                spec:
                  type: generic
                  secretRef: {name: hook}
                  resources: [{kind: ImageMirror, name: %s}]
                """;
        ConfigLoad named = LOADER.parse(Map.of("c.yaml", STANDALONE + receiver.formatted("base")));
        assertEquals(1, named.config().receivers().size());
        assertEquals(List.of(), named.notReady());
        ConfigLoad missing = LOADER.parse(Map.of("c.yaml", STANDALONE + receiver.formatted("nginx")));
        assertEquals(List.of(), missing.config().receivers());
        assertTrue(missing.notReady().get(0).reason().contains("names ImageMirror platform/nginx, which is not in the configuration"),
                missing.notReady().toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void mistakesAreReportedWithFileLineAndField(String what, String yaml, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> LOADER.parse(Map.of("c.yaml", yaml)));
        String first = e.errors().get(0).toString();
        // a parser's own words follow a template error: the part that is ours is compared, the rest must carry the line
        assertEquals(expected, expected.endsWith(": ") ? first.substring(0, Math.min(first.length(), expected.length())) : first,
                e.getMessage());
    }
}
