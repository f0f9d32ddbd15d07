package io.tagstream.promoter;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.tagstream.testkit.KafkaBroker;
import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.WorkDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.tagstream.common.access.Role;
import io.tagstream.testkit.IdentityProvider;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** A QE registry, a prod registry with htpasswd auth, a read-only registry, and promotions between them. */
public class PromoterFixture implements QuarkusTestResourceLifecycleManager {

    public static LocalRegistry qe;
    public static LocalRegistry prod;
    public static LocalRegistry frozen;
    /** Access control is on in this module's tests: JWTs from this provider, and these API tokens by name. */
    public static IdentityProvider idp;
    public static Map<String, String> tokens;
    public static final String SLACK_SECRET = "slack-signing-secret-of-the-test-app";
    /** What the promoter posted to the interactions' response_url. */
    public static final List<String> answers = Collections.synchronizedList(new ArrayList<>());
    public static String responseUrl;
    private static HttpServer slackAnswers;

    @Override
    public Map<String, String> start() {
        qe = LocalRegistry.start();
        prod = LocalRegistry.builder().htpasswd("promoter", "pr0d").start();
        frozen = LocalRegistry.builder().readOnly().start();
        Path root = WorkDirs.create("promoter-fixture");
        try {
            Path config = Files.createDirectories(root.resolve("config"));
            Path creds = Files.createDirectories(root.resolve("secrets/flux-system/prod-creds"));
            Files.writeString(creds.resolve("username"), "promoter");
            Files.writeString(creds.resolve("password"), "pr0d");
            StringBuilder y = new StringBuilder();
            for (String app : new String[] {"portal", "signed", "quick", "frozen", "gated", "pushed", "chat"}) {
                y.append("""
                        apiVersion: image.toolkit.fluxcd.io/v1
                        kind: ImageRepository
                        metadata: {name: qe-%1$s, namespace: flux-system}
                        spec: {image: %2$s/%1$s, interval: 1h, insecure: true}
                        ---
                        apiVersion: image.toolkit.fluxcd.io/v1
                        kind: ImagePolicy
                        metadata: {name: qe-%1$s, namespace: flux-system}
                        spec:
                          imageRepositoryRef: {name: qe-%1$s}
                          policy: {semver: {range: '>=900.0.0', coerce: true}}
                        ---
                        """.formatted(app, qe.host()));
            }
            y.append("""
                    apiVersion: tagstream.io/v1alpha1
                    kind: Registry
                    metadata: {name: prod, namespace: flux-system}
                    spec: {host: '%1$s', insecure: true, secretRef: {name: prod-creds}}
                    ---
                    apiVersion: tagstream.io/v1alpha1
                    kind: Registry
                    metadata: {name: frozen, namespace: flux-system}
                    spec: {host: '%2$s', insecure: true}
                    ---
                    apiVersion: tagstream.io/v1alpha1
                    kind: ImagePromotion
                    metadata: {name: portal-prod, namespace: flux-system}
                    spec:
                      sourcePolicyRef: {name: qe-portal}
                      target: {image: '%1$s/eose-fleet/pemos-portal', tags: ['{{tag}}']}
                      approval: {mode: manual}
                    ---
                    apiVersion: tagstream.io/v1alpha1
                    kind: ImagePromotion
                    metadata: {name: signed-prod, namespace: flux-system}
                    spec:
                      sourcePolicyRef: {name: qe-signed}
                      target: {image: '%1$s/signed', tags: ['{{tag}}', 'qe-{{digest.short}}']}
                      approval: {mode: auto, signals: [qe-passed]}
                      copySignatures: true
                    ---
                    apiVersion: tagstream.io/v1alpha1
                    kind: ImagePromotion
                    metadata: {name: quick-prod, namespace: flux-system}
                    spec:
                      sourcePolicyRef: {name: qe-quick}
                      approval: {mode: manual, deadline: 2s}
                    ---
                    apiVersion: tagstream.io/v1alpha1
                    kind: ImagePromotion
                    metadata: {name: gated-prod, namespace: flux-system}
                    spec:
                      sourcePolicyRef: {name: qe-gated}
                      approval: {mode: manual, requiredApprovals: 2, approvers: {groups: [release-managers], users: ['token:release-bot']}}
                    ---
                    apiVersion: tagstream.io/v1alpha1
                    kind: ImagePromotion
                    metadata: {name: pushed-prod, namespace: flux-system}
                    spec:
                      sourcePolicyRef: {name: qe-pushed}
                      approval: {mode: manual, forbidSelfApproval: true}
                    ---
                    apiVersion: tagstream.io/v1alpha1
                    kind: ImagePromotion
                    metadata: {name: chat-prod, namespace: flux-system}
                    spec:
                      sourcePolicyRef: {name: qe-chat}
                      approval: {mode: manual, approvers: {users: ['user:alice']}}
                    ---
                    apiVersion: tagstream.io/v1alpha1
                    kind: ImagePromotion
                    metadata: {name: frozen-prod, namespace: flux-system}
                    spec:
                      sourcePolicyRef: {name: qe-frozen}
                      target: {image: '%2$s/frozen'}
                      approval: {mode: auto}
                    """.formatted(prod.host(), frozen.host()));
            Files.writeString(config.resolve("promotions.yaml"), y.toString());
            idp = IdentityProvider.create(root.resolve("idp"));
            tokens = IdentityProvider.apiTokens(root.resolve("secrets"), "tagstream-system", "api-tokens", Map.of(
                    "qe-bot", Set.of(Role.SIGNALER), "release-bot", Set.of(Role.APPROVER)));
            Map<String, String> p = new LinkedHashMap<>(idp.properties());
            p.put("tagstream.auth.tokens-secret", "tagstream-system/api-tokens");
            p.put("kafka.bootstrap.servers", KafkaBroker.shared().bootstrapServers());
            p.put("tagstream.config.dir", config.toString());
            p.put("tagstream.secrets.dir", root.resolve("secrets").toString());
            p.put("tagstream.promoter.expiry-check", "500ms");
            // approvals from chat: Slack's signing secret and users table, the approval links' key, and a stand-in for
            // Slack's response_url that records what the promoter tells the person who pressed a button
            Path slack = Files.createDirectories(root.resolve("secrets/tagstream-system/slack"));
            Files.writeString(slack.resolve("signingSecret"), SLACK_SECRET);
            Files.writeString(slack.resolve("users"), "# Slack user, identity, roles\nU0ALICE user:alice approver\n"
                    + "U0BOB user:bob approver\nU0VIEW user:victor viewer\n");
            Path links = Files.createDirectories(root.resolve("secrets/tagstream-system/approval-links"));
            Files.writeString(links.resolve("key"), "approval-links-key-of-at-least-32-bytes!");
            p.put("tagstream.chat.slack.secret", "tagstream-system/slack");
            p.put("tagstream.chat.links.secret", "tagstream-system/approval-links");
            slackAnswers = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            slackAnswers.createContext("/", x -> {
                answers.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                x.sendResponseHeaders(200, -1);
                x.close();
            });
            slackAnswers.start();
            responseUrl = "http://127.0.0.1:" + slackAnswers.getAddress().getPort() + "/actions/T0001/1/x";
            p.put("tagstream.chat.slack.response-url-prefix", "http://127.0.0.1:" + slackAnswers.getAddress().getPort() + "/actions/");
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        slackAnswers.stop(0);
        qe.close();
        prod.close();
        frozen.close();
    }
}
