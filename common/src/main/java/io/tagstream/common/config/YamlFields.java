package io.tagstream.common.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads one YAML mapping field by field, remembering the line of every field it reads and collecting every problem
 * with its line instead of stopping at the first. Field paths are dotted from the document root
 * ({@code spec.policy.semver.range}) so errors and later checks can name them.
 */
final class YamlFields {

    /** What every reader of one document shares: the file, the errors found, and the line of each field. */
    static final class Doc {
        final String file;
        final String what;
        final List<ConfigError> errors;
        final Map<String, Integer> lines = new LinkedHashMap<>();
        final List<String> warnings;
        final List<String> skipped;

        Doc(String file, String what, List<ConfigError> errors, List<String> warnings, List<String> skipped) {
            this.file = file;
            this.what = what;
            this.errors = errors;
            this.warnings = warnings;
            this.skipped = skipped;
        }

        void error(int line, String path, String message) {
            errors.add(new ConfigError(file, line, what + ": " + (path.isEmpty() ? "" : path + " ") + message));
        }
    }

    private final Doc doc;
    private final String path;
    private final Map<String, Node> fields = new LinkedHashMap<>();
    private final Set<String> read = new LinkedHashSet<>();
    private final int line;

    YamlFields(Doc doc, String path, MappingNode node) {
        this.doc = doc;
        this.path = path;
        // an object's errors point at its key ("policy:"), not at its first field
        this.line = doc.lines.getOrDefault(path, line(node));
        for (NodeTuple t : node.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k) {
                if (fields.put(k.getValue(), t.getValueNode()) != null) {
                    doc.error(line(k), child(k.getValue()), "is given twice");
                }
                doc.lines.putIfAbsent(child(k.getValue()), line(k));
            } else {
                doc.error(line(t.getKeyNode()), path, "has a key that is not a plain string");
            }
        }
    }

    static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }

    int line() {
        return line;
    }

    int lineOf(String key) {
        Node n = fields.get(key);
        return n == null ? line : line(n);
    }

    String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean has(String key) {
        read.add(key);
        Node n = fields.get(key);
        return n != null && !(n instanceof ScalarNode s && s.getTag().getValue().endsWith(":null"));
    }

    void error(String key, String message) {
        doc.error(lineOf(key), child(key), message);
    }

    void errorHere(String message) {
        doc.error(line, path, message);
    }

    Optional<String> string(String key) {
        if (!has(key)) {
            return Optional.empty();
        }
        Node n = fields.get(key);
        if (n instanceof ScalarNode s) {
            return Optional.of(s.getValue());
        }
        error(key, "must be a single value, not a " + shape(n));
        return Optional.empty();
    }

    /** A required string; missing or empty is an error and the empty string is returned so reading goes on. */
    String required(String key) {
        Optional<String> v = string(key);
        if (v.isEmpty() || v.get().isBlank()) {
            if (v.isEmpty() && !fields.containsKey(key)) {
                doc.error(line, child(key), "is required");
            } else {
                error(key, "must not be empty");
            }
            return "";
        }
        return v.get();
    }

    boolean bool(String key, boolean otherwise) {
        return string(key).map(v -> switch (v) {
            case "true", "True", "TRUE" -> true;
            case "false", "False", "FALSE" -> false;
            default -> {
                error(key, "must be true or false, not '" + v + "'");
                yield otherwise;
            }
        }).orElse(otherwise);
    }

    <T> Optional<T> parsed(String key, Function<String, Optional<T>> parser, String expected) {
        return string(key).flatMap(v -> {
            Optional<T> r = parser.apply(v);
            if (r.isEmpty()) {
                error(key, "'" + v + "' is not " + expected);
            }
            return r;
        });
    }

    Optional<YamlFields> object(String key) {
        if (!has(key)) {
            return Optional.empty();
        }
        Node n = fields.get(key);
        if (n instanceof MappingNode m) {
            return Optional.of(new YamlFields(doc, child(key), m));
        }
        error(key, "must be a mapping, not a " + shape(n));
        return Optional.empty();
    }

    List<YamlFields> objects(String key) {
        List<YamlFields> out = new ArrayList<>();
        sequence(key).ifPresent(seq -> {
            for (int i = 0; i < seq.getValue().size(); i++) {
                Node item = seq.getValue().get(i);
                if (item instanceof MappingNode m) {
                    out.add(new YamlFields(doc, child(key) + "[" + i + "]", m));
                } else {
                    doc.error(line(item), child(key) + "[" + i + "]", "must be a mapping, not a " + shape(item));
                }
            }
        });
        return out;
    }

    List<String> strings(String key) {
        List<String> out = new ArrayList<>();
        sequence(key).ifPresent(seq -> {
            for (int i = 0; i < seq.getValue().size(); i++) {
                Node item = seq.getValue().get(i);
                if (item instanceof ScalarNode s) {
                    out.add(s.getValue());
                    doc.lines.put(child(key) + "[" + i + "]", line(item));
                } else {
                    doc.error(line(item), child(key) + "[" + i + "]", "must be a single value, not a " + shape(item));
                }
            }
        });
        return out;
    }

    Map<String, String> stringMap(String key) {
        Map<String, String> out = new LinkedHashMap<>();
        object(key).ifPresent(o -> {
            for (String k : o.fields.keySet()) {
                o.string(k).ifPresent(v -> out.put(k, v));
            }
        });
        return out;
    }

    private Optional<SequenceNode> sequence(String key) {
        if (!has(key)) {
            return Optional.empty();
        }
        Node n = fields.get(key);
        if (n instanceof SequenceNode s) {
            return Optional.of(s);
        }
        error(key, "must be a list, not a " + shape(n));
        return Optional.empty();
    }

    /** A field that is read past: said once per field per resource, with the reason, where it is. */
    void warn(String key, String reason) {
        if (has(key)) {
            doc.warnings.add(doc.what + ": " + child(key) + " is not acted on: " + reason + " (" + doc.file + ":" + lineOf(key) + ")");
        }
    }

    /** A warning about a field that is read and used, e.g. a deprecated form: said where it is. */
    void note(String key, String message) {
        doc.warnings.add(doc.what + ": " + child(key) + " " + message + " (" + doc.file + ":" + lineOf(key) + ")");
    }

    /**
     * The file line of a value's first content line: the key's line for a plain or quoted value, the next one for a
     * block ({@code |} or {@code >}), whose content starts below the key. Template errors count from there.
     */
    int contentLine(String key) {
        Node n = fields.get(key);
        if (n instanceof ScalarNode s && (s.getScalarStyle() == org.yaml.snakeyaml.DumperOptions.ScalarStyle.LITERAL
                || s.getScalarStyle() == org.yaml.snakeyaml.DumperOptions.ScalarStyle.FOLDED)) {
            return line(n) + 1;
        }
        return lineOf(key);
    }

    /** A line for what is read past on purpose (not a problem): where it is and why. */
    void skip(String message) {
        doc.skipped.add(doc.what + ": " + message + " (" + doc.file + ":" + line + ")");
    }

    /** An error at a given file line inside a field's value. */
    void errorAt(String key, int fileLine, String message) {
        doc.error(fileLine, child(key), message);
    }

    /** The fields present that nothing has read so far. */
    List<String> unread() {
        List<String> out = new ArrayList<>();
        for (String k : fields.keySet()) {
            if (!read.contains(k)) {
                out.add(k);
            }
        }
        return out;
    }

    /** Fields present but never read: a typo or a field we do not support. Reported as warnings, not errors. */
    void warnUnread(Set<String> ignoredOnPurpose) {
        for (String k : fields.keySet()) {
            if (!read.contains(k) && !ignoredOnPurpose.contains(k)) {
                doc.warnings.add(doc.what + ": unknown field " + child(k) + " is ignored (" + doc.file + ":"
                        + lineOf(k) + ")");
            }
        }
    }

    private static String shape(Node n) {
        return switch (n.getNodeId()) {
            case mapping -> "mapping";
            case sequence -> "list";
            default -> "value";
        };
    }
}
