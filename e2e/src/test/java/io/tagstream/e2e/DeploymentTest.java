package io.tagstream.e2e;

import java.util.Optional;
import io.tagstream.common.access.Authenticator;
import io.tagstream.common.access.AccessSettings;
import io.tagstream.common.access.AccessRules;
import io.tagstream.launcher.Chain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.common.config.ConfigLoader;
import io.tagstream.common.events.Topic;
import io.tagstream.testkit.Cli;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment descriptors agree with the services they run: the Kubernetes base and overlays (rendered with
 * {@code kubectl kustomize} where kubectl is installed, else assembled from the base's resource list) and
 * docker-compose.yml, checked against each service's application.properties and the project version.
 */
class DeploymentTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** What a service's own configuration says about it. */
    record ServiceFacts(String name, int port, String image, Set<String> stateTopics, Set<String> ownTopics) {}

    static List<ServiceFacts> services() {
        String version = version();
        List<ServiceFacts> out = new ArrayList<>();
        for (Chain.Service s : Chain.WITH_CONSOLE) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(ROOT.resolve(s.name()).resolve("src/main/resources/application.properties"))) {
                p.load(r);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            assertEquals(s.name(), p.getProperty("quarkus.application.name"));
            String name = p.getProperty("quarkus.container-image.name").replace("${quarkus.application.name}", s.name());
            String image = p.getProperty("quarkus.container-image.registry") + "/" + p.getProperty("quarkus.container-image.group")
                    + "/" + name + ":" + version;
            Set<String> state = p.stringPropertyNames().stream().filter(k -> k.endsWith(".state-topic")).map(p::getProperty)
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<String> own = p.stringPropertyNames().stream().filter(k -> k.startsWith("tagstream.") && k.endsWith("-topic")
                    && !k.endsWith(".state-topic")).map(p::getProperty).collect(Collectors.toCollection(TreeSet::new));
            out.add(new ServiceFacts(s.name(), Integer.parseInt(p.getProperty("quarkus.http.port")), image, state, own));
            assertEquals(s.defaultPort(), Integer.parseInt(p.getProperty("quarkus.http.port")), "the launcher's port for " + s.name());
        }
        return out;
    }

    static String version() {
        try {
            Matcher m = Pattern.compile("<artifactId>tagstream-parent</artifactId>\\s*<version>([^<]+)</version>")
                    .matcher(Files.readString(ROOT.resolve("pom.xml")));
            assertTrue(m.find());
            return m.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> yamlDocs(String text) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object o : new Yaml(new LoaderOptions()).loadAll(text)) {
            if (o != null) {
                docs.add((Map<String, Object>) o);
            }
        }
        return docs;
    }

    static boolean kubectl() {
        if (Boolean.getBoolean("tagstream.test.no-kubectl")) { // to exercise the fallback on a machine that has kubectl
            return false;
        }
        try {
            return new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A kustomization rendered; without kubectl, the base's listed resources and generated ConfigMap as they are. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> render(String dir) throws IOException {
        Path d = ROOT.resolve("deploy/kubernetes").resolve(dir);
        if (kubectl()) {
            return yamlDocs(Cli.run(null, List.of("kubectl", "kustomize", d.toString()), Map.of()));
        }
        Map<String, Object> k = yamlDocs(Files.readString(d.resolve("kustomization.yaml"))).get(0);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object r : (List<Object>) k.get("resources")) {
            Path p = d.resolve(r.toString());
            assertTrue(Files.exists(p), p + " is listed in " + dir + "/kustomization.yaml");
            if (Files.isRegularFile(p)) {
                out.addAll(yamlDocs(Files.readString(p)));
            } else {
                out.addAll(render(ROOT.resolve("deploy/kubernetes").relativize(p.normalize()).toString()));
            }
        }
        out.add(Map.of("kind", "ConfigMap", "metadata", Map.of("name", "tagstream-config")));
        return out;
    }

    @SuppressWarnings("unchecked")
    static <T> T at(Object node, String... path) {
        Object o = node;
        for (String p : path) {
            o = o instanceof List<?> l ? l.get(Integer.parseInt(p)) : ((Map<String, Object>) o).get(p);
            if (o == null) {
                throw new AssertionError("no " + String.join(".", path) + " in " + node);
            }
        }
        return (T) o;
    }

    static List<Map<String, Object>> ofKind(List<Map<String, Object>> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    static Map<String, Object> named(List<Map<String, Object>> docs, String kind, String name) {
        return ofKind(docs, kind).stream().filter(d -> name.equals(at(d, "metadata", "name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    @Test
    void kubernetesBaseRunsEachServiceAsItIsConfigured() throws IOException {
        checkKubernetes(render("base"), true);
    }

    @Test
    void everyOverlayRendersAndKeepsTheServicesIntact() throws IOException {
        for (String overlay : List.of("overlays/staging", "overlays/production")) {
            List<Map<String, Object>> docs = render(overlay);
            if (kubectl()) {
                checkKubernetes(docs, false);
                ofKind(docs, "Deployment").forEach(d -> assertFalse(((String) at(d, "metadata", "namespace")).isBlank()));
            }
        }
    }

    @SuppressWarnings("unchecked")
    static void checkKubernetes(List<Map<String, Object>> docs, boolean base) {
        List<ServiceFacts> services = services();
        assertEquals(services.size(), ofKind(docs, "Deployment").size());
        assertTrue(ofKind(docs, "Role").isEmpty() && ofKind(docs, "ClusterRole").isEmpty() && ofKind(docs, "RoleBinding").isEmpty()
                && ofKind(docs, "ClusterRoleBinding").isEmpty(), "no service needs Kubernetes API rights");
        for (ServiceFacts s : services) {
            Map<String, Object> dep = named(docs, "Deployment", s.name());
            Map<String, Object> pod = at(dep, "spec", "template", "spec");
            Map<String, Object> c = at(pod, "containers", "0");
            String image = at(c, "image");
            if (base) {
                assertEquals(s.image(), image, "image of " + s.name());
            } else {
                assertTrue(image.startsWith(s.image().substring(0, s.image().lastIndexOf(':') + 1)), image);
            }
            assertEquals(s.port(), ((Number) at(c, "ports", "0", "containerPort")).intValue(), "port of " + s.name());
            assertEquals("http", at(c, "ports", "0", "name"));
            assertEquals("/q/health/ready", at(c, "readinessProbe", "httpGet", "path"));
            assertEquals("/q/health/live", at(c, "livenessProbe", "httpGet", "path"));
            assertEquals("http", at(c, "readinessProbe", "httpGet", "port"));
            assertEquals("http", at(c, "livenessProbe", "httpGet", "port"));
            assertTrue(((Map<String, Object>) at(c, "resources", "requests")).containsKey("memory"));
            assertTrue(((Map<String, Object>) at(c, "resources", "limits")).containsKey("memory"));
            assertEquals(Boolean.TRUE, at(pod, "securityContext", "runAsNonRoot"));
            assertEquals(Boolean.FALSE, at(c, "securityContext", "allowPrivilegeEscalation"));
            assertEquals(Boolean.TRUE, at(c, "securityContext", "readOnlyRootFilesystem"));
            assertEquals(List.of("ALL"), at(c, "securityContext", "capabilities", "drop"));
            assertEquals(s.name(), at(pod, "serviceAccountName"));
            Map<String, Object> sa = named(docs, "ServiceAccount", s.name());
            assertEquals(Boolean.FALSE, sa.get("automountServiceAccountToken"));
            assertEquals(Boolean.FALSE, pod.get("automountServiceAccountToken"));
            Map<String, String> env = new LinkedHashMap<>();
            for (Map<String, Object> e : (List<Map<String, Object>>) at(c, "env")) {
                env.put(e.get("name").toString(), String.valueOf(e.get("value")));
            }
            assertTrue(env.get("KAFKA_BOOTSTRAP_SERVERS").endsWith("-kafka-bootstrap:9092"), "Strimzi's bootstrap service");
            List<Map<String, Object>> mounts = at(c, "volumeMounts");
            Set<String> mounted = mounts.stream().map(m -> m.get("mountPath").toString()).collect(Collectors.toSet());
            assertTrue(mounted.contains(env.get("TAGSTREAM_CONFIG_DIR")), "config is mounted");
            assertTrue(mounted.contains(env.get("TAGSTREAM_SECRETS_DIR")), "secrets are mounted");
            assertTrue(mounted.contains("/tmp"), "a writable /tmp beside the read-only root");
            if (env.containsKey("TAGSTREAM_GIT_WORKDIR")) {
                assertTrue(mounted.contains(env.get("TAGSTREAM_GIT_WORKDIR")));
            }
            List<Map<String, Object>> volumes = at(pod, "volumes");
            String configMap = volumes.stream().filter(v -> v.containsKey("configMap")).map(v -> at(v, "configMap", "name").toString())
                    .findFirst().orElseThrow();
            assertTrue(ofKind(docs, "ConfigMap").stream().anyMatch(m -> configMap.equals(at(m, "metadata", "name"))),
                    "the ConfigMap " + configMap + " exists");
            assertTrue(volumes.stream().anyMatch(v -> v.containsKey("projected")), "secret references");
            // access control on, and each pod mounts only the secrets it uses
            assertFalse(env.containsKey("TAGSTREAM_AUTH_LOCAL_DEVELOPMENT"), s.name() + " never runs with access control off");
            assertEquals("tagstream-system/api-tokens", env.get("TAGSTREAM_AUTH_TOKENS_SECRET"), s.name());
            Set<String> secretNames = new java.util.TreeSet<>();
            for (Map<String, Object> v : volumes) {
                if (v.containsKey("projected")) {
                    for (Map<String, Object> src : (List<Map<String, Object>>) at(v, "projected", "sources")) {
                        secretNames.add(at(src, "secret", "name").toString());
                    }
                }
            }
            Set<String> uses = switch (s.name()) {
                case "registry-poller" -> Set.of("api-tokens", "registry-credentials", "webhook-token");
                case "promoter" -> Set.of("api-tokens", "registry-credentials", "slack-approvals", "approval-links");
                case "git-writer" -> Set.of("api-tokens", "fleet-git");
                case "notifier" -> Set.of("api-tokens", "slack-url");
                default -> Set.of("api-tokens");
            };
            assertEquals(new java.util.TreeSet<>(uses), secretNames, s.name() + " mounts only the secrets it uses");
            Map<String, Object> np = named(docs, "NetworkPolicy", s.name());
            assertEquals((Object) at(dep, "spec", "selector", "matchLabels"), (Object) at(np, "spec", "podSelector", "matchLabels"));

            Map<String, Object> svc = named(docs, "Service", s.name());
            assertEquals(s.port(), ((Number) at(svc, "spec", "ports", "0", "port")).intValue());
            assertEquals("http", at(svc, "spec", "ports", "0", "targetPort"));
            assertEquals((Object) at(dep, "spec", "selector", "matchLabels"), (Object) at(svc, "spec", "selector"));
            Map<String, Object> pdb = named(docs, "PodDisruptionBudget", s.name());
            assertEquals((Object) at(dep, "spec", "selector", "matchLabels"), (Object) at(pdb, "spec", "selector", "matchLabels"));
        }
        Map<String, Map<String, Object>> topics = new LinkedHashMap<>();
        ofKind(docs, "KafkaTopic").forEach(t -> topics.put(at(t, "metadata", "name"), t));
        for (Topic t : Topic.values()) {
            assertTrue(topics.containsKey(t.defaultName()), "KafkaTopic " + t.defaultName());
            assertFalse("compact".equals(((Map<String, Object>) at(topics.get(t.defaultName()), "spec", "config")).get("cleanup.policy")));
        }
        for (ServiceFacts s : services) {
            for (String state : s.stateTopics()) {
                assertTrue(topics.containsKey(state), "state KafkaTopic " + state);
                assertEquals("compact", at(topics.get(state), "spec", "config", "cleanup.policy"), state + " is compacted");
            }
            for (String own : s.ownTopics()) {
                assertTrue(topics.containsKey(own), s.name() + "'s KafkaTopic " + own);
            }
        }
        assertEquals(1, ((Number) at(topics.get("tagstream.promoter.requests"), "spec", "partitions")).intValue(),
                "one partition: the pod holding it is the one promoter that decides");
        Map<String, Object> ingress = named(docs, "Ingress", "tagstream-webhooks");
        List<Map<String, Object>> paths = at(ingress, "spec", "rules", "0", "http", "paths");
        assertEquals(Set.of("/api/v1/webhooks", "/hook", "/api/v1/chat/slack/interactions", "/api/v1/links"),
                paths.stream().map(p -> p.get("path").toString()).collect(Collectors.toSet()));
        for (Map<String, Object> p : paths) {
            // what a registry, Slack or a link's holder reaches: paths that authenticate each request themselves
            String path = p.get("path").toString();
            assertTrue(AccessRules.decide(new AccessRules.Call("POST", path + (path.endsWith("interactions") ? "" : "/x"), Optional.empty(),
                    false, Optional.empty()), new AccessSettings(false, Optional.empty(), Optional.empty(), Map.of(), true, Set.of()), new Authenticator.Anonymous()) instanceof AccessRules.Exempt, path);
            assertEquals(path.startsWith("/api/v1/chat") || path.startsWith("/api/v1/links") ? "promoter" : "registry-poller",
                    at(p, "backend", "service", "name"));
            assertEquals("http", at(p, "backend", "service", "port", "name"));
        }
        // people reach the console at its own host; its pages may write only from that origin
        Map<String, Object> consoleIngress = named(docs, "Ingress", "tagstream-console");
        String host = at(consoleIngress, "spec", "rules", "0", "host");
        assertEquals(host, at(consoleIngress, "spec", "tls", "0", "hosts", "0"));
        assertEquals("console", at(consoleIngress, "spec", "rules", "0", "http", "paths", "0", "backend", "service", "name"));
        Map<String, Object> console = at(named(docs, "Deployment", "console"), "spec", "template", "spec", "containers", "0");
        Map<String, String> consoleEnv = new LinkedHashMap<>();
        for (Map<String, Object> e : (List<Map<String, Object>>) at(console, "env")) {
            consoleEnv.put(e.get("name").toString(), String.valueOf(e.get("value")));
        }
        assertEquals("https://" + host, consoleEnv.get("TAGSTREAM_AUTH_ALLOWED_ORIGINS"));
        for (ServiceFacts s : services) {
            if (!s.name().equals("console") && !s.name().equals("notifier")) {
                assertEquals("http://" + s.name() + ":" + s.port(), consoleEnv.get("TAGSTREAM_CONSOLE_" + switch (s.name()) {
                    case "registry-poller" -> "POLLER";
                    case "policy-evaluator" -> "EVALUATOR";
                    default -> s.name().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
                } + "_URL"));
                List<Map<String, Object>> from = at(named(docs, "NetworkPolicy", s.name()), "spec", "ingress", "0", "from");
                assertTrue(from.stream().anyMatch(f -> f.containsKey("podSelector")
                        && "console".equals(at(f, "podSelector", "matchLabels", "app.kubernetes.io/name"))), s.name() + " admits the console");
            }
        }
    }

    @Test
    void theConfigurationsShippedWithTheDeploymentsLoad() {
        for (String dir : List.of("deploy/kubernetes/base/config", "deploy/kubernetes/overlays/production/tagstream.yaml",
                "deploy/compose/config")) {
            var load = new ConfigLoader().load(ROOT.resolve(dir));
            assertFalse(load.config().automations().isEmpty(), dir);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void dockerComposeRunsTheServicesAsTheyAreConfigured() throws IOException {
        Map<String, Object> compose = yamlDocs(Files.readString(ROOT.resolve("docker-compose.yml"))).get(0);
        Map<String, Object> services = at(compose, "services");
        assertTrue(at(services, "kafka", "image").toString().startsWith("apache/kafka:"));
        assertEquals("registry:2", at(services, "registry", "image"));
        String kafkaListener = ((Map<String, Object>) at(services, "kafka", "environment")).get("KAFKA_ADVERTISED_LISTENERS").toString();
        for (ServiceFacts s : services()) {
            Map<String, Object> svc = at(services, s.name());
            assertEquals(s.image(), svc.get("image"), "image of " + s.name());
            Map<String, Object> env = at(svc, "environment");
            // with access control off, the API is published on the Docker host's loopback only
            assertEquals("true", String.valueOf(env.get("TAGSTREAM_AUTH_LOCAL_DEVELOPMENT")), s.name());
            assertEquals(List.of("127.0.0.1:" + s.port() + ":" + s.port()), svc.get("ports"));
            assertTrue(kafkaListener.contains("PLAINTEXT://" + env.get("KAFKA_BOOTSTRAP_SERVERS")), s.name() + " reaches Kafka");
            List<String> volumes = at(svc, "volumes");
            assertTrue(volumes.stream().anyMatch(v -> v.endsWith(":" + env.get("TAGSTREAM_CONFIG_DIR") + ":ro")));
            assertTrue(volumes.stream().anyMatch(v -> v.endsWith(":" + env.get("TAGSTREAM_SECRETS_DIR") + ":ro")));
            for (String v : volumes) {
                String host = v.substring(0, v.indexOf(':'));
                if (host.startsWith("./")) {
                    assertTrue(Files.exists(ROOT.resolve(host)), host + " exists");
                }
            }
            assertEquals(Boolean.TRUE, svc.get("read_only"));
            assertEquals("185", svc.get("user"));
        }
        String registryConfig = Files.readString(ROOT.resolve("deploy/compose/registry.yml"));
        assertTrue(registryConfig.contains("http://registry-poller:" + services().get(0).port() + "/api/v1/webhooks/distribution/"),
                "the registry notifies the poller");
    }
}
