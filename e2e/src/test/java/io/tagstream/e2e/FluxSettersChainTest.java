package io.tagstream.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.launcher.Chain;
import io.tagstream.testkit.GitServer;
import io.tagstream.testkit.LocalRegistry;
import io.tagstream.testkit.Ports;
import io.tagstream.testkit.TestImages;
import io.tagstream.testkit.WorkDirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Flux's own setter fixtures ({@code ../shared/conformance/flux-setters}) replayed through the whole chain, as its
 * README describes: each policy's image pushed to a real docker-registry, Flux YAML for it, the input tree seeded into
 * a repository behind git daemon, then exactly one commit whose tree is the expected tree byte for byte, or no commit
 * where Flux makes none. Image names are prefixed with the registry (and the case, so every case's selection is new),
 * the fixture's constant digest becomes the registry's: one function of a line, applied to both trees alike. The cases
 * run one after the other on one chain, each replacing the configuration; git-writer groups approvals arriving within
 * 3 s into one commit, as Flux's one run per interval does. Skips when the conformance folder is absent.
 */
class FluxSettersChainTest {

    static final Path FIXTURES = locate();
    static LocalRegistry registry;
    static GitServer git;
    static Chain chain;
    static Path config;

    static Path locate() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path f = p.resolveSibling("shared").resolve("conformance/flux-setters");
            if (Files.isDirectory(f)) {
                return f;
            }
        }
        return null;
    }

    @BeforeAll
    static void start() throws Exception {
        if (FIXTURES == null) {
            return;
        }
        registry = LocalRegistry.builder().start();
        git = GitServer.start();
        Path root = WorkDirs.create("flux-setters-chain");
        config = Files.createDirectories(root.resolve("config"));
        // Flux applies every policy in one run per interval; the group window is Tagstream's knob for the same: the
        // selections of one case, which arrive a scan apart, make one commit
        chain = E2e.start(root, config, E2e.ports(Ports.free()), Map.of("TAGSTREAM_CONFIG_RELOAD_INTERVAL", "1s",
                "TAGSTREAM_GIT_GROUP_WINDOW", "3s"));
    }

    @AfterAll
    static void stop() {
        E2e.closeAll(chain, registry, git);
    }

    static final Pattern MARKED = Pattern.compile("^(.*?)([\"']?)([^\\s\"'#]+)\\2([ \\t]+#[ \\t]*\\{\"\\$imagepolicy\":\\s*\"([^\"]+)\"})(.*)$",
            Pattern.DOTALL);

    /** The README's rewrite of one line: the image prefixed on full-ref and :name markers, the digest replaced. */
    static String rewrite(String line, Set<String> images, String prefix, Map<String, String> digests) {
        String eol = line.endsWith("\r\n") ? "\r\n" : line.endsWith("\n") ? "\n" : "";
        Matcher m = MARKED.matcher(line.substring(0, line.length() - eol.length()));
        if (!m.matches()) {
            return line;
        }
        String[] ref = m.group(5).split(":");
        String value = m.group(3);
        if (ref.length == 2 || ref.length == 3 && ref[2].equals("name")) {
            for (String n : images.stream().sorted((a, b) -> b.length() - a.length()).toList()) {
                if (value.equals(n) || value.startsWith(n + ":") || value.startsWith(n + "@")) {
                    value = prefix + "/" + value;
                    break;
                }
            }
        }
        for (Map.Entry<String, String> d : digests.entrySet()) {
            value = value.replace(d.getKey(), d.getValue());
        }
        return m.group(1) + m.group(2) + value + m.group(2) + m.group(4) + m.group(6) + eol;
    }

    /** The case's tree, rewritten; a file stored with mode 120000 is a symlink to its content. */
    static Map<String, String> tree(Path dir, JsonNode modes, Set<String> images, String prefix, Map<String, String> digests)
            throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                String rel = dir.relativize(f).toString();
                String text = Files.readString(f, StandardCharsets.UTF_8);
                JsonNode mode = modes.path(rel).path("mode");
                out.put(rel, mode.asText().equals("120000") ? "symlink:" + text.trim()
                        : java.util.Arrays.stream(text.split("(?<=\n)", -1)).map(l -> rewrite(l, images, prefix, digests))
                                .collect(Collectors.joining()));
            }
        }
        return out;
    }

    static String seed(String repo, Map<String, String> files) throws IOException {
        git.createBare(repo, "main");
        Path work = git.clone(repo);
        GitServer.git(work, "checkout", "--quiet", "--orphan", "main");
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = work.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            if (f.getValue().startsWith("symlink:")) {
                Files.createSymbolicLink(p, Path.of(f.getValue().substring("symlink:".length())));
            } else {
                Files.writeString(p, f.getValue(), StandardCharsets.UTF_8);
            }
        }
        GitServer.git(work, "add", "-A");
        GitServer.git(work, "-c", "user.name=flux", "-c", "user.email=flux@example.test", "commit", "--quiet", "-m", "seed");
        GitServer.git(work, "push", "--quiet", "origin", "HEAD:refs/heads/main");
        return GitServer.git(work, "rev-parse", "HEAD").trim();
    }

    @Test
    void everyFluxSetterFixturePassesThroughTheChain() throws Exception {
        assumeTrue(FIXTURES != null, "../shared/conformance/flux-setters is absent (CI has it; a fresh clone does not)");
        JsonNode index = E2e.json(Files.readString(FIXTURES.resolve("index.json")));
        List<String> failures = new ArrayList<>();
        int cases = 0;
        for (JsonNode entry : index.get("cases")) {
            String name = entry.get("case").asText();
            JsonNode c = E2e.json(Files.readString(FIXTURES.resolve(name).resolve("case.json")));
            String prefix = registry.host() + "/" + name;
            String ns = c.get("automation_namespace").asText();
            Set<String> images = new TreeSet<>();
            Map<String, String> digests = new LinkedHashMap<>();
            StringBuilder yaml = new StringBuilder();
            Map<String, String> repositories = new LinkedHashMap<>();
            for (JsonNode p : c.get("policies")) {
                String image = p.get("image").asText();
                String tag = p.get("tag").asText();
                images.add(image);
                TestImages.Pushed pushed = TestImages.push(registry, name + "/" + image, tag);
                if (!p.get("digest").isNull()) {
                    digests.put(p.get("digest").asText(), pushed.digest());
                }
                boolean first = !repositories.containsKey(image);
                String repo = repositories.computeIfAbsent(image, i -> "r" + repositories.size());
                if (first) {
                    yaml.append("""
                            apiVersion: image.toolkit.fluxcd.io/v1
                            kind: ImageRepository
                            metadata: {name: %s, namespace: %s}
                            spec: {image: '%s/%s', interval: 1h, insecure: true}
                            ---
                            """.formatted(repo, ns, prefix, image));
                }
                yaml.append("""
                        apiVersion: image.toolkit.fluxcd.io/v1
                        kind: ImagePolicy
                        metadata: {name: %s, namespace: %s, labels: {case: %s}}
                        spec:
                          imageRepositoryRef: {name: %s}
                          filterTags: {pattern: '^%s$'}
                          policy: {alphabetical: {order: asc}}
                          digestReflectionPolicy: %s
                        ---
                        """.formatted(p.get("name").asText(), p.get("namespace").asText(), name, repo,
                        tag.replace(".", "\\."),
                        p.get("digest").isNull() ? "Never" : "IfNotPresent"));
            }
            String message = name.equals("controller-e2e") ? "Commit a difference abcde" : "update " + name;
            String updatePath = c.get("update_path").asText().isEmpty() ? "." : c.get("update_path").asText();
            yaml.append("""
                    apiVersion: source.toolkit.fluxcd.io/v1
                    kind: GitRepository
                    metadata: {name: fleet, namespace: %1$s}
                    spec: {url: '%2$s', interval: 1h, ref: {branch: main}}
                    ---
                    apiVersion: image.toolkit.fluxcd.io/v1
                    kind: ImageUpdateAutomation
                    metadata: {name: %3$s, namespace: %1$s}
                    spec:
                      interval: 1h
                      sourceRef: {kind: GitRepository, name: fleet}
                      git:
                        checkout: {ref: {branch: main}}
                        commit: {author: {name: fluxcdbot, email: fluxcdbot@users.noreply.github.com}, messageTemplate: '%4$s'}
                        push: {branch: main}
                      update: {path: '%5$s', strategy: Setters}
                      policySelector: {matchLabels: {case: %3$s}}
                    """.formatted(ns, git.url(name), name, message, updatePath));

            Map<String, String> input = tree(FIXTURES.resolve(name).resolve("input"), c.path("files").path("input"), images, prefix, digests);
            Map<String, String> expected = tree(FIXTURES.resolve(name).resolve("expected"), c.path("files").path("expected"), images,
                    prefix, digests);
            String seed = seed(name, input);
            Files.writeString(config.resolve("case.yaml.tmp"), yaml);
            Files.move(config.resolve("case.yaml.tmp"), config.resolve("case.yaml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            cases++;

            String automation = ns + "/" + name;
            boolean commit = c.get("expect_commit").asBoolean();
            E2e.await(name + ": " + (commit ? "a commit" : "the automation to run"), Duration.ofSeconds(90), () -> commit
                    ? !git.inBare(name, "rev-parse", "main").trim().equals(seed)
                    : StreamSupport.stream(E2e.json(E2e.get(chain.url("git-writer") + "/api/v1/automations").body()).spliterator(), false)
                            .anyMatch(a -> a.path("automation").asText().equals(automation) && a.hasNonNull("lastRun")));
            Thread.sleep(2000); // a second commit, if one were coming, has time to arrive
            List<String> log = git.inBare(name, "log", "--format=%an %s", "main").lines().toList();
            List<String> wantLog = commit ? List.of("fluxcdbot " + message, "flux seed") : List.of("flux seed");
            if (!log.equals(wantLog)) {
                failures.add(name + ": commits " + log + ", expected " + wantLog);
                continue;
            }
            Set<String> files = new TreeSet<>(git.inBare(name, "ls-tree", "-r", "--name-only", "main").lines().toList());
            if (!files.equals(new TreeSet<>(expected.keySet()))) {
                failures.add(name + ": files " + files + ", expected " + expected.keySet());
                continue;
            }
            for (Map.Entry<String, String> f : expected.entrySet()) {
                String got = f.getValue().startsWith("symlink:") ? "symlink:" + git.inBare(name, "cat-file", "-p", "main:" + f.getKey())
                        : git.inBare(name, "cat-file", "-p", "main:" + f.getKey());
                if (!got.equals(f.getValue())) {
                    failures.add(name + ": " + f.getKey() + " differs from Flux's expected tree:\n" + got + "\n--- expected ---\n" + f.getValue());
                }
            }
        }
        assertEquals(8, cases);
        assertEquals(List.of(), failures, failures.stream().collect(Collectors.joining("\n")));
    }
}
