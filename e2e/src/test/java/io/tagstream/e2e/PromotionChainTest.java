package io.tagstream.e2e;

import io.tagstream.launcher.Chain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.common.access.Role;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CommitPushed;
import io.tagstream.common.events.Topic;
import io.tagstream.testkit.GitServer;
import io.tagstream.testkit.IdentityProvider;
import io.tagstream.testkit.KafkaBroker;
import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.Ports;
import io.tagstream.testkit.TestImages;
import io.tagstream.testkit.WorkDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Promotion through the whole chain, as processes, over three docker-registry instances and a git daemon:
 * <ul>
 *   <li>MECIPOL: QE registry → manual approval over REST → digest-preserving copy into the prod registry → the prod
 *   policy (semver {@code >=900.0.0}, coerce) → commit {@code 922 → 924} on feat/pemclau-master as flux-bot, every step
 *   audited under one correlation id (read with kcat);</li>
 *   <li>environment promotion: staging follows semver by itself, prod waits for approval and gets staging's digest;</li>
 *   <li>rollback: a person reverts the image commit and Tagstream leaves it until a newer tag arrives;</li>
 *   <li>two promoter pods: either takes decisions, both show the same promotions, and when the one leading is
 *   killed the other takes over, opening, approving and copying;</li>
 *   <li>a promotion's target edited in the running configuration: its latest image is copied into the new target and
 *   the marker follows, with no push and no approval.</li>
 * </ul>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PromotionChainTest {

    static final String FLEET = "openclaw-fleet";
    static final String BRANCH = "feat/pemclau-master";
    static final String PORTAL_FILE = "fleet-sync/ctc-flux/eose-entry/pemos-portal.yaml";
    static final String TOKEN = "qe-hook-token";

    static LocalRegistry qe;
    static LocalRegistry prod;
    static LocalRegistry staging;
    static GitServer git;
    static Chain chain;
    static TestImages.Pushed qe922;

    @BeforeAll
    static void start() throws Exception {
        int pollerPort = Ports.free();
        String hooks = "http://127.0.0.1:" + pollerPort + "/api/v1/webhooks/distribution/";
        qe = LocalRegistry.builder().notify(hooks + "flux-system/qe-registry", Map.of("Authorization", "Bearer " + TOKEN)).start();
        staging = LocalRegistry.builder().notify(hooks + "shop/staging-registry", Map.of("Authorization", "Bearer " + TOKEN)).start();
        prod = LocalRegistry.start();

        qe922 = TestImages.push(qe, "pemos-portal", "922");
        prod.skopeo("copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--preserve-digests",
                "docker://" + qe922.reference(), "docker://" + prod.host() + "/eose-fleet/pemos-portal:922");
        TestImages.Pushed shop100 = TestImages.push(staging, "shop/app", "1.0.0");

        git = GitServer.start();
        git.createBare(FLEET, BRANCH);
        git.commit(FLEET, BRANCH, Map.of(
                PORTAL_FILE, E2e.deployment("pemos-portal", prod.host() + "/eose-fleet/pemos-portal:922", "flux-system:ct-fac-portal"),
                "envs/staging/shop.yaml", E2e.deployment("shop", staging.host() + "/shop/app:1.0.0@" + shop100.digest(), "shop:shop-staging"),
                "envs/prod/shop.yaml", E2e.deployment("shop", prod.host() + "/shop/app:1.0.0@" + shop100.digest(), "shop:shop-prod")),
                "seed", "alice");

        Path root = WorkDirs.create("promotion-chain");
        Path config = Files.createDirectories(root.resolve("config"));
        Files.writeString(config.resolve("mecipol.yaml"), """
                apiVersion: tagstream.io/v1alpha1
                kind: Registry
                metadata: {name: qe, namespace: flux-system}
                spec: {host: '%1$s', insecure: true}
                ---
                apiVersion: tagstream.io/v1alpha1
                kind: Registry
                metadata: {name: prod, namespace: flux-system}
                spec: {host: '%2$s', insecure: true}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1beta2
                kind: ImageRepository
                metadata: {name: eoseentry-pemos-portal, namespace: flux-system}
                spec: {image: '%1$s/pemos-portal', interval: 1h}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: ctfacentry-pemos-portal, namespace: flux-system}
                spec: {image: '%2$s/eose-fleet/pemos-portal', interval: 1h}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: eoseentry-pemos-portal, namespace: flux-system}
                spec:
                  imageRepositoryRef: {name: eoseentry-pemos-portal}
                  policy: {semver: {range: '>=900.0.0', coerce: true}}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: ct-fac-portal, namespace: flux-system}
                spec:
                  imageRepositoryRef: {name: ctfacentry-pemos-portal}
                  policy: {semver: {range: '>=900.0.0', coerce: true}}
                ---
                apiVersion: tagstream.io/v1alpha1
                kind: ImagePromotion
                metadata: {name: pemos-portal-prod, namespace: flux-system}
                spec:
                  sourcePolicyRef: {name: eoseentry-pemos-portal}
                  target: {image: '%2$s/eose-fleet/pemos-portal', tags: ['{{tag}}']}
                  approval: {mode: manual, deadline: 72h}
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1
                kind: Receiver
                metadata: {name: qe-registry, namespace: flux-system}
                spec:
                  type: distribution
                  secretRef: {name: webhook-token}
                  resources: [{kind: ImageRepository, name: eoseentry-pemos-portal}]
                ---
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: eose-fleet, namespace: flux-system}
                spec: {url: '%3$s', ref: {branch: %4$s}}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageUpdateAutomation
                metadata: {name: eose-entry-auto, namespace: flux-system}
                spec:
                  sourceRef: {kind: GitRepository, name: eose-fleet}
                  git:
                    checkout: {ref: {branch: %4$s}}
                    commit:
                      author: {name: flux-bot, email: flux@pemos.io}
                      messageTemplate: "chore(flux): auto-update image tags in eose-entry"
                    push: {branch: %4$s}
                  update: {path: ./fleet-sync/ctc-flux/eose-entry, strategy: Setters}
                """.formatted(qe.host(), prod.host(), git.url(FLEET), BRANCH));
        writeShop(config, "shop/app");
        E2e.secret(root.resolve("secrets"), "flux-system", "webhook-token", "token", TOKEN);
        E2e.secret(root.resolve("secrets"), "shop", "webhook-token", "token", TOKEN);
        // access control on, as in production: a JWT identity provider and API tokens; reads left open (an option)
        idp = IdentityProvider.create(root.resolve("idp"));
        tokens = IdentityProvider.apiTokens(root.resolve("secrets"), "tagstream-system", "api-tokens", Map.of(
                "chatops-bot", Set.of(Role.APPROVER), "ops", Set.of(Role.ADMIN), "qe-ci", Set.of(Role.SIGNALER)));
        Map<String, String> auth = new java.util.LinkedHashMap<>();
        idp.properties().forEach((k, v) -> auth.put(k.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_'), v));
        auth.put("TAGSTREAM_AUTH_TOKENS_SECRET", "tagstream-system/api-tokens");
        auth.put("TAGSTREAM_AUTH_READS", "open");
        chain = E2e.start(root, config, E2e.ports(pollerPort), auth);
        chain.startInstance(Chain.service("promoter"), "promoter-2", Ports.free());
        chain.awaitHealthy(Duration.ofSeconds(120));
        // the first scans find 922 in both registries and shop 1.0.0: git already holds them, so no commit
        for (String repo : List.of("flux-system/eoseentry-pemos-portal", "flux-system/ctfacentry-pemos-portal", "shop/shop")) {
            E2e.post(chain.url("registry-poller") + "/api/v1/repositories/" + repo + "/scan", "", bearer(tokens.get("ops")));
        }
        E2e.await("first scans", Duration.ofSeconds(60), () -> StreamSupport.stream(
                E2e.json(E2e.get(chain.url("registry-poller") + "/api/v1/repositories").body()).spliterator(), false)
                .allMatch(r -> r.hasNonNull("lastScan")));
        E2e.await("pending promotions of 922 and shop 1.0.0", Duration.ofSeconds(60), () -> pending().size() == 2);
    }

    static Path config;
    static IdentityProvider idp;
    static Map<String, String> tokens;

    /** What {@code ./tagstream <args>} printed and returned, run with {@code token} against this chain. */
    record Cli(int code, String out, String err) {}

    static Cli cli(String token, String... args) {
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        Map<String, String> env = Map.of("TAGSTREAM_TOKEN", token, "TAGSTREAM_POLLER_URL", chain.url("registry-poller"),
                "TAGSTREAM_EVALUATOR_URL", chain.url("policy-evaluator"), "TAGSTREAM_PROMOTER_URL", chain.url("promoter"),
                "TAGSTREAM_GIT_WRITER_URL", chain.url("git-writer"));
        int code = new io.tagstream.launcher.Ops(env, new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8)).run(List.of(args));
        return new Cli(code, out.toString(java.nio.charset.StandardCharsets.UTF_8), err.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    /** The shop's configuration, promoting into {@code targetPath} of the prod registry. */
    static void writeShop(Path dir, String targetPath) throws java.io.IOException {
        config = dir;
        Path tmp = dir.resolveSibling("shop.yaml.tmp");
        Files.writeString(tmp, """
                apiVersion: tagstream.io/v1alpha1
                kind: Registry
                metadata: {name: staging, namespace: shop}
                spec: {host: '%1$s', insecure: true}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: shop, namespace: shop}
                spec: {image: '%1$s/shop/app', interval: 1h}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: shop-staging, namespace: shop}
                spec:
                  imageRepositoryRef: {name: shop}
                  digestReflectionPolicy: IfNotPresent
                  policy: {semver: {range: '>=1.0.0'}}
                ---
                apiVersion: tagstream.io/v1alpha1
                kind: ImagePromotion
                metadata: {name: shop-prod, namespace: shop}
                spec:
                  sourcePolicyRef: {name: shop-staging}
                  target: {image: '%2$s/%5$s', tags: ['{{tag}}']}
                  approval: {mode: manual}
                ---
                apiVersion: notification.toolkit.fluxcd.io/v1
                kind: Receiver
                metadata: {name: staging-registry, namespace: shop}
                spec:
                  type: distribution
                  secretRef: {name: webhook-token}
                  resources: [{kind: ImageRepository, name: shop}]
                ---
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: fleet, namespace: shop}
                spec: {url: '%3$s', ref: {branch: %4$s}}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageUpdateAutomation
                metadata: {name: shop-envs, namespace: shop}
                spec:
                  sourceRef: {kind: GitRepository, name: fleet}
                  git:
                    checkout: {ref: {branch: %4$s}}
                    commit:
                      author: {name: shop-bot, email: shop@pemos.io}
                      messageTemplate: "chore(shop): promote {{ range .Changed.Changes }}{{ .NewValue }} {{ end }}"
                    push: {branch: %4$s}
                  update: {path: ./envs, strategy: Setters}
                """.formatted(staging.host(), prod.host(), git.url(FLEET), BRANCH, targetPath));
        Files.move(tmp, dir.resolve("shop.yaml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    @AfterAll
    static void stop() {
        E2e.closeAll(chain, qe, prod, staging, git);
    }

    static List<JsonNode> pending() {
        return pending("promoter");
    }

    static List<JsonNode> pending(String pod) {
        JsonNode list = E2e.json(E2e.get(chain.url(pod) + "/api/v1/promotions?state=pending").body());
        return StreamSupport.stream(list.spliterator(), false).toList();
    }

    static JsonNode pendingFor(String promotion, String tag) {
        return pendingFor("promoter", promotion, tag);
    }

    static JsonNode pendingFor(String pod, String promotion, String tag) {
        E2e.await("a pending promotion " + promotion + " of " + tag + " on " + pod, Duration.ofSeconds(60),
                () -> pending(pod).stream().anyMatch(p -> p.get("promotion").asText().equals(promotion) && p.get("tag").asText().equals(tag)));
        return pending(pod).stream().filter(p -> p.get("promotion").asText().equals(promotion) && p.get("tag").asText().equals(tag))
                .findFirst().orElseThrow();
    }

    static String leader() {
        return E2e.leadingPromoter(chain, List.of("promoter", "promoter-2"));
    }

    static String state(String pod, String id) {
        return E2e.json(E2e.get(chain.url(pod) + "/api/v1/promotions/" + id).body()).get("state").asText();
    }

    static String show(String file) {
        return git.inBare(FLEET, "show", BRANCH + ":" + file);
    }

    static int commits() {
        return Integer.parseInt(git.inBare(FLEET, "rev-list", "--count", BRANCH).trim());
    }

    static String digestIn(LocalRegistry r, String repoAndTag) {
        return "sha256:" + TestImages.sha256(r.rawManifest(repoAndTag));
    }

    @Test
    @Order(1)
    void mecipolQeApprovalCopiesIntoProdAndBumpsTheFleetUnderOneCorrelationId() {
        assertEquals(1, commits(), "the first scans changed nothing in git");
        TestImages.Pushed qe924 = TestImages.push(qe, "pemos-portal", "924");
        JsonNode p = pendingFor("flux-system/pemos-portal-prod", "924");
        assertEquals(qe924.digest(), p.get("digest").asText());
        assertTrue(pending().stream().noneMatch(x -> x.get("tag").asText().equals("922")), "924 superseded 922");

        String approve = chain.url("promoter") + "/api/v1/promotions/" + p.get("id").asText() + "/approve";
        // production is approved only by an authenticated approver: refusals name their rule, nothing changes
        var anonymous = E2e.post(approve, "{\"by\": \"chatops-bot\"}", Map.of());
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        var ci = E2e.post(approve, "{}", bearer(tokens.get("qe-ci")));
        assertEquals(403, ci.statusCode(), ci.body());
        assertTrue(ci.body().contains("rule: approver role"), ci.body());
        var forged = E2e.post(approve, "{}", bearer(idp.forged("release-manager", "approvers")));
        assertEquals(401, forged.statusCode(), forged.body());
        assertEquals(401, E2e.post(chain.url("registry-poller") + "/api/v1/repositories/shop/shop/scan", "", Map.of()).statusCode(),
                "a scan needs a token too");
        assertEquals("PENDING", pendingFor("flux-system/pemos-portal-prod", "924").get("state").asText());
        // the operators' CLI, as a person types it: the signaler's token is refused with the rule, the approver's works
        String id = p.get("id").asText();
        Cli ci2 = cli(tokens.get("qe-ci"), "approve", id);
        assertEquals(1, ci2.code(), ci2.err());
        assertTrue(ci2.err().contains("promoter answered 403") && ci2.err().contains("rule: approver role"), ci2.err());
        Cli status = cli(tokens.get("ops"), "status");
        assertEquals(0, status.code(), status.err());
        assertTrue(status.out().contains("PENDING PROMOTIONS") && status.out().contains(id)
                && status.out().contains("flux-system/pemos-portal-prod"), status.out());
        assertTrue(status.out().contains("REPOSITORIES") && status.out().contains("AUTOMATIONS"), status.out());
        Cli pendingList = cli(tokens.get("ops"), "promotions", "--pending");
        assertTrue(pendingList.out().contains(id) && pendingList.out().contains("PENDING"), pendingList.out());
        Cli approved = cli(tokens.get("chatops-bot"), "approve", id, "--comment", "QE passed, ticket QE-1234");
        assertEquals(0, approved.code(), approved.err());
        assertTrue(approved.out().contains("→ APPROVED"), approved.out());

        E2e.await("the fleet to hold 924", Duration.ofSeconds(60), () -> show(PORTAL_FILE).contains("pemos-portal:924 "));
        assertEquals(qe924.digest(), digestIn(prod, "eose-fleet/pemos-portal:924"), "the prod copy has QE's digest");
        assertEquals(2, commits());
        assertEquals("flux-bot flux@pemos.io chore(flux): auto-update image tags in eose-entry",
                git.inBare(FLEET, "log", "-1", "--format=%an %ae %s", BRANCH).trim());
        String diff = git.inBare(FLEET, "diff", "--unified=0", BRANCH + "~1", BRANCH);
        String line = "          image: " + prod.host() + "/eose-fleet/pemos-portal:%s # {\"$imagepolicy\": \"flux-system:ct-fac-portal\"}";
        assertEquals(List.of("-" + line.formatted("922"), "+" + line.formatted("924")),
                diff.lines().filter(l -> l.startsWith("-  ") || l.startsWith("+  ")).toList());

        // one chain: the QE tag's discovery, its match, the promotion, the copy's discovery in prod, the prod match, the commit
        var pushed = KafkaBroker.shared().events(Topic.COMMIT_PUSHED.defaultName(), CommitPushed.class,
                l -> l.stream().anyMatch(e -> e.data().automation().equals("flux-system/eose-entry-auto")), Duration.ofSeconds(10));
        String correlation = pushed.stream().filter(e -> e.data().automation().equals("flux-system/eose-entry-auto"))
                .reduce((a, b) -> b).orElseThrow().correlationId();
        E2e.await("commit.pushed in audit", Duration.ofSeconds(20), () -> E2e.auditWithKcat().stream()
                .anyMatch(a -> a.action().equals("commit.pushed") && a.correlationId().orElse("").equals(correlation)));
        List<AuditRecord> chainAudit = E2e.auditWithKcat().stream()
                .filter(a -> a.correlationId().orElse("").equals(correlation)).toList();
        List<String> steps = chainAudit.stream().map(a -> a.service() + " " + a.action() + " " + a.subject()).toList();
        // each service audits after its own writes, so the records' times need not follow the chain's order
        for (String expected : List.of(
                "registry-poller scan.changed flux-system/eoseentry-pemos-portal",
                "policy-evaluator policy.matched flux-system/eoseentry-pemos-portal",
                "promoter promotion.pending flux-system/pemos-portal-prod",
                "promoter promotion.approved flux-system/pemos-portal-prod",
                "registry-poller scan.changed flux-system/ctfacentry-pemos-portal",
                "policy-evaluator policy.matched flux-system/ct-fac-portal",
                "promoter promotion.approved flux-system/ct-fac-portal",
                "git-writer commit.pushed")) {
            assertTrue(steps.stream().anyMatch(s -> s.startsWith(expected)),
                    expected + " is audited with correlation id " + correlation + ": " + steps);
        }
        assertTrue(chainAudit.stream().anyMatch(a -> a.action().equals("promotion.approved") && a.reason().contains("chatops-bot")),
                "who approved is audited: " + steps);
    }

    @Test
    @Order(2)
    void stagingFollowsSemverAndProdGetsStagingsDigestAfterApproval() {
        int before = commits();
        TestImages.Pushed shop110 = TestImages.push(staging, "shop/app", "1.1.0");
        E2e.await("staging to follow 1.1.0", Duration.ofSeconds(60), () -> show("envs/staging/shop.yaml").contains(":1.1.0@"));
        assertTrue(show("envs/staging/shop.yaml").contains(staging.host() + "/shop/app:1.1.0@" + shop110.digest() + " #"));
        assertTrue(show("envs/prod/shop.yaml").contains("/shop/app:1.0.0@"), "prod waits for approval");
        assertEquals(before + 1, commits());

        JsonNode p = pendingFor("shop/shop-prod", "1.1.0");
        // either pod takes a decision: this one goes through the one that does not lead, and both show its outcome
        String follower = leader().equals("promoter") ? "promoter-2" : "promoter";
        var approved = E2e.post(chain.url(follower) + "/api/v1/promotions/" + p.get("id").asText() + "/approve",
                "{}", bearer(idp.token("release-manager", "approvers")));
        assertEquals(200, approved.statusCode(), approved.body());
        assertEquals("APPROVED", E2e.json(approved.body()).get("state").asText());
        E2e.await("both pods to show the approval", Duration.ofSeconds(10), () -> List.of("promoter", "promoter-2").stream()
                .allMatch(pod -> state(pod, p.get("id").asText()).equals("APPROVED")));
        var again = E2e.post(chain.url(follower) + "/api/v1/promotions/" + p.get("id").asText() + "/approve",
                "{}", bearer(idp.token("release-manager", "approvers")));
        assertEquals(409, again.statusCode(), again.body());
        E2e.await("prod to get 1.1.0", Duration.ofSeconds(60), () -> show("envs/prod/shop.yaml").contains(":1.1.0@"));
        Matcher m = Pattern.compile("image: (\\S+):1\\.1\\.0@(sha256:[0-9a-f]{64}) #").matcher(show("envs/prod/shop.yaml"));
        assertTrue(m.find(), show("envs/prod/shop.yaml"));
        assertEquals(prod.host() + "/shop/app", m.group(1));
        assertEquals(shop110.digest(), m.group(2), "prod's manifest holds exactly staging's digest");
        assertEquals(shop110.digest(), digestIn(prod, "shop/app:1.1.0"), "and the prod registry has that image");
        assertTrue(show("envs/staging/shop.yaml").contains(":1.1.0@" + shop110.digest()));
    }

    @Test
    @Order(3)
    void aHumanRevertIsRespectedUntilANewerTagArrives() throws Exception {
        // QE and the chatops bot pushed 924 to prod (test 1); an incident: a person reverts the image commit
        String head = git.inBare(FLEET, "rev-parse", BRANCH).trim();
        String subject = git.inBare(FLEET, "log", "-1", "--format=%s", BRANCH).trim();
        if (!subject.startsWith("chore(flux)")) {
            head = git.inBare(FLEET, "log", "-1", "--format=%H", "--author=flux-bot", BRANCH).trim();
        }
        git.commit(FLEET, BRANCH, Map.of(PORTAL_FILE, show(PORTAL_FILE).replace("pemos-portal:924 ", "pemos-portal:922 ")),
                "Revert \"chore(flux): auto-update image tags in eose-entry\"\n\nThis reverts commit " + head + ": 924 breaks login",
                "alice");
        int afterRevert = commits();

        // everything that could make a tool re-apply 924: a full rescan of both registries, and a git-writer restart
        for (String repo : List.of("flux-system/eoseentry-pemos-portal", "flux-system/ctfacentry-pemos-portal")) {
            assertEquals(202, E2e.post(chain.url("registry-poller") + "/api/v1/repositories/" + repo + "/scan", "", bearer(tokens.get("ops"))).statusCode());
        }
        chain.stopService("git-writer", false);
        chain.startService(Chain.service("git-writer"));
        chain.awaitHealthy(Duration.ofSeconds(90));
        Thread.sleep(4000);
        assertEquals(afterRevert, commits(), "the revert stands");
        assertTrue(show(PORTAL_FILE).contains("pemos-portal:922 "));

        // a newer tag goes through QE again and is written
        TestImages.Pushed qe925 = TestImages.push(qe, "pemos-portal", "925");
        JsonNode p = pendingFor("flux-system/pemos-portal-prod", "925");
        assertEquals(200, E2e.post(chain.url("promoter") + "/api/v1/promotions/" + p.get("id").asText() + "/approve",
                "{}", bearer(tokens.get("chatops-bot"))).statusCode());
        E2e.await("the fleet to hold 925", Duration.ofSeconds(60), () -> show(PORTAL_FILE).contains("pemos-portal:925 "));
        assertEquals(afterRevert + 1, commits());
        assertEquals(qe925.digest(), digestIn(prod, "eose-fleet/pemos-portal:925"));
    }

    @Test
    @Order(4)
    void whenTheLeadingPromoterPodIsKilledTheOtherTakesOver() {
        String leader = leader();
        String other = leader.equals("promoter") ? "promoter-2" : "promoter";
        int before = commits();
        chain.stopService(leader, true);

        TestImages.Pushed qe926 = TestImages.push(qe, "pemos-portal", "926");
        // the survivor leads once Kafka ends the killed pod's session (10 s): it opens the promotion and takes the decision
        JsonNode p = pendingFor(other, "flux-system/pemos-portal-prod", "926");
        assertEquals(other, leader());
        var approved = E2e.post(chain.url(other) + "/api/v1/promotions/" + p.get("id").asText() + "/approve",
                "{}", bearer(tokens.get("chatops-bot")));
        assertEquals(200, approved.statusCode(), approved.body());
        E2e.await("the fleet to hold 926", Duration.ofSeconds(60), () -> show(PORTAL_FILE).contains("pemos-portal:926 "));
        assertEquals(before + 1, commits());
        assertEquals(qe926.digest(), digestIn(prod, "eose-fleet/pemos-portal:926"));

        // the killed pod comes back as a follower and knows what happened while it was away
        chain.restartInstance(Chain.service("promoter"), leader);
        chain.awaitHealthy(Duration.ofSeconds(90));
        assertEquals("APPROVED", state(leader, p.get("id").asText()));
        assertTrue(E2e.json(E2e.get(chain.url(leader) + "/api/v1/promotions/" + p.get("id").asText()).body())
                .get("target").asText().contains("/eose-fleet/pemos-portal:926@" + qe926.digest()));
    }

    @Test
    @Order(5)
    void aPromotionWhoseTargetMovesCopiesItsLatestImageThereAndTheMarkerFollows() throws Exception {
        String shop110 = digestIn(prod, "shop/app:1.1.0");
        int before = commits();
        writeShop(config, "shop-v2/app"); // the prod repository renamed; nothing is pushed or approved
        E2e.await("prod's marker to name the new target", Duration.ofSeconds(60),
                () -> show("envs/prod/shop.yaml").contains(prod.host() + "/shop-v2/app:1.1.0@" + shop110 + " #"));
        assertEquals(shop110, digestIn(prod, "shop-v2/app:1.1.0"), "the image was copied into the new target, digest unchanged");
        assertEquals(before + 1, commits(), "one commit renames the image");
        assertTrue(show("envs/staging/shop.yaml").contains(staging.host() + "/shop/app:1.1.0@"), "staging is not touched");
    }
}
