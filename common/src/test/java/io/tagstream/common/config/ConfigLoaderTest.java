package io.tagstream.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.common.config.ImagePolicy.Numerical;
import io.tagstream.common.config.ImagePolicy.Semver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {

    static final ConfigLoader LOADER = new ConfigLoader();

    @Test
    void mecipolExampleLoads() {
        TagstreamConfig c = LOADER.load(Path.of("../docs/examples/mecipol")).config();
        assertEquals(4, c.imageRepositories().size());
        ImagePolicy portal = c.find(ImagePolicy.class, new ResourceId("flux-system", "ct-fac-portal")).orElseThrow();
        assertEquals(new Semver(">=900.0.0", true), portal.policy());
        assertEquals(new ResourceId("flux-system", "ctfacentry-pemos-portal"), portal.imageRepositoryRef());
        ImageUpdateAutomation auto = c.automations().get(0);
        assertEquals(new ImageUpdateAutomation.Author("flux-bot", "flux@pemos.io"), auto.author());
        assertEquals(Optional.of("feat/pemclau-master"), auto.pushBranch());
        assertEquals("./fleet-sync/ctc-flux/eose-entry", auto.updatePath());
        ImagePromotion promo = c.promotions().get(0);
        assertEquals(ImagePromotion.Mode.MANUAL, promo.approval().mode());
        assertEquals(Optional.of(Duration.ofHours(72)), promo.approval().deadline());
        assertEquals("ctfacentry.azurecr.io/eose-fleet/pemos-portal", promo.target().orElseThrow().image());
        ImageRepository dev = c.find(ImageRepository.class, new ResourceId("flux-system", "eosefleetacrdev-pemos-portal"))
                .orElseThrow();
        assertEquals(List.of("^.*\\.sig$", "^pr-.*"), dev.exclusionList());
        assertEquals(3, c.registries().size());
    }

    @Test
    void tazlabExampleLoads() {
        TagstreamConfig c = LOADER.load(Path.of("../docs/examples/tazlab")).config();
        assertEquals(3, c.imagePolicies().size());
        ImagePolicy blog = c.find(ImagePolicy.class, new ResourceId("flux-system", "hugo-blog")).orElseThrow();
        assertEquals(new Numerical(ImagePolicy.Order.ASC), blog.policy());
        assertEquals(new ImagePolicy.FilterTags("^blog-(?P<value>[0-9]+)-.*$", "$value"), blog.filterTags().orElseThrow());
        assertEquals(ImageRepository.DEFAULT_EXCLUSIONS, c.imageRepositories().get(0).exclusionList());
        ImageUpdateAutomation a = c.find(ImageUpdateAutomation.class, new ResourceId("flux-system", "hugo-blog")).orElseThrow();
        assertEquals(Optional.of("chore: self-update hugo-blog image [skip ci]"), a.messageTemplate());
        assertEquals(Map.of("app", "hugo-blog"), a.policySelector());
    }

    @Test
    void giteaPipelineExampleOrdersShaTagsByPushTime() {
        ConfigLoad r = LOADER.load(Path.of("../docs/examples/gitea-cd"));
        assertEquals(List.of(), r.notReady());
        assertEquals(List.of(), r.warnings());
        TagstreamConfig c = r.config();
        ImagePolicy p = c.find(ImagePolicy.class, new ResourceId("flux-system", "supervisor")).orElseThrow();
        assertEquals(new ImagePolicy.Newest(ImagePolicy.By.PUSHED), p.policy());
        assertEquals(false, p.needsBuildTimes());
        assertEquals(true, p.needsPushTimes());
        assertEquals(Optional.of("gitea"), c.registryFor("gitea.example.internal").orElseThrow().pushTimes());
        assertEquals(1, c.receivers().size());
    }

    @Test
    void policy603DevExampleFollowsTheMutableTagByDigest() {
        ConfigLoad r = LOADER.load(Path.of("../docs/examples/policy-603"));
        assertEquals(List.of(), r.notReady());
        assertEquals(List.of(), r.warnings());
        ImagePolicy p = r.config().find(ImagePolicy.class, new ResourceId("flux-system", "shop-dev")).orElseThrow();
        assertEquals(ImagePolicy.DigestReflection.ALWAYS, p.digestReflectionPolicy());
        assertEquals(Optional.of(java.time.Duration.ofMinutes(1)), p.interval());
        assertEquals(List.of(), r.config().imageRepositories().get(0).mutableTags().stream().filter("dev"::equals).toList());
    }

    static final String REPO = """
            apiVersion: image.toolkit.fluxcd.io/v1
            kind: ImageRepository
            metadata: {name: app, namespace: ns}
            spec:
              image: r.example/app
              interval: 1m
            ---
            """;

    /** An automation on branch main whose push.refspec is given (line 15). */
    static String withRefspec(String refspec) {
        return withPush("refspec: " + refspec);
    }

    /** An automation checking out main of a GitHub repository whose push block is given (starting at line 14). */
    static String withPush(String push) {
        return """
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: GitRepository
            metadata: {name: fleet, namespace: ns}
            spec: {url: 'https://github.com/acme/fleet', ref: {branch: main}, interval: 1m}
            ---
            apiVersion: image.toolkit.fluxcd.io/v1
            kind: ImageUpdateAutomation
            metadata: {name: auto, namespace: ns}
            spec:
              interval: 5m
              sourceRef: {kind: GitRepository, name: fleet}
              git:
                commit: {author: {name: bot, email: bot@example.com}}
                push:
            """ + push.indent(6) + """
              update: {path: ./apps, strategy: Setters}
            """;
    }

    /** A broken document → the error a person reads, with file and line. */
    static Stream<Arguments> mistakes() {
        return Stream.of(
                Arguments.of("policy without a rule", REPO + """
                        apiVersion: image.toolkit.fluxcd.io/v1
                        kind: ImagePolicy
                        metadata: {name: p, namespace: ns}
                        spec:
                          imageRepositoryRef: {name: app}
                          policy: {}
                        """, "ImagePolicy ns/p: spec.policy must have one of semver, numerical, alphabetical, or Tagstream's newest (c.yaml:13)"),
                Arguments.of("two rules", REPO + """
                        apiVersion: image.toolkit.fluxcd.io/v1
                        kind: ImagePolicy
                        metadata: {name: p, namespace: ns}
                        spec:
                          imageRepositoryRef: {name: app}
                          policy:
                            semver: {range: ">=1.0.0"}
                            numerical: {order: asc}
                        """, "ImagePolicy ns/p: spec.policy must have only one of semver, numerical, alphabetical, newest, not semver and numerical (c.yaml:13)"),
                Arguments.of("newest by an unknown time", REPO + """
                        apiVersion: image.toolkit.fluxcd.io/v1
                        kind: ImagePolicy
                        metadata: {name: p, namespace: ns}
                        spec:
                          imageRepositoryRef: {name: app}
                          policy:
                            newest: {by: tagged}
                        """, "ImagePolicy ns/p: spec.policy.newest.by 'tagged' is not one of pushed, built (c.yaml:14)"),
                Arguments.of("bad filter regex", REPO + """
                        apiVersion: image.toolkit.fluxcd.io/v1
                        kind: ImagePolicy
                        metadata: {name: p, namespace: ns}
                        spec:
                          imageRepositoryRef: {name: app}
                          filterTags:
                            pattern: '[='
                          policy:
                            alphabetical: {order: asc}
                        """, "ImagePolicy ns/p: spec.filterTags.pattern '[=' is not a valid regular expression: missing closing ] (c.yaml:14)"),
                Arguments.of("extract names a missing group", REPO + """
                        apiVersion: image.toolkit.fluxcd.io/v1
                        kind: ImagePolicy
                        metadata: {name: p, namespace: ns}
                        spec:
                          imageRepositoryRef: {name: app}
                          filterTags:
                            pattern: '^main-(?P<ts>[0-9]+)$'
                            extract: '$stamp'
                          policy:
                            numerical: {order: asc}
                        """, "ImagePolicy ns/p: spec.filterTags.extract '$stamp' refers to group 'stamp' which pattern '^main-(?P<ts>[0-9]+)$' does not define (c.yaml:15)"),
                Arguments.of("image with a tag", """
                        apiVersion: image.toolkit.fluxcd.io/v1
                        kind: ImageRepository
                        metadata: {name: app, namespace: ns}
                        spec:
                          interval: 1m
                          image: r.example/app:1.0
                        """, "ImageRepository ns/app: spec.image 'r.example/app:1.0' must be a repository without tag or digest (c.yaml:6)"),
                Arguments.of("bad interval", """
                        apiVersion: image.toolkit.fluxcd.io/v1
                        kind: ImageRepository
                        metadata: {name: app, namespace: ns}
                        spec:
                          image: r.example/app
                          interval: 5 minutes
                        """, "ImageRepository ns/app: spec.interval '5 minutes' is not a duration such as 1m or 1h30m (c.yaml:6)"),
                Arguments.of("unknown kind in our group", """
                        apiVersion: image.toolkit.fluxcd.io/v1
                        kind: ImagePolcy
                        metadata: {name: p}
                        spec: {}
                        """, "unknown kind 'ImagePolcy' in image.toolkit.fluxcd.io (known: ImagePolicy, ImageRepository, ImageUpdateAutomation) (c.yaml:2)"),
                Arguments.of("old api version", """
                        apiVersion: image.toolkit.fluxcd.io/v1beta1
                        kind: ImagePolicy
                        metadata: {name: p}
                        spec: {}
                        """, "ImagePolicy: apiVersion image.toolkit.fluxcd.io/v1beta1 is not supported (use image.toolkit.fluxcd.io/v1 or image.toolkit.fluxcd.io/v1beta2) (c.yaml:1)"),
                Arguments.of("yaml syntax", "apiVersion: v1\nkind: [unclosed\n",
                        "not valid YAML: expected ',' or ']', but got <stream end> (c.yaml:3)"),
                Arguments.of("receiver without secret", REPO + """
                        apiVersion: notification.toolkit.fluxcd.io/v1
                        kind: Receiver
                        metadata: {name: hook, namespace: ns}
                        spec:
                          type: harbor
                          resources: [{kind: ImageRepository, name: app}]
                        """, "Receiver ns/hook: spec secretRef is required: every webhook must be authenticated (c.yaml:11)"),
                Arguments.of("promotion tag template", REPO + """
                        apiVersion: image.toolkit.fluxcd.io/v1
                        kind: ImagePolicy
                        metadata: {name: p, namespace: ns}
                        spec:
                          imageRepositoryRef: {name: app}
                          policy: {semver: {range: ">=1"}}
                        ---
                        apiVersion: tagstream.io/v1alpha1
                        kind: ImagePromotion
                        metadata: {name: prod, namespace: ns}
                        spec:
                          sourcePolicyRef: {name: p}
                          target:
                            image: prod.example/app
                            tags: ["{{version}}"]
                        """, "ImagePromotion ns/prod: spec.target.tags '{{version}}' uses {{version}}; known: {{tag}}, {{digest}}, {{digest.short}}, {{policy}} (c.yaml:22)"),
                Arguments.of("name Kubernetes refuses", """
                        apiVersion: image.toolkit.fluxcd.io/v1
                        kind: ImageRepository
                        metadata:
                          name: My_App
                        spec: {image: r.example/app, interval: 1m}
                        """, "ImageRepository: metadata.name 'My_App' is not a valid Kubernetes name (lower-case letters, digits and '-', parts joined by '.', starting and ending with a letter or digit) (c.yaml:4)"),
                Arguments.of("namespace too long", """
                        apiVersion: image.toolkit.fluxcd.io/v1
                        kind: ImageRepository
                        metadata: {name: app, namespace: %s}
                        spec: {image: r.example/app, interval: 1m}
                        """.formatted("n".repeat(64)), "ImageRepository: metadata.namespace '" + "n".repeat(64)
                        + "' is 64 characters; Kubernetes allows at most 63 (c.yaml:3)"),
                Arguments.of("a pasted value is quoted by its start and length", """
                        apiVersion: image.toolkit.fluxcd.io/v1
                        kind: ImageRepository
                        metadata: {name: app, namespace: ns}
                        spec:
                          image: r.example/app
                          interval: %s
                        """.formatted("9".repeat(500)), "ImageRepository ns/app: spec.interval '" + "9".repeat(80)
                        + "…' (500 characters) is not a duration such as 1m or 1h30m (c.yaml:6)"),
                Arguments.of("a control character, by its line", """
                        apiVersion: image.toolkit.fluxcd.io/v1
                        kind: ImageRepository
                        metadata: {name: app, namespace: ns}
                        spec:
                          image: r.example/app\u0007
                          interval: 1m
                        """, "not valid YAML: character U+0007 is not allowed in YAML (write it as an escape in a double-quoted string) (c.yaml:5)"),
                Arguments.of("unknown provider", """
                        apiVersion: image.toolkit.fluxcd.io/v1
                        kind: ImageRepository
                        metadata: {name: app, namespace: ns}
                        spec:
                          image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app
                          interval: 1m
                          provider: ecr
                        """, "ImageRepository ns/app: spec.provider 'ecr' is not one of generic, aws, azure, gcp (c.yaml:7)"),
                Arguments.of("push times from an API Tagstream does not read", """
                        apiVersion: tagstream.io/v1alpha1
                        kind: Registry
                        metadata: {name: hub, namespace: ns}
                        spec:
                          host: registry.example
                          pushTimes: harbor
                        """, "Registry ns/hub: spec.pushTimes 'harbor' is not a registry API Tagstream reads push times from (gitea) (c.yaml:6)"),
                Arguments.of("cloud Registry with a secret too", """
                        apiVersion: tagstream.io/v1alpha1
                        kind: Registry
                        metadata: {name: prod, namespace: ns}
                        spec:
                          host: prod.azurecr.io
                          provider: azure
                          secretRef: {name: acr}
                        """, "Registry ns/prod: spec.provider 'azure' takes credentials from the pod's cloud identity; remove"
                        + " secretRef and dockerConfigPath, or use provider: generic (c.yaml:6)"),
                Arguments.of("push refspec that forces", withRefspec("+refs/heads/main:refs/for/main"), "ImageUpdateAutomation ns/auto: spec.git.push.refspec '+refs/heads/main:refs/for/main' forces the update; Flux does not allow '+' here (force pushes are"
                        + " only for a push branch the automation owns) (c.yaml:15)"),
                Arguments.of("push refspec from a branch the commit is not on", withRefspec("refs/heads/dev:refs/for/main"), "ImageUpdateAutomation ns/auto: git.push.refspec 'refs/heads/dev:refs/for/main' pushes 'refs/heads/dev', but the"
                        + " commit is made on branch main: use HEAD or refs/heads/main as the source (c.yaml:15)"),
                Arguments.of("pull request without a head branch", withPush("pullRequest: {provider: github}"),
                        "ImageUpdateAutomation ns/auto: spec.git.push.branch is required with pullRequest: the pull request's head branch, which Tagstream owns and force-updates (never the checkout branch) (c.yaml:14)"),
                Arguments.of("pull request onto the checkout branch", withPush("branch: main\npullRequest: {provider: github}"),
                        "ImageUpdateAutomation ns/auto: git.push.branch 'main' is the checkout branch; a pull request needs a head branch of its own, which Tagstream force-updates (c.yaml:15)"),
                Arguments.of("pull request and refspec", withPush("branch: auto\nrefspec: HEAD:refs/heads/x\npullRequest: {provider: github}"),
                        "ImageUpdateAutomation ns/auto: spec.git.push.refspec cannot be combined with pullRequest: the pull request is the proposal, and a refspec would push the same commit somewhere else unreviewed (use one or the other) (c.yaml:16)"),
                Arguments.of("pull request on an unknown forge", withPush("branch: auto\npullRequest: {provider: bitbucket}"),
                        "ImageUpdateAutomation ns/auto: spec.git.push.pullRequest.provider 'bitbucket' is not github, gitlab or gitea (Forgejo speaks Gitea's API: use gitea) (c.yaml:16)"),
                Arguments.of("draft pull request auto-merged", withPush("branch: auto\npullRequest: {provider: gitlab, draft: true, autoMerge: true}"),
                        "ImageUpdateAutomation ns/auto: spec.git.push.pullRequest.autoMerge a draft pull request is never merged; set draft or autoMerge, not both (c.yaml:16)"),
                Arguments.of("pull request title template", withPush("branch: auto\npullRequest:\n  provider: gitea\n  title: '{{ .Updated }}'"),
                        "ImageUpdateAutomation ns/auto: spec.git.push.pullRequest.title uses .Updated, which Flux removed from the template data: use .Changed (.Changed.Changes, .Changed.Objects, .Changed.FileChanges) (c.yaml:18)"),
                Arguments.of("duplicate", REPO + REPO, "ImageRepository ns/app is defined twice; first at c.yaml:1 (c.yaml:8)"));
    }

    @Test
    void pullRequestSettingsAreReadWithTheirDefaults() {
        ConfigLoad r = LOADER.parse(Map.of("c.yaml", withPush("""
                branch: tagstream/dev
                pullRequest:
                  provider: forgejo
                  labels: [images]
                  autoMerge: true
                  mergeMethod: rebase
                  body: '{{ range .Changed.Changes }}{{ .NewValue }} {{ end }}'
                """).replace("https://github.com/acme/fleet", "https://code.example/acme/fleet.git")));
        assertEquals(List.of(), r.warnings());
        PullRequest pr = r.config().automations().get(0).pullRequest().orElseThrow();
        assertEquals(PullRequest.Provider.GITEA, pr.provider());
        assertEquals(Optional.of("https://code.example/api/v1"), pr.api("https://code.example/acme/fleet.git"));
        assertEquals(Optional.of("acme/fleet"), pr.project("https://code.example/acme/fleet.git"));
        assertEquals(PullRequest.MergeMethod.REBASE, pr.mergeMethod());
        assertTrue(pr.autoMerge());
        assertEquals(List.of("images"), pr.labels());
        assertEquals(Optional.of("https://api.github.com"), PullRequest.defaultApiUrl(PullRequest.Provider.GITHUB,
                "https://github.com/acme/fleet"));
        assertEquals(Optional.of("https://ghe.example/api/v3"), PullRequest.defaultApiUrl(PullRequest.Provider.GITHUB,
                "https://bot@ghe.example/acme/fleet"));
        assertEquals(Optional.of("group/sub/fleet"), PullRequest.repositoryOf(PullRequest.Provider.GITLAB,
                "ssh://git@gitlab.example/group/sub/fleet.git"));
        assertEquals(Optional.empty(), PullRequest.defaultApiUrl(PullRequest.Provider.GITLAB, "ssh://git@gitlab.example/g/f.git"));

        ConfigException e = assertThrows(ConfigException.class, () -> LOADER.parse(Map.of("c.yaml", withPush(
                "branch: auto\npullRequest: {provider: gitlab}").replace("https://github.com/acme/fleet", "ssh://git@gitlab.example/g/fleet.git"))));
        assertTrue(e.getMessage().contains("git.push.pullRequest.apiURL is required: GitRepository ns/fleet URL"
                + " 'ssh://git@gitlab.example/g/fleet.git' is not http(s)"), e.getMessage());
    }

    @Test
    void theCloudRegistriesExampleLoadsWithoutAWarning() {
        ConfigLoad r = LOADER.load(Path.of("../docs/examples/cloud-registries"));
        assertEquals(List.of(), r.warnings());
        assertEquals(List.of("aws", "gcp"), r.config().imageRepositories().stream().map(ImageRepository::provider).sorted().toList());
        assertEquals("azure", r.config().registryFor("acmeprod.azurecr.io").orElseThrow().provider());
    }

    @Test
    void cloudProvidersAreReadWithNotesWhereTheyMightSurprise() {
        ConfigLoad r = LOADER.parse(Map.of("c.yaml", """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: ecr, namespace: ns}
                spec:
                  image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app
                  interval: 1m
                  provider: aws
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: alias, namespace: ns}
                spec:
                  image: registry.internal.example/app
                  interval: 1m
                  provider: gcp
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: both, namespace: ns}
                spec:
                  image: prod.azurecr.io/app
                  interval: 1m
                  provider: azure
                  secretRef: {name: acr-pull}
                """));
        assertEquals("aws", r.config().byId(ImageRepository.class)
                .get(new ResourceId("ns", "ecr")).provider());
        assertEquals(List.of(
                "ImageRepository ns/alias: spec.provider 'gcp': registry host registry.internal.example is not one gcp serves"
                        + " (gcr.io, <region>.gcr.io or <region>-docker.pkg.dev); its token is asked for anyway (c.yaml:15)",
                "ImageRepository ns/both: spec.provider is not acted on: spec.secretRef is set, so its credentials are used and"
                        + " the azure identity is not (as Flux does) (c.yaml:23)"), r.warnings());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void mistakesAreReportedWithFileAndLine(String what, String yaml, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> LOADER.parse(Map.of("c.yaml", yaml)));
        assertEquals(expected, e.errors().get(0).toString(), e.getMessage());
    }

    @Test
    void fieldsReadLastStillKnowTheirLine() {
        String yaml = """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: a}
                spec:
                  image: r.example/a
                  interval: 1m
                  secretRef:
                    name: creds
                  suspend: true
                """;
        ImageRepository r = LOADER.parse(Map.of("c.yaml", yaml)).config().imageRepositories().get(0);
        assertEquals("ImageRepository default/a: secretRef names a missing secret (c.yaml:7)",
                r.error("secretRef", "names a missing secret").toString());
        assertEquals("c.yaml:9", r.origin().at("spec.suspend"));
    }

    @Test
    void everyErrorIsReportedNotOnlyTheFirst() {
        String yaml = """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: a}
                spec:
                  interval: soon
                  insecure: maybe
                """;
        ConfigException e = assertThrows(ConfigException.class, () -> LOADER.parse(Map.of("c.yaml", yaml)));
        assertEquals(3, e.errors().size(), e.getMessage());
        assertTrue(e.getMessage().contains("spec.image is required"), e.getMessage());
        assertTrue(e.getMessage().contains("spec.insecure must be true or false, not 'maybe' (c.yaml:6)"), e.getMessage());
    }

    @Test
    void serviceChecksPointAtTheFieldLine() {
        // a service's own check, run after the loader's: this one refuses a range that is valid semver
        ConfigCheck rangeCheck = c -> c.imagePolicies().stream()
                .filter(p -> p.policy() instanceof Semver s && s.range().contains("9.0"))
                .map(p -> p.error("policy.semver.range", "'" + ((Semver) p.policy()).range() + "' is not a valid range"))
                .toList();
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ConfigLoader(List.of(rangeCheck)).parse(Map.of("policies.yaml", policyWithRange(">=9.0.0"))));
        assertEquals("ImagePolicy ns/ct-fac-portal: policy.semver.range '>=9.0.0' is not a valid range (policies.yaml:18)",
                e.errors().get(0).toString());
    }

    @Test
    void everyLoaderRefusesARangeOrPatternSelectionCannotRun() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ConfigLoader().parse(Map.of("policies.yaml", policyWithRange(">=9x"))));
        assertEquals(List.of("ImagePolicy ns/ct-fac-portal: policy.semver.range '>=9x' is not a valid semver range ('9x' is "
                + "not a version) (policies.yaml:18)"), e.errors().stream().map(Object::toString).toList());
        ConfigException p = assertThrows(ConfigException.class, () -> new ConfigLoader().parse(Map.of("policies.yaml",
                policyWithRange(">=1.0.0") + "  filterTags: {pattern: '^(unclosed'}\n")));
        assertEquals(List.of("ImagePolicy ns/ct-fac-portal: spec.filterTags.pattern '^(unclosed' is not a valid regular "
                + "expression: missing closing ) (policies.yaml:19)"), p.errors().stream().map(Object::toString).toList());
    }

    private static String policyWithRange(String range) {
        return REPO + """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata:
                  name: ct-fac-portal
                  namespace: ns
                spec:
                  imageRepositoryRef:
                    name: app
                  policy:
                    semver:
                      range: '%s'
                """.formatted(range);
    }

    @Test
    void otherToolsDocumentsAreSkippedAndUnknownFieldsWarned() {
        String yaml = """
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: apps}
                spec: {path: ./apps}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: app}
                spec:
                  image: r.example/app
                  intervall: 1m
                """;
        ConfigLoad load = LOADER.parse(Map.of("c.yaml", yaml));
        assertEquals(1, load.config().resources().size());
        assertEquals(List.of("ImageRepository default/app: unknown field spec.intervall is ignored (c.yaml:11)"), load.warnings());
    }

    /** Flux fields Tagstream does not act on are said, each with its reason, never dropped in silence. */
    @Test
    void fluxFieldsReadPastAreWarnedAboutWithTheReason() {
        String yaml = """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: app, namespace: ns}
                spec:
                  image: r.example/app
                  interval: 1m
                  serviceAccountName: puller
                  provider: generic
                ---
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: fleet, namespace: ns}
                spec:
                  url: https://github.com/org/fleet
                  interval: 1m
                  ref: {branch: main}
                  provider: github
                  recurseSubmodules: true
                """;
        ConfigLoad load = LOADER.parse(Map.of("c.yaml", yaml));
        assertEquals(2, load.config().resources().size());
        assertEquals(List.of(
                "ImageRepository ns/app: spec.serviceAccountName is not acted on: Tagstream does not use Kubernetes service"
                        + " accounts; give registry credentials with spec.secretRef or a Registry resource (c.yaml:7)",
                "GitRepository ns/fleet: spec.recurseSubmodules is not acted on: submodules are not fetched (c.yaml:18)",
                "GitRepository ns/fleet: spec.provider is not acted on: 'github' authentication is not used; git-writer"
                        + " authenticates with spec.secretRef (c.yaml:17)"), load.warnings());
    }

    static String automationWith(String annotations, String commit) {
        return """
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: fleet, namespace: ns}
                spec: {url: "https://example.com/fleet.git", interval: 1m, ref: {branch: main}}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageUpdateAutomation
                metadata:
                  name: auto
                  namespace: ns
                %s
                spec:
                  interval: 5m
                  sourceRef: {kind: GitRepository, name: fleet}
                  git:
                    commit:
                      author: {email: flux@example.com}
                %s
                """.formatted(annotations.indent(2).stripTrailing(), commit.indent(6).stripTrailing());
    }

    /** A Go template is parsed at load: what Flux would stall on is a config error at the template's own line. */
    @Test
    void messageTemplatesAreCheckedAsFluxRunsThem() {
        ConfigException e = assertThrows(ConfigException.class, () -> LOADER.parse(Map.of("a.yaml", automationWith("",
                "messageTemplate: |\n  Update\n  {{ range .Changed.Changes }}{{ .NewValue | frob }}{{ end }}\n"))));
        assertEquals(List.of("ImageUpdateAutomation ns/auto: spec.git.commit.messageTemplate (Go text/template, line 2"
                + " of the template): function \"frob\" not defined (a.yaml:20)"), e.errors().stream().map(Object::toString).toList());
        e = assertThrows(ConfigException.class, () -> LOADER.parse(Map.of("a.yaml", automationWith("",
                "messageTemplate: '{{ range .Updated.Images }}{{ . }}{{ end }}'"))));
        assertTrue(e.getMessage().contains("ImageUpdateAutomation ns/auto: spec.git.commit.messageTemplate uses"
                + " .Updated, which Flux removed"), e.getMessage());
        assertTrue(e.getMessage().contains("(a.yaml:18)"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> LOADER.parse(Map.of("a.yaml", automationWith("",
                "messageTemplate: '{{ now }}'"))));
        assertTrue(e.getMessage().contains("function \"now\" is not supported: it depends on the clock"), e.getMessage());
    }

    @Test
    void quteIsAnExtensionAskedForByAnnotation() {
        String qute = "messageTemplate: 'update {#for c in changes}{c.new}{/for}'";
        ConfigLoad plain = LOADER.parse(Map.of("a.yaml", automationWith("", qute)));
        assertEquals(ImageUpdateAutomation.TemplateEngine.GO, plain.config().automations().get(0).templateEngine());
        assertEquals(1, plain.warnings().size());
        assertTrue(plain.warnings().get(0).contains("looks like a Qute template but is rendered as Go's text/template"),
                plain.warnings().toString());
        ConfigLoad asked = LOADER.parse(Map.of("a.yaml", automationWith("annotations: {tagstream.io/message-template: qute}", qute)));
        assertEquals(ImageUpdateAutomation.TemplateEngine.QUTE, asked.config().automations().get(0).templateEngine());
        assertEquals(List.of(), asked.warnings());
        ConfigException e = assertThrows(ConfigException.class, () -> LOADER.parse(Map.of("a.yaml",
                automationWith("annotations: {tagstream.io/message-template: jinja}", qute))));
        assertTrue(e.getMessage().contains("tagstream.io/message-template 'jinja' is not go or qute"), e.getMessage());
    }

    /**
     * A flux-system folder as Flux users have it: a Kustomization, Flux's own GitRepository Receiver, a HelmRelease,
     * an Alert, an older v1beta2 policy, a policy whose repository is elsewhere and a promotion of it. Nothing is fatal:
     * what Tagstream skips is said once, what it cannot run is not ready with the reason, the rest applies.
     */
    @Test
    void aFluxSystemFolderLoadsWithWhatIsSkippedAndWhatIsNotReadySaid() {
        String yaml = """
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: apps, namespace: flux-system}
                spec: {interval: 10m, path: ./apps, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1
                kind: Receiver
                metadata: {name: github-receiver, namespace: flux-system}
                spec:
                  type: github
                  events: ["ping", "push"]
                  secretRef: {name: webhook-token}
                  resources:
                    - {apiVersion: source.toolkit.fluxcd.io/v1, kind: GitRepository, name: flux-system}
                ---
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata: {name: podinfo, namespace: flux-system}
                spec: {interval: 5m}
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Alert
                metadata: {name: slack, namespace: flux-system}
                spec: {providerRef: {name: slack}, eventSources: [{kind: ImagePolicy, name: '*'}]}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1beta2
                kind: ImagePolicy
                metadata: {name: p, namespace: flux-system}
                spec:
                  imageRepositoryRef: {name: elsewhere}
                  policy: {semver: {range: ">=1.0.0"}}
                ---
                apiVersion: tagstream.io/v1alpha1
                kind: ImagePromotion
                metadata: {name: p-prod, namespace: flux-system}
                spec:
                  sourcePolicyRef: {name: p}
                  target: {image: prod.example/app}
                """;
        ConfigLoad load = LOADER.parse(Map.of("c.yaml", yaml, "repo.yaml", REPO));
        assertEquals(List.of("ImageRepository"), load.config().resources().stream().map(Resource::kind).toList());
        assertEquals(List.of(
                "Kustomization flux-system/apps: kustomize.toolkit.fluxcd.io/v1 is for another Flux controller; Tagstream does"
                        + " not use it (c.yaml:1)",
                "Receiver flux-system/github-receiver: names GitRepository flux-system, webhooks for Flux's other"
                        + " controllers; Tagstream handles only ImageRepository webhooks (c.yaml:9)",
                "HelmRelease flux-system/podinfo: helm.toolkit.fluxcd.io/v2 is for another Flux controller; Tagstream does not"
                        + " use it (c.yaml:16)"), load.skipped());
        assertEquals(List.of(
                "Alert flux-system/slack: providerRef names Provider flux-system/slack, which is not in the configuration:"
                        + " Alert flux-system/slack is not ready and does nothing until it is added (c.yaml:24)",
                "ImagePolicy flux-system/p: imageRepositoryRef names ImageRepository flux-system/elsewhere, which is not in"
                        + " the configuration: ImagePolicy flux-system/p is not ready and does nothing until it is added (c.yaml:30)",
                "ImagePromotion flux-system/p-prod: sourcePolicyRef names ImagePolicy flux-system/p, which is not in the"
                        + " configuration: ImagePromotion flux-system/p-prod is not ready and does nothing until it is added (c.yaml:37)"),
                load.notReady().stream().map(Object::toString).toList());
        assertTrue(load.warnings().containsAll(load.notReady().stream().map(Object::toString).toList()));
        assertEquals(new ResourceId("flux-system", "p"), load.notReady().get(1).id());
        assertEquals("ImagePolicy", load.notReady().get(1).kind());
        assertTrue(load.warnings().contains("ImagePolicy flux-system/p: apiVersion image.toolkit.fluxcd.io/v1beta2 is"
                + " deprecated: Flux 1.2 serves only image.toolkit.fluxcd.io/v1; change it to v1 (c.yaml:26)"), load.warnings().toString());
    }

    @Test
    void aResourceWithAMissingReferenceStillHasItsOwnMistakesSaid() {
        ConfigException e = assertThrows(ConfigException.class, () -> LOADER.parse(Map.of("c.yaml", """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: p, namespace: ns}
                spec:
                  imageRepositoryRef: {name: not-here}
                  policy: {semver: {range: '>=1.x.x.x'}}
                """)));
        assertTrue(e.getMessage().contains("(c.yaml:6)"), e.getMessage());
        assertTrue(e.warnings().stream().anyMatch(w -> w.contains("names ImageRepository ns/not-here")), e.warnings().toString());
    }

    @Test
    void aReceiverKeepsItsImageRepositoriesAndSaysWhatItLeftOut() {
        String yaml = REPO + """
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1
                kind: Receiver
                metadata: {name: hooks, namespace: ns}
                spec:
                  type: generic
                  secretRef: {name: token}
                  resources:
                    - {kind: ImageRepository, name: app}
                    - {kind: ImageRepository, name: gone}
                    - {kind: GitRepository, name: fleet}
                """;
        ConfigLoad load = LOADER.parse(Map.of("c.yaml", yaml));
        Receiver r = load.config().receivers().get(0);
        assertEquals(List.of("app"), r.resources().stream().map(Receiver.Target::name).toList());
        assertEquals(1, load.skipped().size());
        assertTrue(load.skipped().get(0).contains("also names GitRepository fleet"), load.skipped().toString());
        assertEquals(1, load.notReady().size());
        assertTrue(load.notReady().get(0).toString().contains("names ImageRepository ns/gone, which is not in the configuration: a"
                + " webhook for it triggers nothing"), load.notReady().toString());
    }

    @Test
    void theReloadAuditCarriesTheWarnings(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), REPO.replace("spec:\n", "spec:\n  serviceAccountName: puller\n"));
        ConfigReloader r = new ConfigReloader(dir, LOADER);
        ConfigReloader.Outcome applied = r.check();
        String reason = r.audit(applied, new io.tagstream.common.events.Audit("test")).orElseThrow().data().reason();
        assertTrue(reason.contains("1 warning(s): ImageRepository ns/app: spec.serviceAccountName is not acted on"), reason);
    }

    @Test
    void reloaderKeepsLastGoodConfig(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), REPO);
        ConfigReloader r = new ConfigReloader(dir, LOADER);
        assertTrue(r.check() instanceof ConfigReloader.Applied);
        assertTrue(r.check() instanceof ConfigReloader.Unchanged);
        Files.writeString(dir.resolve("b.yaml"), "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata: {name: x}\n");
        var refused = r.check();
        assertTrue(refused instanceof ConfigReloader.Refused, refused.toString());
        assertEquals(1, r.config().imageRepositories().size());
        assertEquals(1, r.status().pendingErrors().size());
        assertTrue(r.check() instanceof ConfigReloader.Unchanged, "a refused directory is not re-parsed until it changes");
        Files.delete(dir.resolve("b.yaml"));
        assertTrue(r.check() instanceof ConfigReloader.Applied);
        assertTrue(r.status().pendingErrors().isEmpty());
    }

    static String repository(int i) {
        return "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata: {name: r" + i
                + ", namespace: ns}\nspec: {image: registry.example/team/app" + i + ", interval: 5m}\n---\n";
    }

    /** A file too large for a ConfigMap, or with thousands of documents, is refused quickly and named, never read for minutes. */
    @Test
    void oversizedConfigurationsAreRefusedByNameWithoutAbsolutePathsOrLineZero(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("ok.yaml"), repository(0));
        StringBuilder big = new StringBuilder();
        for (int i = 0; big.length() <= ConfigLoader.MAX_FILE_BYTES; i++) {
            big.append(repository(i));
        }
        Files.writeString(dir.resolve("big.yaml"), big);
        long started = System.nanoTime();
        ConfigException e = assertThrows(ConfigException.class, () -> LOADER.load(dir));
        assertEquals(List.of("the file is " + Files.size(dir.resolve("big.yaml")) + " bytes; at most 1048576 (1 MiB, what a "
                + "Kubernetes ConfigMap holds): split it (big.yaml)"), e.errors().stream().map(ConfigError::toString).toList());
        assertTrue(System.nanoTime() - started < 2_000_000_000L, "refused without parsing it");
        assertTrue(!e.getMessage().contains(dir.toString()), "no absolute path: " + e.getMessage());

        Files.delete(dir.resolve("big.yaml"));
        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= ConfigLoader.MAX_DOCUMENTS_PER_FILE; i++) {
            many.append("---\nk: v\n");
        }
        Files.writeString(dir.resolve("many.yaml"), many);
        ConfigException m = assertThrows(ConfigException.class, () -> LOADER.load(dir));
        assertTrue(m.getMessage().contains("more than 2000 documents in one file; the rest is not read: split it (many.yaml:"), m.getMessage());

        ConfigException missing = assertThrows(ConfigException.class, () -> LOADER.load(dir.resolve("nope")));
        assertEquals("configuration directory does not exist (tagstream.config.dir / TAGSTREAM_CONFIG_DIR) (nope)",
                missing.errors().get(0).toString());
    }

    /** The largest configuration a file may hold (1 MiB, ~8,000 resources) loads in well under the reload interval. */
    @Test
    void aFullConfigMapLoadsInSeconds(@TempDir Path dir) throws Exception {
        StringBuilder full = new StringBuilder();
        int n = 0;
        while (full.length() + repository(n).length() < ConfigLoader.MAX_FILE_BYTES && n < ConfigLoader.MAX_DOCUMENTS_PER_FILE) {
            full.append(repository(n++));
        }
        Files.writeString(dir.resolve("full.yaml"), full);
        long started = System.nanoTime();
        ConfigReloader r = new ConfigReloader(dir, LOADER);
        assertEquals(ConfigReloader.Status.STARTING.details().get("state"), "starting");
        ConfigReloader.Outcome out = r.check();
        assertTrue(out instanceof ConfigReloader.Applied, out.toString().substring(0, Math.min(500, out.toString().length())));
        long ms = (System.nanoTime() - started) / 1_000_000;
        assertEquals(n, r.status().resources());
        assertTrue(r.status().loading().isEmpty(), "nothing loading once checked");
        System.out.println("a " + full.length() + "-byte file of " + n + " documents loaded in " + ms + " ms");
    }

    @Test
    void configMapSymlinkLayoutIsReadOnce(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("..2026_11_23_10_00_00.123"));
        Files.writeString(data.resolve("repos.yaml"), REPO);
        Files.createSymbolicLink(dir.resolve("..data"), data.getFileName());
        Files.createSymbolicLink(dir.resolve("repos.yaml"), Path.of("..data/repos.yaml"));
        ConfigLoad load = LOADER.load(dir);
        assertEquals(1, load.config().imageRepositories().size());
        assertEquals("repos.yaml", load.config().imageRepositories().get(0).origin().file());
    }

    @Test
    void secretsFromFilesAndEnvironment(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("flux-system/webhook-token"));
        Files.writeString(dir.resolve("flux-system/webhook-token/token"), "from-file\n");
        Secrets s = new Secrets(Optional.of(dir), Map.of(
                "TAGSTREAM_SECRET_FLUX_SYSTEM_WEBHOOK_TOKEN_TOKEN", "from-env",
                "TAGSTREAM_SECRET_FLUX_SYSTEM_ACR_CREDS_PASSWORD", "pw"));
        assertEquals("from-file", s.get("flux-system", "webhook-token", "token").orElseThrow().reveal());
        assertEquals("pw", s.get("flux-system", "acr-creds", "password").orElseThrow().reveal());
        assertEquals("Secret(***)", s.get("flux-system", "acr-creds", "password").orElseThrow().toString());
        assertEquals(Optional.empty(), s.get("flux-system", "nope", "token").map(Secret::reveal));
    }

    static Stream<Arguments> durations() {
        return Stream.of(Arguments.of("1m", Duration.ofMinutes(1)), Arguments.of("1h30m", Duration.ofMinutes(90)),
                Arguments.of("500ms", Duration.ofMillis(500)), Arguments.of("72h", Duration.ofHours(72)),
                Arguments.of("1.5s", Duration.ofMillis(1500)), Arguments.of("0", Duration.ZERO));
    }

    @ParameterizedTest
    @MethodSource("durations")
    void goDurations(String text, Duration expected) {
        assertEquals(Optional.of(expected), GoDuration.parse(text));
    }

    @Test
    void goDurationRejectsOtherSpellings() {
        for (String bad : List.of("", "1", "m", "1 m", "1min", "-1m", "1m garbage")) {
            assertEquals(Optional.empty(), GoDuration.parse(bad), bad);
        }
    }

    @Test
    void goNamedGroupsTranslate() {
        var m = GoRegex.compile("^blog-(?P<value>[0-9]+)-.*$").matcher("blog-45-a1b2c3d");
        assertTrue(m.matches());
        assertEquals("45", m.group("value"));
        assertEquals("a\\(?P<x>", GoRegex.translate("a\\(?P<x>"), "escaped parenthesis is not a group");
    }
}
