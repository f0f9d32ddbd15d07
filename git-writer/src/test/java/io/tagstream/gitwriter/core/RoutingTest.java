package io.tagstream.gitwriter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tagstream.common.config.ConfigLoader;
import io.tagstream.common.config.ResourceId;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.events.PromotionApproved;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingTest {

    static final String D = "sha256:" + "a".repeat(64);

    /** Two repositories; automations differing by namespace, selector, suspension, branch and push branch. */
    static final TagstreamConfig CFG = new ConfigLoader().parse(Map.of("c.yaml", """
            apiVersion: image.toolkit.fluxcd.io/v1
            kind: ImageRepository
            metadata: {name: portal, namespace: flux-system}
            spec: {image: qe.example/portal}
            ---
            apiVersion: image.toolkit.fluxcd.io/v1
            kind: ImagePolicy
            metadata: {name: portal, namespace: flux-system, labels: {env: prod}}
            spec: {imageRepositoryRef: {name: portal}, digestReflectionPolicy: IfNotPresent, policy: {semver: {range: '>=900.0.0'}}}
            ---
            apiVersion: image.toolkit.fluxcd.io/v1
            kind: ImagePolicy
            metadata: {name: plain, namespace: flux-system}
            spec: {imageRepositoryRef: {name: portal}, policy: {semver: {range: '>=1'}}}
            ---
            apiVersion: tagstream.io/v1alpha1
            kind: ImagePromotion
            metadata: {name: prod, namespace: flux-system}
            spec: {sourcePolicyRef: {name: portal}, target: {image: prod.example/portal}, approval: {mode: auto}}
            ---
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: GitRepository
            metadata: {name: fleet, namespace: flux-system}
            spec: {url: 'https://bot:secret@git.example/fleet', ref: {branch: master}}
            ---
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: GitRepository
            metadata: {name: other, namespace: flux-system}
            spec: {url: 'https://git.example/other', ref: {branch: main}}
            ---
            apiVersion: image.toolkit.fluxcd.io/v1
            kind: ImageUpdateAutomation
            metadata: {name: all, namespace: flux-system}
            spec:
              sourceRef: {kind: GitRepository, name: fleet}
              git: {commit: {author: {name: bot, email: bot@example.test}}}
              update: {path: ./apps, strategy: Setters}
            ---
            apiVersion: image.toolkit.fluxcd.io/v1
            kind: ImageUpdateAutomation
            metadata: {name: prod-only, namespace: flux-system}
            spec:
              sourceRef: {kind: GitRepository, name: fleet}
              policySelector: {matchLabels: {env: prod}}
              git:
                checkout: {ref: {branch: release}}
                commit: {author: {name: bot, email: bot@example.test}}
                push: {branch: tagstream/prod}
              update: {path: ./prod, strategy: Setters}
            ---
            apiVersion: image.toolkit.fluxcd.io/v1
            kind: ImageUpdateAutomation
            metadata: {name: paused, namespace: flux-system}
            spec:
              sourceRef: {kind: GitRepository, name: other}
              suspend: true
              git: {commit: {author: {name: bot, email: bot@example.test}}}
              update: {path: ./, strategy: Setters}
            ---
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: GitRepository
            metadata: {name: other, namespace: team-b}
            spec: {url: 'https://git.example/other', ref: {branch: main}}
            ---
            apiVersion: image.toolkit.fluxcd.io/v1
            kind: ImageUpdateAutomation
            metadata: {name: elsewhere, namespace: team-b}
            spec:
              sourceRef: {kind: GitRepository, name: other}
              git: {commit: {author: {name: bot, email: bot@example.test}}}
              update: {path: ./, strategy: Setters}
            """)).config();

    record Row(String name, String policy, List<String> automations, List<String> branches) {}

    @Test
    void anApprovalGoesToTheAutomationsSelectingItsPolicyInItsNamespace() {
        List<Row> rows = List.of(
                new Row("labelled policy: the automation selecting all and the one selecting its label", "flux-system/portal",
                        List.of("flux-system/all", "flux-system/prod-only"),
                        List.of("https://git.example/fleet#master", "https://git.example/fleet#tagstream/prod")),
                new Row("unlabelled policy: not the automation selecting a label; suspended and other namespaces never",
                        "flux-system/plain", List.of("flux-system/all"), List.of("https://git.example/fleet#master")),
                new Row("a policy no longer configured matches only selectors that select everything", "flux-system/gone",
                        List.of("flux-system/all"), List.of("https://git.example/fleet#master")));
        for (Row r : rows) {
            ResourceId policy = ResourceId.parse(r.policy());
            assertEquals(r.automations(), Routing.targets(policy, CFG).stream().map(t -> t.automation().id().toString()).toList(),
                    r.name());
            assertEquals(r.branches(), Routing.branches(policy, CFG), r.name());
        }
    }

    @Test
    void branchesScopesAndCheckoutFollowFluxFallbacks() {
        var targets = Routing.targets(ResourceId.parse("flux-system/portal"), CFG);
        var all = targets.get(0);
        assertEquals("master", all.checkoutBranch(), "no checkout ref: the GitRepository's branch");
        assertEquals("master", all.pushBranch(), "no push branch: the checkout branch");
        var prod = targets.get(1);
        assertEquals("release", prod.checkoutBranch());
        assertEquals("tagstream/prod", prod.pushBranch());
        assertEquals(Ledger.scope("flux-system/prod-only", "https://git.example/fleet", "tagstream/prod", "./prod"), prod.scope(),
                "credentials never reach a scope");
        assertEquals(List.of(prod), Routing.targets(ResourceId.parse("flux-system/portal"), "https://git.example/fleet#tagstream/prod", CFG));
        assertEquals(List.of("flux-system/all", "flux-system/paused", "flux-system/prod-only", "team-b/elsewhere"),
                List.copyOf(Routing.scopes(CFG).keySet()));
    }

    record Values(String name, PromotionApproved approval, Map<String, ImageValues> expected) {}

    static PromotionApproved approved(String promotion, String policy, String source, String target) {
        return new PromotionApproved(promotion, policy, io.tagstream.common.events.ImageRef.parse(source),
                io.tagstream.common.events.ImageRef.parse(target), "auto", Instant.EPOCH, !source.equals(target));
    }

    @Test
    void aPolicysApprovalSetsItsMarkersAPromotionsSetsOnlyThePromotions() {
        List<Values> rows = List.of(
                new Values("the policy's own approval: its marker, the source ref, pinned as the policy reflects digests",
                        approved("flux-system/portal", "flux-system/portal", "qe.example/portal:924@" + D, "qe.example/portal:924@" + D),
                        Map.of("flux-system:portal", new ImageValues("qe.example/portal", "924", D, true))),
                new Values("a promotion's approval: the promotion's marker and the target ref",
                        approved("flux-system/prod", "flux-system/portal", "qe.example/portal:924@" + D, "prod.example/portal:924@" + D),
                        Map.of("flux-system:prod", new ImageValues("prod.example/portal", "924", D, true))),
                new Values("a policy that does not reflect digests never pins",
                        approved("flux-system/plain", "flux-system/plain", "qe.example/portal:1.0.0@" + D, "qe.example/portal:1.0.0@" + D),
                        Map.of("flux-system:plain", new ImageValues("qe.example/portal", "1.0.0", D, false))),
                new Values("a promotion removed since the approval: written, never pinned",
                        approved("flux-system/gone", "flux-system/portal", "qe.example/portal:924@" + D, "prod.example/portal:924@" + D),
                        Map.of("flux-system:gone", new ImageValues("prod.example/portal", "924", D, false))));
        for (Values r : rows) {
            assertEquals(r.expected(), Routing.values(r.approval(), CFG), r.name());
        }
    }

    @Test
    void aCarriedRefIsWrittenAsAnApprovalOfWhatItsMarkerNames() {
        String ref = "prod.example/portal:924@" + D;
        var policy = Routing.carried(new Ledger.Carry("flux-system/all", "flux-system:portal", ref), CFG, Instant.EPOCH).orElseThrow();
        assertEquals(Map.of("flux-system:portal", new ImageValues("prod.example/portal", "924", D, true)), Routing.values(policy, CFG));
        var promotion = Routing.carried(new Ledger.Carry("flux-system/all", "flux-system:prod", ref), CFG, Instant.EPOCH).orElseThrow();
        assertEquals("flux-system/portal", promotion.policy(), "a promotion's marker, with its source policy");
        assertEquals(Map.of("flux-system:prod", new ImageValues("prod.example/portal", "924", D, true)), Routing.values(promotion, CFG));
        assertEquals(Routing.CARRIED, promotion.approvedBy());
        assertEquals(java.util.Optional.empty(), Routing.carried(new Ledger.Carry("flux-system/all", "flux-system:gone", ref), CFG,
                Instant.EPOCH), "a marker naming nothing configured is not carried");
    }
}
