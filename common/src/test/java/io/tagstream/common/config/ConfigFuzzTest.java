package io.tagstream.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The configuration surface, fuzzed (issue 15; seeded, bounded): the two real setups in {@code docs/examples} and a
 * promotion setup, mutated line by line — lines deleted, duplicated, swapped, re-indented, truncated; scalar values
 * replaced by other YAML types, hostile strings, pathological patterns and ranges, anchors, aliases, alias bombs and
 * Java type tags. Whatever the text, the loader gives a configuration or refuses it with errors that each name a file
 * of the set and a line inside it (or none, for the file as a whole), with a message; it never throws anything else,
 * never takes long over a file (a stalled loader would stall every service's reload), and gives the same verdict
 * twice. {@code -Dtagstream.fuzz.seed=N} replays a run.
 */
class ConfigFuzzTest {

    static final int RUNS = Integer.getInteger("tagstream.fuzz.config-runs", 3000);

    static final String PROMOTION = """
            apiVersion: image.toolkit.fluxcd.io/v1
            kind: ImageRepository
            metadata: {name: app, namespace: flux-system}
            spec:
              image: registry.example.com/team/app
              interval: 1m
              exclusionList: ['^.*\\\\.sig$']
            ---
            apiVersion: image.toolkit.fluxcd.io/v1
            kind: ImagePolicy
            metadata: {name: app, namespace: flux-system}
            spec:
              imageRepositoryRef: {name: app}
              filterTags: {pattern: '^v(?P<v>[0-9.]+)$', extract: '$v'}
              policy:
                semver: {range: '>=1.0.0 <2.0.0-0'}
            ---
            apiVersion: tagstream.io/v1alpha1
            kind: ImagePromotion
            metadata: {name: app-prod, namespace: flux-system}
            spec:
              sourcePolicyRef: {name: app}
              target: {image: 'prod.example.com/team/app', tags: ['{{tag}}']}
              approval: {mode: manual, requiredApprovals: 2, forbidSelfApproval: true, approvers: {users: [alice], groups: [sre]}}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1
            kind: Receiver
            metadata: {name: registry, namespace: flux-system}
            spec:
              type: harbor
              secretRef: {name: webhook-token}
              resources: [{kind: ImageRepository, name: app}]
            """;

    static final List<String> VALUES = List.of("", "~", "null", "[]", "{}", "[a, [b, {c: d}]]", "{a: {b: {c: [1, 2]}}}", "0", "-1",
            "99999999999999999999999999", "1e999", ".nan", "true", "yes", "'x'", "\"\\u0000\\x1b[31m\"", "'zz?x=../../'",
            "'../../../etc/passwd'", "'" + "a".repeat(5000) + "'", "'(.*a){24}$'", "'(?<=a)b'", "'\\\\1'", "'[z-a]'", "'>=9x'",
            "'" + "9".repeat(2000) + "'", "'>=1.0.0 || '", "'{{ .Nope }}'", "'{{tag}'", "&a x", "*a", "*nowhere",
            "!!binary aGVsbG8=", "!!java.lang.ProcessBuilder [[touch, /tmp/pwned]]", "!!python/object:os.system x", "|\n  block",
            "-1h", "1y", "999999999h", "'1m\\t'", "@x", "`x`", "%x", "? complex", "'\\u202e'");

    /** A well-known YAML resource-exhaustion shape: each alias doubling what the one before stands for. */
    static final String ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            + "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
            + "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
            + "g: [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n";

    static Map<String, Map<String, String>> setups() throws IOException {
        Map<String, Map<String, String>> out = new TreeMap<>();
        out.put("promotion", Map.of("apps.yaml", PROMOTION));
        Path examples = Path.of("..", "docs", "examples");
        if (Files.isDirectory(examples)) {
            try (Stream<Path> dirs = Files.list(examples)) {
                for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
                    Map<String, String> files = new TreeMap<>();
                    try (Stream<Path> f = Files.list(d)) {
                        for (Path p : f.filter(x -> x.toString().endsWith(".yaml")).sorted().toList()) {
                            files.put(p.getFileName().toString(), Files.readString(p));
                        }
                    }
                    out.put(d.getFileName().toString(), files);
                }
            }
        }
        return out;
    }

    static String mutate(Random r, String text) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        int n = 1 + r.nextInt(3);
        for (int k = 0; k < n && !lines.isEmpty(); k++) {
            int i = r.nextInt(lines.size());
            String line = lines.get(i);
            switch (r.nextInt(9)) {
                case 0 -> lines.remove(i);
                case 1 -> lines.add(i, line);
                case 2 -> {
                    int j = r.nextInt(lines.size());
                    lines.set(i, lines.get(j));
                    lines.set(j, line);
                }
                case 3 -> lines.set(i, r.nextBoolean() ? " " + line : line.stripLeading());
                case 4 -> {
                    return String.join("\n", lines.subList(0, i)) + "\n" + line.substring(0, r.nextInt(line.length() + 1));
                }
                case 5 -> lines.add(i, r.nextBoolean() ? "---" : "\t" + line);
                case 6 -> lines.add(i, ALIAS_BOMB.lines().map(l -> line.replaceAll("\\S.*", "") + "x" + l).reduce((a, b) -> a + "\n" + b)
                        .orElseThrow());
                default -> {
                    int colon = line.indexOf(": ");
                    if (colon > 0) {
                        lines.set(i, line.substring(0, colon + 2) + VALUES.get(r.nextInt(VALUES.size())));
                    } else if (line.stripLeading().startsWith("- ")) {
                        lines.set(i, line.substring(0, line.indexOf("- ") + 2) + VALUES.get(r.nextInt(VALUES.size())));
                    }
                }
            }
        }
        return String.join("\n", lines) + (r.nextBoolean() ? "\n" : "");
    }

    /** The loader's verdict on a set of files, as text: the fingerprint of a loaded configuration, or the errors. */
    static String verdict(ConfigLoader loader, Map<String, String> files) {
        try {
            ConfigLoad load = loader.parse(files);
            return "loaded " + load.config().resources().size() + " " + load.fingerprint();
        } catch (ConfigException e) {
            assertFalse(e.errors().isEmpty(), "a refusal names at least one error");
            for (ConfigError err : e.errors()) {
                assertTrue(files.containsKey(err.file()), "an error names a file of the set: " + err + "\n" + files);
                long lines = files.get(err.file()).lines().count();
                assertTrue(err.line() >= 0 && err.line() <= lines + 1, "line within the file (" + lines + " lines): " + err);
                assertTrue(err.message() != null && !err.message().isBlank() && !err.message().contains("null (")
                        && err.message().length() < 2_000, "a readable message: " + err);
            }
            return "refused " + e.getMessage();
        }
    }

    @Test
    void anyTextIsLoadedOrRefusedWithFileLineAndFieldNeverCrashingNorStalling() throws IOException {
        long seed = Long.getLong("tagstream.fuzz.seed", 15L);
        Random r = new Random(seed);
        ConfigLoader loader = new ConfigLoader();
        Map<String, Map<String, String>> setups = setups();
        List<String> names = new ArrayList<>(setups.keySet());
        Map<String, Integer> outcomes = new TreeMap<>();
        long worst = 0;
        long t0 = System.nanoTime();
        for (int run = 0; run < RUNS; run++) {
            Map<String, String> files = new LinkedHashMap<>(setups.get(names.get(r.nextInt(names.size()))));
            List<String> keys = new ArrayList<>(files.keySet());
            String file = keys.get(r.nextInt(keys.size()));
            files.put(file, mutate(r, files.get(file)));
            long start = System.nanoTime();
            String first;
            try {
                first = verdict(loader, files);
            } catch (RuntimeException | StackOverflowError e) {
                fail("run " + run + " (seed " + seed + "): " + e + "\n--- " + file + "\n" + files.get(file), e);
                return;
            }
            long took = System.nanoTime() - start;
            worst = Math.max(worst, took);
            assertTrue(took < 5_000_000_000L, "run " + run + " took " + took / 1_000_000 + " ms:\n" + files.get(file));
            assertEquals(first, verdict(loader, files), "the same verdict twice");
            outcomes.merge(first.substring(0, first.indexOf(' ')), 1, Integer::sum);
        }
        System.out.printf("config fuzz (seed %d): %d mutated configurations over %s in %.1f s, slowest %.1f ms; %s%n", seed, RUNS,
                names, (System.nanoTime() - t0) / 1e9, worst / 1e6, outcomes);
        assertTrue(outcomes.getOrDefault("loaded", 0) > RUNS / 20, "mutations keep some configurations valid: " + outcomes);
        assertTrue(outcomes.getOrDefault("refused", 0) > RUNS / 4, "and refuse many: " + outcomes);
    }

    @Test
    void anAliasBombIsRefusedByLineNotExpanded() {
        String text = PROMOTION + "---\n" + ALIAS_BOMB;
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> new ConfigLoader().parse(Map.of("apps.yaml", text)));
        assertEquals(1, e.errors().size(), e.getMessage());
        assertTrue(e.errors().get(0).line() > 0, e.getMessage());
    }
}
