package io.tagstream.gitwriter.core;

import io.tagstream.common.gotemplate.FluxCommitTemplate.ObjectId;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Flux's setter markers: a line comment {@code # {"$imagepolicy": "ns:name[:tag|:name|:digest]"}} on the line of a
 * YAML scalar names what that scalar should hold. Only the scalar's characters change: quoting style, indentation,
 * comments, key order, blank lines, document separators, CRLF line ends and the final newline stay as they were. A file
 * that does not parse, or a marker that is not on a scalar, is reported and that file is left untouched.
 */
public final class Setters {

    private static final Pattern MARKER = Pattern.compile("#\\s*\\{\\s*\"\\$imagepolicy\"\\s*:\\s*\"([^\"]+)\"\\s*}");
    /** {@code key: value} or {@code - value} (with optional key inside a list item), then spaces before the comment. */
    private static final Pattern SCALAR_LINE = Pattern.compile(
            "^(\\s*(?:-\\s+)?(?:(?:[^\\s#'\"][^#]*?|\"[^\"]*\"|'[^']*')\\s*:\\s+)?)((?:\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^']|'')*'|[^\\s#'\"][^#]*?))(\\s+)#");

    /**
     * One value rewritten.
     *
     * @param object the object (document) the value is in, as Flux's commit templates see it
     */
    public record Change(String file, String setter, String oldValue, String newValue, ObjectId object) {

        public Change(String file, String setter, String oldValue, String newValue) {
            this(file, setter, oldValue, newValue, NO_OBJECT);
        }
    }

    static final ObjectId NO_OBJECT = new ObjectId("", "", "", "");

    /** A document's lines (1-based, inclusive) and what it is. */
    private record Span(int first, int last, ObjectId object) {}

    /** A file left untouched and why, with the line to look at. */
    public record Problem(String file, int line, String message) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + message;
        }
    }

    /**
     * The outcome over a directory tree.
     *
     * @param blocked the markers (keys of the values, {@code ns:name}) that sit in a file left untouched because of a
     *     problem: their values are not in git, whatever else was written
     */
    public record Result(List<Change> changes, List<Problem> problems, List<String> filesChanged, java.util.Set<String> blocked) {

        public Result(List<Change> changes, List<Problem> problems, List<String> filesChanged) {
            this(changes, problems, filesChanged, java.util.Set.of());
        }
    }

    private Setters() {}

    /**
     * Rewrites every marker under {@code root/path} that names a key of {@code values} ({@code ns:name}).
     *
     * @param root the working tree; changed files are written in place
     */
    public static Result apply(Path root, String path, Map<String, ImageValues> values) throws IOException {
        return apply(root, path, values, new MarkerIndex());
    }

    /**
     * Remembers which files hold no marker, by modification time and size, so a warm working clone does not read
     * thousands of unchanged manifests on every run.
     */
    public static final class MarkerIndex {
        private record Seen(long modified, long size) {}

        private final Map<Path, Seen> without = new java.util.HashMap<>();

        boolean knownWithout(Path f) throws IOException {
            Seen s = without.get(f);
            return s != null && s.modified() == Files.getLastModifiedTime(f).toMillis() && s.size() == Files.size(f);
        }

        void markWithout(Path f) throws IOException {
            without.put(f, new Seen(Files.getLastModifiedTime(f).toMillis(), Files.size(f)));
        }
    }

    public static Result apply(Path root, String path, Map<String, ImageValues> values, MarkerIndex index) throws IOException {
        Path base = root.resolve(path).normalize();
        List<Change> changes = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        if (!base.startsWith(root.normalize()) || !Files.isDirectory(base)) {
            problems.add(new Problem(path, 0, "update.path '" + path + "' is not a directory of the repository"));
            return new Result(changes, problems, changed, java.util.Set.copyOf(values.keySet()));
        }
        java.util.Set<String> blocked = new java.util.TreeSet<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(base)) {
            files = s.filter(Files::isRegularFile)
                    .filter(p -> !root.relativize(p).toString().startsWith(".git"))
                    .filter(p -> {
                        String n = p.getFileName().toString();
                        return n.endsWith(".yaml") || n.endsWith(".yml") || n.equals("Kustomization");
                    })
                    .sorted()
                    .toList();
        }
        for (Path f : files) {
            String rel = root.relativize(f).toString();
            if (index.knownWithout(f)) {
                continue;
            }
            byte[] bytes = Files.readAllBytes(f);
            String text = new String(bytes, StandardCharsets.UTF_8);
            if (!text.contains("$imagepolicy")) {
                index.markWithout(f);
                continue;
            }
            FileResult r = applyText(rel, text, values);
            problems.addAll(r.problems());
            if (!r.problems().isEmpty()) {
                blocked.addAll(markersIn(text, values)); // the file is left untouched: none of its markers is set
            } else if (!r.changes().isEmpty()) {
                Files.write(f, r.text().getBytes(StandardCharsets.UTF_8));
                changes.addAll(r.changes());
                changed.add(rel);
            }
        }
        return new Result(changes, problems, changed, blocked);
    }

    /** The keys of {@code values} that markers in {@code text} name, read line by line (the text need not parse). */
    static java.util.Set<String> markersIn(String text, Map<String, ImageValues> values) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        Matcher m = MARKER.matcher(text);
        while (m.find()) {
            SetterRef.parse(m.group(1)).map(SetterRef::name).filter(values::containsKey).ifPresent(out::add);
        }
        return out;
    }

    /** The rewrite of one file's text. */
    public record FileResult(String text, List<Change> changes, List<Problem> problems) {}

    public static FileResult applyText(String file, String text, Map<String, ImageValues> values) {
        List<Problem> problems = new ArrayList<>();
        List<Span> spans = new ArrayList<>();
        try {
            for (Node doc : new Yaml(new LoaderOptions()).composeAll(new StringReader(text))) {
                // every document is parsed: a broken file is reported, never half-written
                if (doc != null) {
                    spans.add(new Span(doc.getStartMark().getLine() + 1, doc.getEndMark().getLine() + 1, identify(doc)));
                }
            }
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            problems.add(new Problem(file, line, "not valid YAML: " + e.getProblem()));
            return new FileResult(text, List.of(), problems);
        } catch (RuntimeException e) {
            problems.add(new Problem(file, 0, "not valid YAML: " + e.getMessage()));
            return new FileResult(text, List.of(), problems);
        }
        List<Change> changes = new ArrayList<>();
        StringBuilder out = new StringBuilder(text.length() + 64);
        int lineNo = 0;
        int pos = 0;
        String[] lines = text.split("(?<=\n)", -1);
        for (int i = 0; i < lines.length; i++) {
            String raw = lines[i];
            if (raw.isEmpty()) {
                continue;
            }
            lineNo++;
            String eol = raw.endsWith("\r\n") ? "\r\n" : raw.endsWith("\n") ? "\n" : "";
            String line = raw.substring(0, raw.length() - eol.length());
            Matcher marker = MARKER.matcher(line);
            if (!marker.find()) {
                out.append(raw);
                continue;
            }
            String setter = marker.group(1);
            Optional<SetterRef> ref = SetterRef.parse(setter);
            if (ref.isEmpty()) {
                problems.add(new Problem(file, lineNo, "marker '" + setter + "' is not ns:name or ns:name:tag|name|digest"));
                out.append(raw);
                continue;
            }
            ImageValues v = values.get(ref.get().name());
            if (v == null) {
                out.append(raw); // another policy's marker
                continue;
            }
            Matcher scalar = SCALAR_LINE.matcher(line);
            if (!scalar.find() || scalar.end() != marker.start() + 1 || scalar.group(2).endsWith(":")) {
                problems.add(new Problem(file, lineNo, "marker " + setter + " is not on a scalar value (a mapping or list "
                        + "cannot be set; put the marker on the line of the value)"));
                out.append(raw);
                continue;
            }
            String old = scalar.group(2);
            String unquoted = unquote(old);
            String next = v.field(ref.get().field()).orElseThrow();
            if (!unquoted.equals(next)) {
                String replaced = requote(old, next);
                out.append(line, 0, scalar.start(2)).append(replaced).append(line.substring(scalar.end(2))).append(eol);
                changes.add(new Change(file, setter, unquoted, next, objectAt(spans, lineNo)));
            } else {
                out.append(raw);
            }
        }
        return new FileResult(out.toString(), changes, problems);
    }

    private static ObjectId objectAt(List<Span> spans, int line) {
        for (Span s : spans) {
            if (s.first() <= line && line <= s.last()) {
                return s.object();
            }
        }
        return NO_OBJECT;
    }

    /** Name, namespace, apiVersion and kind of a document, each empty when absent (a kustomization.yaml has no name). */
    private static ObjectId identify(Node doc) {
        Map<String, String> top = scalars(doc);
        Map<String, String> meta = new java.util.HashMap<>();
        if (doc instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("metadata")) {
                    meta = scalars(t.getValueNode());
                }
            }
        }
        return new ObjectId(meta.getOrDefault("name", ""), meta.getOrDefault("namespace", ""),
                top.getOrDefault("apiVersion", ""), top.getOrDefault("kind", ""));
    }

    private static Map<String, String> scalars(Node node) {
        Map<String, String> out = new java.util.HashMap<>();
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && t.getValueNode() instanceof ScalarNode v) {
                    out.put(k.getValue(), v.getValue());
                }
            }
        }
        return out;
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            return v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        if (v.length() >= 2 && v.startsWith("'") && v.endsWith("'")) {
            return v.substring(1, v.length() - 1).replace("''", "'");
        }
        return v;
    }

    private static String requote(String old, String value) {
        if (old.startsWith("\"")) {
            return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
        if (old.startsWith("'")) {
            return "'" + value.replace("'", "''") + "'";
        }
        return value;
    }

    /** A marker's target: {@code ns:name} and which field ({@code ""} = the full reference). */
    record SetterRef(String name, String field) {
        static Optional<SetterRef> parse(String s) {
            String[] p = s.split(":");
            if (p.length == 2 && !p[0].isEmpty() && !p[1].isEmpty()) {
                return Optional.of(new SetterRef(p[0] + ":" + p[1], ""));
            }
            if (p.length == 3 && !p[0].isEmpty() && !p[1].isEmpty() && (p[2].equals("tag") || p[2].equals("name") || p[2].equals("digest"))) {
                return Optional.of(new SetterRef(p[0] + ":" + p[1], p[2]));
            }
            return Optional.empty();
        }
    }
}
