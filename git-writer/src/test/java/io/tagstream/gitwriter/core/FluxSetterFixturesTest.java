package io.tagstream.gitwriter.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tagstream.common.gotemplate.FluxCommitTemplate.ObjectId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Flux's own setter fixtures ({@code ../shared/conformance/flux-setters}, from image-automation-controller's tests):
 * each input tree, with its policies' values, must become exactly the expected tree, byte for byte, with a change
 * exactly where Flux commits and none where Flux makes no commit; for {@code update-setters} the changes reported
 * (file, object, old, new, setter) must be Flux's {@code update.Result}. The end-to-end replay through the chain is
 * {@code FluxSettersChainTest} in e2e. Skips when the conformance folder is absent (a newcomer's clone).
 */
class FluxSetterFixturesTest {

    static final Path FIXTURES = locate();

    static Path locate() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path f = p.resolve("shared/conformance/flux-setters");
            if (Files.isDirectory(f)) {
                return f;
            }
            Path sibling = p.resolveSibling("shared").resolve("conformance/flux-setters");
            if (Files.isDirectory(sibling)) {
                return sibling;
            }
        }
        return null;
    }

    static Stream<String> cases() throws IOException {
        if (FIXTURES == null) {
            return Stream.of("(skipped: ../shared/conformance/flux-setters is not beside this checkout)");
        }
        JsonNode index = new ObjectMapper().readTree(FIXTURES.resolve("index.json").toFile());
        return java.util.stream.StreamSupport.stream(index.get("cases").spliterator(), false).map(c -> c.get("case").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void flux(String name, @TempDir Path work) throws IOException {
        assumeTrue(FIXTURES != null, "../shared/conformance/flux-setters is absent (CI has it; a fresh clone does not)");
        Path dir = FIXTURES.resolve(name);
        JsonNode c = new ObjectMapper().readTree(dir.resolve("case.json").toFile());
        Path root = work.resolve("repo");
        copy(dir.resolve("input"), root, c.get("files").get("input"));

        Map<String, ImageValues> values = new HashMap<>();
        for (JsonNode p : c.get("policies")) {
            boolean digest = !p.get("digest").isNull();
            values.put(p.get("namespace").asText() + ":" + p.get("name").asText(), new ImageValues(p.get("image").asText(),
                    p.get("tag").asText(), digest ? p.get("digest").asText() : "", digest));
        }
        String path = c.get("update_path").asText().isEmpty() ? "." : c.get("update_path").asText();
        Setters.Result r = Setters.apply(root, path, values);

        assertEquals(List.of(), r.problems(), "no file is refused");
        assertEquals(c.get("expect_commit").asBoolean(), !r.changes().isEmpty(), "a change exactly where Flux commits");
        Set<String> expected = files(dir.resolve("expected"));
        assertEquals(expected, files(root), "the same files");
        for (String f : expected) {
            if (!Files.isSymbolicLink(root.resolve(f))) {
                assertArrayEquals(Files.readAllBytes(dir.resolve("expected").resolve(f)), Files.readAllBytes(root.resolve(f)), f);
            }
        }
        if (c.has("expected_changes")) {
            Set<String> want = new TreeSet<>();
            for (JsonNode e : c.get("expected_changes")) {
                JsonNode o = e.get("object");
                want.add(describe(e.get("file").asText(), new ObjectId(o.get("name").asText(), o.get("namespace").asText(),
                        o.get("apiVersion").asText(), o.get("kind").asText()), e.get("old").asText(), e.get("new").asText(),
                        e.get("setter").asText()));
            }
            Set<String> got = r.changes().stream().map(ch -> describe(ch.file(), ch.object(), ch.oldValue(), ch.newValue(),
                    ch.setter())).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(want, got, "Flux's update.Result");
        }
    }

    static String describe(String file, ObjectId o, String old, String next, String setter) {
        return file + " " + o + " " + old + " -> " + next + " by " + setter;
    }

    /** Copies a case's tree; a file stored with git mode 120000 is the target of a symlink, made again as one. */
    static void copy(Path from, Path to, JsonNode modes) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                    continue;
                }
                JsonNode meta = modes.get(from.relativize(p).toString());
                if (meta != null && meta.get("mode").asText().equals("120000")) {
                    Files.createSymbolicLink(target, Path.of(Files.readString(p).trim()));
                } else {
                    Files.copy(p, target);
                    target.toFile().setWritable(true);
                }
            }
        }
    }

    static Set<String> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !Files.isDirectory(p)).map(p -> root.relativize(p).toString())
                    .filter(f -> !f.startsWith(".")).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
