package io.tagstream.common.config;

import io.tagstream.common.config.ImagePolicy.DigestReflection;
import io.tagstream.common.config.ImagePolicy.Order;
import io.tagstream.common.config.YamlFields.Doc;
import io.tagstream.common.gotemplate.FluxCommitTemplate;
import io.tagstream.common.gotemplate.GoTemplate;
import io.tagstream.common.gotemplate.GoTemplateException;
import io.tagstream.common.policy.PolicyChecks;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a directory of YAML files (multi-document allowed), such as a mounted ConfigMap, into a
 * {@link TagstreamConfig}. Documents of API groups we do not handle (a Kustomization next to our files, say) are
 * skipped; a document of our groups that is wrong is an error naming the file, line and field. Every error found is
 * reported at once, so a person fixes a file in one go.
 */
public final class ConfigLoader {

    static final String FLUX_IMAGE = "image.toolkit.fluxcd.io";
    static final String FLUX_SOURCE = "source.toolkit.fluxcd.io";
    static final String FLUX_NOTIFICATION = "notification.toolkit.fluxcd.io";
    static final String TAGSTREAM = "tagstream.io";

    private static final Map<String, Set<String>> VERSIONS = Map.of(
            FLUX_IMAGE, Set.of("v1", "v1beta2"),
            FLUX_SOURCE, Set.of("v1", "v1beta2"),
            FLUX_NOTIFICATION, Set.of("v1", "v1beta3", "v1beta2"),
            TAGSTREAM, Set.of("v1alpha1"));

    private static final Map<String, Set<String>> KINDS = Map.of(
            FLUX_IMAGE, Set.of("ImageRepository", "ImagePolicy", "ImageUpdateAutomation"),
            FLUX_SOURCE, Set.of("GitRepository", "OCIRepository", "HelmRepository", "HelmChart", "Bucket"),
            FLUX_NOTIFICATION, Set.of("Receiver", "Alert", "Provider"),
            TAGSTREAM, Set.of("Registry", "ImagePromotion", "ImageMirror"));

    /**
     * Fields Tagstream accepts without acting on them, silently, because what Flux does with them Tagstream does
     * anyway: a GitRepository's or Receiver's {@code interval} (git-writer fetches before every commit; a Receiver
     * acts at once). Every other Flux field Tagstream does not act on is warned about with its reason
     * ({@link #readPast}) or refused when acting otherwise would be unsafe.
     */
    private static final Set<String> IGNORED_SPEC_FIELDS = Set.of("interval");

    /** Flux fields read past, by kind, with why: one warning per field per resource at each load. */
    private static final Map<String, Map<String, String>> READ_PAST = Map.of(
            "ImageRepository", Map.of(
                    "serviceAccountName", "Tagstream does not use Kubernetes service accounts; give registry credentials"
                            + " with spec.secretRef or a Registry resource",
                    "proxySecretRef", "requests to the registry go direct; no proxy is used",
                    "accessFrom", "Tagstream does not check cross-namespace access: every reference in its configuration"
                            + " is allowed"),
            "GitRepository", Map.of(
                    "verify", "commit signatures of the fleet repository are not verified",
                    "ignore", "git-writer clones the whole branch and writes only under the automation's update.path",
                    "include", "included repositories are not fetched",
                    "recurseSubmodules", "submodules are not fetched",
                    "sparseCheckout", "git-writer clones the whole branch and writes only under the automation's update.path",
                    "timeout", "git operations are not bounded by this timeout",
                    "proxySecretRef", "git operations go direct; no proxy is used"),
            "Receiver", Map.of(
                    "events", "a registry receiver acts on the provider's push notifications only, whatever this lists"),
            "Provider", Map.of(
                    "serviceAccountName", "Tagstream does not use Kubernetes service accounts; give credentials in"
                            + " spec.secretRef",
                    "commitStatusExpr", "Tagstream sends no commit statuses"));

    private static void readPast(String kind, YamlFields s) {
        READ_PAST.getOrDefault(kind, Map.of()).forEach(s::warn);
        if (kind.equals("GitRepository")) {
            s.string("provider").filter(p -> !p.equals("generic")).ifPresent(p -> s.warn("provider",
                    "'" + p + "' authentication is not used; git-writer authenticates with spec.secretRef"));
        }
    }

    private static final Pattern TEMPLATE_VAR = Pattern.compile("\\{\\{\\s*([a-zA-Z.]+)\\s*}}");

    private final List<ConfigCheck> checks;
    /** Where flux-mirror Configs take their {@code ${VAR}}s from. */
    private final Map<String, String> env;

    public ConfigLoader(List<ConfigCheck> checks) {
        this(checks, System.getenv());
    }

    public ConfigLoader(List<ConfigCheck> checks, Map<String, String> env) {
        this.checks = List.copyOf(checks);
        this.env = Map.copyOf(env);
    }

    public ConfigLoader() {
        this(List.of());
    }

    /** Loads every {@code *.yaml}/{@code *.yml} file under the directory (a single file is accepted too). */
    public ConfigLoad load(Path dir) {
        List<Path> files = yamlFiles(dir);
        Map<String, String> texts = new java.util.LinkedHashMap<>();
        Path base = Files.isDirectory(dir) ? dir : dir.getParent();
        List<ConfigError> tooLarge = new ArrayList<>();
        long total = 0;
        if (files.size() > MAX_FILES) {
            throw new ConfigException(List.of(new ConfigError(dir.getFileName().toString(), 0, files.size()
                    + " YAML files; at most " + MAX_FILES)));
        }
        for (Path f : files) {
            String name = base.relativize(f).toString();
            try {
                long size = Files.size(f);
                total += size;
                if (size > MAX_FILE_BYTES) {
                    tooLarge.add(new ConfigError(name, 0, "the file is " + size + " bytes; at most " + MAX_FILE_BYTES
                            + " (1 MiB, what a Kubernetes ConfigMap holds): split it"));
                    continue;
                }
                texts.put(name, Files.readString(f, StandardCharsets.UTF_8));
            } catch (IOException e) {
                tooLarge.add(new ConfigError(name, 0, "cannot read: " + e.getClass().getSimpleName()));
            }
        }
        if (total > MAX_TOTAL_BYTES) {
            tooLarge.add(new ConfigError(dir.getFileName().toString(), 0, "the configuration is " + total + " bytes in all; at most "
                    + MAX_TOTAL_BYTES));
        }
        if (!tooLarge.isEmpty()) {
            throw new ConfigException(tooLarge);
        }
        return parse(texts);
    }

    /**
     * Bounds on what is read, so that a mistaken or hostile file cannot stall every service's reload: a ConfigMap holds
     * at most 1 MiB, a configuration that needs more is split into files, and no real setup has thousands of documents.
     */
    public static final long MAX_FILE_BYTES = 1 << 20;
    public static final long MAX_TOTAL_BYTES = 16L << 20;
    public static final int MAX_FILES = 1000;
    public static final int MAX_DOCUMENTS_PER_FILE = 2000;

    /** Loads from file names and their texts; names are what errors print. */
    public ConfigLoad parse(Map<String, String> files) {
        List<ConfigError> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Map<String, Integer> others = new java.util.TreeMap<>();
        List<Resource> resources = new ArrayList<>();
        for (Map.Entry<String, String> f : files.entrySet()) {
            readFile(f.getKey(), f.getValue(), resources, errors, new Notes(warnings, skipped, others));
        }
        if (!others.isEmpty()) {
            StringBuilder b = new StringBuilder();
            others.forEach((k, n) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(n > 1 ? " ×" + n : ""));
            skipped.add(others.values().stream().mapToInt(Integer::intValue).sum()
                    + " document(s) of other tools, not Tagstream's to judge: " + b);
        }
        resources = Mirrors.resolve(resources, errors);
        // every resource is checked, also one whose reference is missing: its own mistakes are said now, not after
        // the missing object is added
        TagstreamConfig all = new TagstreamConfig(resources);
        if (errors.isEmpty()) {
            crossCheck(all, errors);
        }
        if (errors.isEmpty()) {
            errors.addAll(PolicyChecks.check(all));
        }
        if (errors.isEmpty()) {
            for (ConfigCheck c : checks) {
                errors.addAll(c.check(all));
            }
        }
        List<NotReady> notReady = new ArrayList<>();
        TagstreamConfig config = References.resolve(all, notReady);
        notReady.forEach(n -> warnings.add(n.toString()));
        if (!errors.isEmpty()) {
            throw new ConfigException(errors, warnings, skipped);
        }
        return new ConfigLoad(config, List.copyOf(warnings), fingerprint(files), List.copyOf(skipped), List.copyOf(notReady));
    }

    /** The fingerprint of what {@link #load} would read now, without parsing it. */
    public static String fingerprint(Path dir) {
        Map<String, String> texts = new java.util.LinkedHashMap<>();
        for (Path f : yamlFiles(dir)) {
            try {
                long size = Files.size(f);
                // an oversized file is refused unread; its size and time stand for its content
                texts.put(f.toString(), size > MAX_FILE_BYTES ? "oversized " + size + " " + Files.getLastModifiedTime(f)
                        : Files.readString(f, StandardCharsets.UTF_8));
            } catch (IOException e) {
                texts.put(f.toString(), "unreadable: " + e.getMessage());
            }
        }
        Map<String, String> relative = new java.util.LinkedHashMap<>();
        Path base = Files.isDirectory(dir) ? dir : dir.getParent();
        texts.forEach((k, v) -> relative.put(base.relativize(Path.of(k)).toString(), v));
        return fingerprint(relative);
    }

    private static String fingerprint(Map<String, String> files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            files.forEach((name, text) -> {
                md.update(name.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(text.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            });
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Path> yamlFiles(Path dir) {
        if (Files.isRegularFile(dir)) {
            return List.of(dir);
        }
        if (!Files.isDirectory(dir)) {
            throw new ConfigException(List.of(new ConfigError(String.valueOf(dir.getFileName()), 0,
                    "configuration directory does not exist (tagstream.config.dir / TAGSTREAM_CONFIG_DIR)")));
        }
        // A mounted ConfigMap holds its files in a hidden ..data directory behind symlinks: skip dot entries so each
        // file is read once, through its visible name.
        try (Stream<Path> s = Files.walk(dir, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
            return s.filter(p -> !hidden(dir, p))
                    .filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().matches(".*\\.ya?ml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean hidden(Path root, Path p) {
        for (Path part : root.relativize(p)) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** What one load notices besides errors: warnings, documents skipped on purpose, other tools' documents by kind. */
    private record Notes(List<String> warnings, List<String> skipped, Map<String, Integer> others) {}

    private void readFile(String file, String text, List<Resource> out, List<ConfigError> errors, Notes notes) {
        Yaml yaml = new Yaml(new LoaderOptions());
        try (Reader r = new StringReader(text)) {
            int documents = 0;
            for (Node node : yaml.composeAll(r)) {
                if (node == null || node instanceof org.yaml.snakeyaml.nodes.ScalarNode sc
                        && (sc.getTag().getValue().endsWith(":null") || sc.getValue().isBlank())) {
                    continue; // an empty document, e.g. after a trailing ---
                }
                if (++documents > MAX_DOCUMENTS_PER_FILE) {
                    errors.add(new ConfigError(file, YamlFields.line(node), "more than " + MAX_DOCUMENTS_PER_FILE
                            + " documents in one file; the rest is not read: split it"));
                    break;
                }
                if (!(node instanceof MappingNode m)) {
                    errors.add(new ConfigError(file, YamlFields.line(node), "a document must be a mapping with apiVersion and kind"));
                    continue;
                }
                readDocument(file, m, errors, notes, out).ifPresent(out::add);
            }
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
            errors.add(new ConfigError(file, line, "not valid YAML: " + e.getProblem()));
        } catch (org.yaml.snakeyaml.reader.ReaderException e) {
            int at = Math.max(0, Math.min(e.getPosition(), text.length()));
            int line = 1 + (int) text.substring(0, at).chars().filter(c -> c == '\n').count();
            errors.add(new ConfigError(file, line, "not valid YAML: character " + String.format("U+%04X", e.getCodePoint())
                    + " is not allowed in YAML (write it as an escape in a double-quoted string)"));
        } catch (IOException | RuntimeException e) {
            errors.add(new ConfigError(file, 1, "not valid YAML: " + e.getMessage()));
        }
    }

    private Optional<Resource> readDocument(String file, MappingNode node, List<ConfigError> errors, Notes notes,
            List<Resource> mirrors) {
        List<String> warnings = notes.warnings();
        Doc head = new Doc(file, "document", new ArrayList<>(), warnings, notes.skipped());
        YamlFields root = new YamlFields(head, "", node);
        String apiVersion = root.string("apiVersion").orElse("");
        String kind = root.string("kind").orElse("");
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String version = slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
        if (group.equals(Mirrors.GROUP)) {
            if (!kind.equals("Config")) {
                errors.add(new ConfigError(file, root.lineOf("kind"), "unknown kind '" + kind + "' in " + group + " (known: Config)"));
            } else if (!Mirrors.VERSIONS.contains(version)) {
                errors.add(new ConfigError(file, root.lineOf("apiVersion"), "Config: apiVersion " + apiVersion + " is not"
                        + " supported (use " + group + "/v1beta2; v1beta1 is still read)"));
            } else {
                mirrors.addAll(Mirrors.fluxMirror(file, node, version, errors, warnings, notes.skipped(), env));
            }
            return Optional.empty();
        }
        if (!KINDS.containsKey(group)) {
            if (apiVersion.isEmpty() || kind.isEmpty()) {
                errors.add(new ConfigError(file, root.line(), "document has no apiVersion/kind"));
            } else if (group.endsWith(".fluxcd.io")) {
                skipFluxObject(root, file, kind, apiVersion, notes);
            } else {
                notes.others().merge(kind + " (" + apiVersion + ")", 1, Integer::sum); // another tool's: not ours to judge
            }
            return Optional.empty();
        }
        if (!KINDS.get(group).contains(kind) && (group.equals(FLUX_SOURCE) || group.equals(FLUX_NOTIFICATION))) {
            skipFluxObject(root, file, kind, apiVersion, notes); // a kind newer than this list, for another controller
            return Optional.empty();
        }
        if (!KINDS.get(group).contains(kind)) {
            errors.add(new ConfigError(file, root.lineOf("kind"), "unknown kind '" + kind + "' in " + group
                    + " (known: " + String.join(", ", new java.util.TreeSet<>(KINDS.get(group))) + ")"));
            return Optional.empty();
        }
        if (!VERSIONS.get(group).contains(version)) {
            errors.add(new ConfigError(file, root.lineOf("apiVersion"), kind + ": apiVersion " + apiVersion
                    + " is not supported (use " + group + "/" + String.join(" or " + group + "/",
                            new java.util.TreeSet<>(VERSIONS.get(group))) + ")"));
            return Optional.empty();
        }
        Optional<YamlFields> meta = root.object("metadata");
        String name = meta.map(m -> m.required("name")).orElse("");
        String namespace = meta.flatMap(m -> m.string("namespace")).orElse(ResourceId.DEFAULT_NAMESPACE);
        Map<String, String> labels = meta.map(m -> m.stringMap("labels")).orElse(Map.of());
        Map<String, String> annotations = meta.map(m -> m.stringMap("annotations")).orElse(Map.of());
        if (meta.isEmpty()) {
            errors.add(new ConfigError(file, root.line(), kind + ": metadata.name is required"));
            return Optional.empty();
        }
        errors.addAll(head.errors);
        String badName = name.isEmpty() ? null : kubernetesName(name, 253, true);
        String badNamespace = kubernetesName(namespace, 63, false);
        if (badName != null || badNamespace != null) {
            YamlFields m = meta.get();
            if (badName != null) {
                errors.add(new ConfigError(file, m.lineOf("name"), kind + ": metadata.name '" + name + "' " + badName));
            }
            if (badNamespace != null) {
                errors.add(new ConfigError(file, m.lineOf("namespace"), kind + ": metadata.namespace '" + namespace + "' " + badNamespace));
            }
            return Optional.empty();
        }
        ResourceId id = new ResourceId(namespace, name);
        Doc doc = new Doc(file, kind + " " + id, errors, warnings, notes.skipped());
        doc.lines.putAll(head.lines);
        YamlFields docRoot = new YamlFields(doc, "", node);
        Optional<YamlFields> spec = docRoot.object("spec");
        if (spec.isEmpty()) {
            if (Set.of("GitRepository", "ImageRepository", "ImagePolicy", "ImageUpdateAutomation", "Receiver",
                    "Registry", "ImagePromotion", "Provider", "Alert", "ImageMirror").contains(kind)) {
                doc.error(root.line(), "spec", "is required");
            }
            return Optional.empty();
        }
        String deprecated = DEPRECATED.get(group + "/" + version + " " + kind);
        if (deprecated != null) {
            docRoot.note("apiVersion", apiVersion + " is deprecated: " + deprecated);
        }
        if (SOURCES_SKIPPED.contains(kind)) {
            docRoot.skip("a source for Flux's source-controller; Tagstream writes only to GitRepositories");
            return Optional.empty();
        }
        int before = errors.size();
        YamlFields s = spec.get();
        Origin o = new Origin(file, root.line(), doc.lines);
        Optional<Resource> r = switch (kind) {
            case "ImageRepository" -> Optional.of(imageRepository(id, labels, s, o));
            case "ImagePolicy" -> Optional.of(imagePolicy(id, labels, s, o));
            case "ImageUpdateAutomation" -> Optional.of(automation(id, labels, annotations,
                    docRoot.object("metadata").orElseThrow(), s, o));
            case "GitRepository" -> Optional.of(gitRepository(id, labels, s, o));
            case "Receiver" -> receiver(id, labels, s, o);
            case "Registry" -> Optional.of(registry(id, labels, s, o));
            case "ImagePromotion" -> Optional.of(promotion(id, labels, s, o));
            case "Provider" -> Optional.of(provider(id, labels, s, o));
            case "Alert" -> Optional.of(alert(id, labels, s, o));
            case "ImageMirror" -> Optional.of(Mirrors.imageMirror(id, labels, s, o, env));
            default -> Optional.empty(); // not reached: every other known kind was skipped above
        };
        if (r.isPresent()) {
            readPast(kind, s);
            s.warnUnread(IGNORED_SPEC_FIELDS);
        }
        return errors.size() == before ? r : Optional.empty();
    }

    private static final Set<String> SOURCES_SKIPPED = Set.of("OCIRepository", "HelmRepository", "HelmChart", "Bucket");

    /** Versions Flux no longer serves (or will not), still read so older repositories keep working. */
    private static final Map<String, String> DEPRECATED = Map.of(
            FLUX_IMAGE + "/v1beta2 ImageRepository", "Flux 1.2 serves only image.toolkit.fluxcd.io/v1; change it to v1",
            FLUX_IMAGE + "/v1beta2 ImagePolicy", "Flux 1.2 serves only image.toolkit.fluxcd.io/v1; change it to v1",
            FLUX_IMAGE + "/v1beta2 ImageUpdateAutomation", "Flux 1.2 serves only image.toolkit.fluxcd.io/v1; change it to v1",
            FLUX_SOURCE + "/v1beta2 GitRepository", "Flux serves only source.toolkit.fluxcd.io/v1; change it to v1",
            FLUX_NOTIFICATION + "/v1beta2 Receiver", "Flux serves only notification.toolkit.fluxcd.io/v1 Receivers; change it to v1",
            FLUX_NOTIFICATION + "/v1beta3 Receiver", "Flux serves only notification.toolkit.fluxcd.io/v1 Receivers; change it to v1");

    /** A Flux object for a controller Tagstream does not replace (a Kustomization, a HelmRelease): one line, never fatal. */
    private static void skipFluxObject(YamlFields root, String file, String kind, String apiVersion, Notes notes) {
        String name = root.object("metadata").flatMap(m -> m.string("name")).orElse("?");
        String ns = root.object("metadata").flatMap(m -> m.string("namespace")).orElse(ResourceId.DEFAULT_NAMESPACE);
        notes.skipped().add(kind + " " + ns + "/" + name + ": " + apiVersion + " is for another Flux controller; Tagstream"
                + " does not use it (" + file + ":" + root.line() + ")");
    }

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    /**
     * Why a name is not one Kubernetes accepts, or null: object names are DNS-1123 subdomains (at most 253 characters,
     * lower-case letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit),
     * namespaces DNS-1123 labels (at most 63, no dots). What {@code kubectl apply} would refuse is refused here too.
     */
    static String kubernetesName(String name, int max, boolean dots) {
        if (name.length() > max) {
            return "is " + name.length() + " characters; Kubernetes allows at most " + max;
        }
        for (String part : dots ? name.split("\\.", -1) : new String[] {name}) {
            if (!DNS_LABEL.matcher(part).matches()) {
                return "is not a valid Kubernetes name (lower-case letters, digits and '-'" + (dots ? ", parts joined by '.'" : "")
                        + ", starting and ending with a letter or digit)";
            }
        }
        return null;
    }

    private static Optional<String> secretName(YamlFields s, String key) {
        return s.object(key).map(o -> o.required("name"));
    }

    private static ImageRepository imageRepository(
            ResourceId id, Map<String, String> labels, YamlFields s, Origin o) {
        String image = s.required("image");
        if (!image.isEmpty() && (image.contains(":") && image.lastIndexOf(':') > image.lastIndexOf('/')
                || image.contains("@"))) {
            s.error("image", "'" + image + "' must be a repository without tag or digest");
        }
        Duration interval = s.parsed("interval", GoDuration::parse, "a duration such as 1m or 1h30m")
                .orElse(Duration.ofMinutes(1));
        if (interval.isZero() || interval.isNegative()) {
            s.error("interval", "must be positive");
        }
        Optional<Duration> timeout = s.parsed("timeout", GoDuration::parse, "a duration such as 30s");
        List<String> exclusions = s.has("exclusionList") ? s.strings("exclusionList") : ImageRepository.DEFAULT_EXCLUSIONS;
        for (int i = 0; i < exclusions.size(); i++) {
            String problem = GoRegex.problem(exclusions.get(i));
            if (problem != null) {
                s.error("exclusionList", "entry '" + exclusions.get(i) + "' is not a valid regular expression: " + problem);
            }
        }
        Optional<Integer> maxTags = s.parsed("maxTags", ConfigLoader::positiveInt, "a positive whole number");
        String provider = cloudProvider(s, io.tagstream.common.registry.RepositoryName.canonicalOf(image)
                .map(c -> c.substring(0, c.indexOf('/'))));
        if (!provider.equals("generic") && s.has("secretRef")) {
            s.warn("provider", "spec.secretRef is set, so its credentials are used and the " + provider
                    + " identity is not (as Flux does)");
        }
        return new ImageRepository(id, labels, o, image, interval, timeout, secretName(s, "secretRef"),
                secretName(s, "certSecretRef"), provider, s.bool("insecure", false), exclusions,
                s.bool("suspend", false), maxTags,
                s.has("mutableTags") ? s.strings("mutableTags") : ImageRepository.DEFAULT_MUTABLE_TAGS);
    }

    private static ImagePolicy imagePolicy(
            ResourceId id, Map<String, String> labels, YamlFields s, Origin o) {
        ResourceId repo = s.object("imageRepositoryRef")
                .map(r -> new ResourceId(r.string("namespace").orElse(id.namespace()), r.required("name")))
                .orElseGet(() -> {
                    s.errorHere("imageRepositoryRef is required");
                    return new ResourceId(id.namespace(), "");
                });
        ImagePolicy.TagOrder order = null;
        Optional<YamlFields> policy = s.object("policy");
        if (policy.isEmpty()) {
            s.errorHere("policy is required (one of semver, numerical, alphabetical, or Tagstream's newest)");
        } else {
            YamlFields p = policy.get();
            List<String> given = Stream.of("semver", "numerical", "alphabetical", "newest").filter(p::has).toList();
            if (given.size() != 1) {
                p.errorHere(given.isEmpty() ? "must have one of semver, numerical, alphabetical, or Tagstream's newest"
                        : "must have only one of semver, numerical, alphabetical, newest, not " + String.join(" and ", given));
            } else {
                YamlFields rule = p.object(given.get(0)).orElse(null);
                if (rule != null) {
                    order = switch (given.get(0)) {
                        case "semver" -> new ImagePolicy.Semver(rule.required("range"), rule.bool("coerce", false));
                        case "numerical" -> new ImagePolicy.Numerical(order(rule));
                        case "newest" -> new ImagePolicy.Newest(newestBy(rule));
                        default -> new ImagePolicy.Alphabetical(order(rule));
                    };
                    rule.warnUnread(Set.of());
                }
            }
        }
        Optional<ImagePolicy.FilterTags> filter = s.object("filterTags").map(f -> {
            String pattern = f.string("pattern").orElse("");
            String extract = f.string("extract").orElse("");
            String problem = GoRegex.problem(pattern);
            if (problem != null) {
                f.error("pattern", "'" + pattern + "' is not a valid regular expression: " + problem);
            } else if (!extract.isEmpty()) {
                checkExtract(f, pattern, extract);
            }
            return new ImagePolicy.FilterTags(pattern, extract);
        });
        DigestReflection reflection = s.string("digestReflectionPolicy").map(v -> switch (v) {
            case "Never" -> DigestReflection.NEVER;
            case "IfNotPresent" -> DigestReflection.IF_NOT_PRESENT;
            case "Always" -> DigestReflection.ALWAYS;
            default -> {
                s.error("digestReflectionPolicy", "'" + v + "' is not one of Never, IfNotPresent, Always");
                yield DigestReflection.NEVER;
            }
        }).orElse(DigestReflection.NEVER);
        Optional<Duration> interval = s.parsed("interval", GoDuration::parse, "a duration such as 5m");
        if (reflection == DigestReflection.ALWAYS && interval.isEmpty()) {
            s.error("digestReflectionPolicy", "Always needs spec.interval (how often to re-check the digest)");
        }
        return new ImagePolicy(id, labels, o, repo, order == null ? new ImagePolicy.Alphabetical(Order.ASC) : order,
                filter, reflection, interval, s.bool("suspend", false));
    }

    /** {@code newest.by}: {@code pushed} (the default) or {@code built}. */
    private static ImagePolicy.By newestBy(YamlFields rule) {
        String by = rule.string("by").orElse("pushed");
        if (by.equals("built")) {
            return ImagePolicy.By.BUILT;
        }
        if (!by.equals("pushed")) {
            rule.error("by", "'" + by + "' is not one of pushed, built");
        }
        return ImagePolicy.By.PUSHED;
    }

    /** Flux expands extract with Go's Regexp.Expand: {@code $1}, {@code $name}, {@code ${name}}. */
    static void checkExtract(YamlFields f, String pattern, String extract) {
        com.google.re2j.Pattern compiled = GoRegex.compile(pattern);
        Matcher names = Pattern.compile("\\(\\?P?<([a-zA-Z][a-zA-Z0-9_]*)>").matcher(pattern);
        Set<String> groups = new java.util.HashSet<>();
        while (names.find()) {
            groups.add(names.group(1));
        }
        Matcher refs = Pattern.compile("\\$(?:\\{([^}]*)}|([a-zA-Z0-9_]+))").matcher(extract);
        while (refs.find()) {
            String ref = refs.group(1) != null ? refs.group(1) : refs.group(2);
            boolean ok = ref.chars().allMatch(Character::isDigit)
                    ? Integer.parseInt(ref) <= compiled.matcher("").groupCount()
                    : groups.contains(ref);
            if (!ok) {
                f.error("extract", "'" + extract + "' refers to group '" + ref + "' which pattern '" + pattern
                        + "' does not define");
            }
        }
    }

    private static Order order(YamlFields rule) {
        return rule.string("order").map(v -> switch (v) {
            case "asc" -> Order.ASC;
            case "desc" -> Order.DESC;
            default -> {
                rule.error("order", "'" + v + "' is not asc or desc");
                yield Order.ASC;
            }
        }).orElse(Order.ASC);
    }

    private static GitRef gitRef(YamlFields r) {
        return new GitRef(r.string("branch"), r.string("tag"), r.string("name"), r.string("commit"));
    }

    private static GitRepository gitRepository(
            ResourceId id, Map<String, String> labels, YamlFields s, Origin o) {
        String url = s.required("url");
        if (!url.isEmpty() && !url.matches("(?i)(https?|ssh|git|file)://.+")) {
            s.error("url", "'" + url + "' must start with https://, http://, ssh://, git:// or file://");
        }
        GitRef ref = s.object("ref").map(ConfigLoader::gitRef).orElse(GitRef.none());
        return new GitRepository(id, labels, o, url, ref, secretName(s, "secretRef"));
    }

    private static ImageUpdateAutomation automation(ResourceId id, Map<String, String> labels,
            Map<String, String> annotations, YamlFields meta, YamlFields s, Origin o) {
        ResourceId source = s.object("sourceRef").map(r -> {
            String kind = r.string("kind").orElse("GitRepository");
            if (!kind.equals("GitRepository")) {
                r.error("kind", "'" + kind + "' is not supported; only GitRepository");
            }
            r.string("apiVersion");
            return new ResourceId(r.string("namespace").orElse(id.namespace()), r.required("name"));
        }).orElseGet(() -> {
            s.errorHere("sourceRef is required");
            return new ResourceId(id.namespace(), "");
        });
        Optional<YamlFields> git = s.object("git");
        Optional<GitRef> checkout = git.flatMap(g -> g.object("checkout")).flatMap(c -> c.object("ref"))
                .map(ConfigLoader::gitRef);
        Optional<YamlFields> commit = git.flatMap(g -> g.object("commit"));
        ImageUpdateAutomation.Author author = commit.flatMap(c -> c.object("author"))
                .map(a -> new ImageUpdateAutomation.Author(a.string("name").orElse("fluxcdbot"), a.required("email")))
                .orElseGet(() -> {
                    s.errorHere("git.commit.author.email is required");
                    return new ImageUpdateAutomation.Author("", "");
                });
        Optional<String> signing = commit.flatMap(c -> c.object("signingKey")).flatMap(k -> secretName(k, "secretRef"));
        Optional<String> template = commit.flatMap(c -> c.string("messageTemplate"));
        ImageUpdateAutomation.TemplateEngine engine = templateEngine(annotations, meta);
        if (template.isPresent()) {
            checkTemplate(commit.get(), template.get(), engine);
        }
        Map<String, String> templateValues = commit.map(c -> c.stringMap("messageTemplateValues")).orElse(Map.of());
        Optional<YamlFields> push = git.flatMap(g -> g.object("push"));
        Optional<String> pushBranch = push.flatMap(p -> p.string("branch"));
        Optional<String> refspec = push.flatMap(p -> p.string("refspec"));
        refspec.ifPresent(r -> checkRefspec(push.get(), r));
        Map<String, String> options = push.map(p -> p.stringMap("options")).orElse(Map.of());
        Optional<PullRequest> pullRequest = push.flatMap(p -> p.object("pullRequest")).map(ConfigLoader::pullRequest);
        if (pullRequest.isPresent() && refspec.isPresent()) {
            push.get().error("refspec", "cannot be combined with pullRequest: the pull request is the proposal, and a"
                    + " refspec would push the same commit somewhere else unreviewed (use one or the other)");
        }
        if (pullRequest.isPresent() && pushBranch.isEmpty()) {
            push.get().error("branch", "is required with pullRequest: the pull request's head branch, which Tagstream owns"
                    + " and force-updates (never the checkout branch)");
        }
        Optional<YamlFields> update = s.object("update");
        String path = update.flatMap(u -> u.string("path")).orElse(".");
        String strategy = update.flatMap(u -> u.string("strategy")).orElse("Setters");
        if (!strategy.equals("Setters")) {
            update.ifPresent(u -> u.error("strategy", "'" + strategy + "' is not supported; only Setters"));
        }
        if (path.startsWith("/") || Path.of(path).normalize().startsWith("..")) {
            update.ifPresent(u -> u.error("path", "'" + path + "' must stay inside the repository"));
        }
        Map<String, String> selector = s.object("policySelector").map(p -> p.stringMap("matchLabels")).orElse(Map.of());
        Optional<Duration> interval = s.parsed("interval", GoDuration::parse, "a duration such as 1m");
        return new ImageUpdateAutomation(id, labels, o, source, checkout, author, signing, template, engine, templateValues, pushBranch,
                refspec, options, pullRequest, path, strategy, selector, interval, s.bool("suspend", false));
    }

    private static final Pattern FORGE_PATH = Pattern.compile("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+");

    /** {@code spec.git.push.pullRequest}, Tagstream's extension; templates are checked as commit messages are. */
    private static PullRequest pullRequest(YamlFields p) {
        String given = p.required("provider");
        PullRequest.Provider provider = switch (given.toLowerCase(Locale.ROOT)) {
            case "github" -> PullRequest.Provider.GITHUB;
            case "gitlab" -> PullRequest.Provider.GITLAB;
            case "gitea", "forgejo" -> PullRequest.Provider.GITEA;
            default -> {
                if (!given.isEmpty()) {
                    p.error("provider", "'" + given + "' is not github, gitlab or gitea (Forgejo speaks Gitea's API: use gitea)");
                }
                yield PullRequest.Provider.GITHUB;
            }
        };
        Optional<String> api = p.string("apiURL");
        api.ifPresent(u -> {
            if (!u.matches("(?i)https?://[^/\\s]+(/\\S*)?")) {
                p.error("apiURL", "'" + u + "' must be an http(s) URL such as https://gitea.example.com/api/v1");
            }
        });
        Optional<String> repository = p.string("repository");
        repository.ifPresent(r -> {
            if (!FORGE_PATH.matcher(r).matches()) {
                p.error("repository", "'" + r + "' must be owner/name (GitLab: group/…/project)");
            }
        });
        Optional<String> title = p.string("title");
        Optional<String> body = p.string("body");
        title.ifPresent(t -> checkTemplate(p, "title", t));
        body.ifPresent(t -> checkTemplate(p, "body", t));
        String method = p.string("mergeMethod").orElse("merge");
        PullRequest.MergeMethod merge = switch (method) {
            case "merge" -> PullRequest.MergeMethod.MERGE;
            case "squash" -> PullRequest.MergeMethod.SQUASH;
            case "rebase" -> PullRequest.MergeMethod.REBASE;
            default -> {
                p.error("mergeMethod", "'" + method + "' is not merge, squash or rebase");
                yield PullRequest.MergeMethod.MERGE;
            }
        };
        boolean autoMerge = p.bool("autoMerge", false);
        boolean draft = p.bool("draft", false);
        if (draft && autoMerge) {
            p.error("autoMerge", "a draft pull request is never merged; set draft or autoMerge, not both");
        }
        List<String> reviewers = p.strings("reviewers");
        List<String> assignees = p.strings("assignees");
        if (!reviewers.isEmpty()) {
            p.error("reviewers", "is not supported yet (review-request endpoints are not in the forge API descriptions"
                    + " Tagstream is tested against); use the repository's CODEOWNERS or branch protection instead");
        }
        if (!assignees.isEmpty()) {
            p.error("assignees", "is not supported yet (assignee endpoints are not in the forge API descriptions Tagstream"
                    + " is tested against); remove it");
        }
        return new PullRequest(provider, api, repository, title, body, p.strings("labels"), reviewers, assignees,
                draft, autoMerge, merge, p.object("secretRef").flatMap(r -> r.string("name")));
    }

    /** A pull request's title or body template: Go's text/template over the commit message's data. */
    private static void checkTemplate(YamlFields p, String field, String template) {
        try {
            FluxCommitTemplate.problem(GoTemplate.parse(template)).ifPresent(problem -> p.error(field, problem));
        } catch (GoTemplateException e) {
            p.errorAt(field, p.contentLine(field) + e.line() - 1, "(Go text/template, line " + e.line() + " of the template): "
                    + e.getMessage());
        }
    }

    /**
     * Flux's {@code push.refspec}: {@code source:destination}, pushed besides the push branch. As in Flux, a forced
     * ({@code +}) or deleting ({@code :dst}) refspec is refused; the destination must be a full ref name, as JGit
     * cannot guess a short one. Which sources are allowed depends on the branch, checked once it is known.
     */
    private static void checkRefspec(YamlFields push, String refspec) {
        int colon = refspec.indexOf(':');
        if (refspec.startsWith("+")) {
            push.error("refspec", "'" + refspec + "' forces the update; Flux does not allow '+' here (force pushes are"
                    + " only for a push branch the automation owns)");
        } else if (colon <= 0 || colon != refspec.lastIndexOf(':')) {
            push.error("refspec", "'" + refspec + "' must be source:destination, e.g. refs/heads/main:refs/heads/auto or"
                    + " HEAD:refs/for/main (a deletion refspec is not allowed)");
        } else if (!refspec.substring(colon + 1).startsWith("refs/") || refspec.contains("{{")) {
            push.error("refspec", "'" + refspec + "' must name a full destination ref such as refs/heads/auto or"
                    + " refs/for/main (no templates)");
        }
    }

    private static final Pattern QUTE_LIKE = Pattern.compile("\\{#(for|if|each|let)\\b|\\{[a-z][a-zA-Z0-9]*(\\.[a-zA-Z0-9]+)*}");

    /** Go's text/template, as Flux renders it, unless the annotation asks for Qute (Tagstream's extension). */
    private static ImageUpdateAutomation.TemplateEngine templateEngine(Map<String, String> annotations, YamlFields meta) {
        String v = annotations.get(ImageUpdateAutomation.ENGINE_ANNOTATION);
        if (v == null || v.equals("go")) {
            return ImageUpdateAutomation.TemplateEngine.GO;
        }
        if (v.equals("qute")) {
            return ImageUpdateAutomation.TemplateEngine.QUTE;
        }
        meta.error("annotations", ImageUpdateAutomation.ENGINE_ANNOTATION + " '" + v + "' is not go or qute");
        return ImageUpdateAutomation.TemplateEngine.GO;
    }

    /**
     * A Go template is parsed at load, so what Flux would stall on (an unknown function, {@code .Updated}, a missing
     * {@code end}) is a config error naming the construct and its line, not a failed commit later.
     */
    private static void checkTemplate(YamlFields commit, String template, ImageUpdateAutomation.TemplateEngine engine) {
        if (engine == ImageUpdateAutomation.TemplateEngine.QUTE) {
            return; // parsed by git-writer's Qute engine; Tagstream's extension
        }
        try {
            Optional<String> problem = FluxCommitTemplate.problem(GoTemplate.parse(template));
            problem.ifPresent(p -> commit.error("messageTemplate", p));
        } catch (GoTemplateException e) {
            commit.errorAt("messageTemplate", commit.contentLine("messageTemplate") + e.line() - 1, "(Go text/template, line "
                    + e.line() + " of the template): " + e.getMessage());
            return;
        }
        if (!template.contains("{{") && QUTE_LIKE.matcher(template).find()) {
            commit.note("messageTemplate", "looks like a Qute template but is rendered as Go's text/template, as Flux"
                    + " does, so it is committed as written; to keep Qute, annotate the automation with "
                    + ImageUpdateAutomation.ENGINE_ANNOTATION + ": qute");
        }
    }

    /** Kinds a Flux Receiver may name whose webhooks Tagstream leaves to Flux's own controllers. */
    private static final Set<String> RECEIVER_KINDS_SKIPPED = Set.of("GitRepository", "OCIRepository", "HelmRepository",
            "HelmChart", "Bucket", "Kustomization", "HelmRelease", "ImagePolicy", "ImageUpdateAutomation", "ArtifactGenerator");

    /**
     * A Receiver that names ImageRepositories becomes a registry webhook; one naming only other kinds (Flux's usual
     * GitRepository receiver) is skipped with a line, and the other kinds of a mixed one are said and left out.
     */
    private static Optional<Resource> receiver(
            ResourceId id, Map<String, String> labels, YamlFields s, Origin o) {
        List<Receiver.Target> targets = new ArrayList<>();
        List<String> elsewhere = new ArrayList<>();
        for (YamlFields r : s.objects("resources")) {
            r.string("apiVersion");
            String kind = r.string("kind").orElse("ImageRepository");
            String name = r.required("name");
            if (RECEIVER_KINDS_SKIPPED.contains(kind)) {
                elsewhere.add(kind + " " + name);
                continue;
            }
            if (!kind.equals("ImageRepository") && !kind.equals("ImageMirror")) {
                r.error("kind", "'" + kind + "' is not a kind a Flux Receiver can name (nor Tagstream's ImageMirror)");
            }
            targets.add(new Receiver.Target(kind, name, r.string("namespace"), r.stringMap("matchLabels")));
        }
        if (targets.isEmpty() && !elsewhere.isEmpty()) {
            s.skip("names " + String.join(", ", elsewhere) + ", webhooks for Flux's other controllers; Tagstream handles"
                    + " only ImageRepository webhooks");
            s.has("type");
            s.has("secretRef");
            return Optional.empty();
        }
        if (!elsewhere.isEmpty()) {
            s.skip("also names " + String.join(", ", elsewhere) + "; Tagstream acts only for its ImageRepositories");
        }
        String type = s.required("type");
        if (!type.isEmpty() && !Receiver.TYPES.contains(type)) {
            s.error("type", "'" + type + "' is not one of " + String.join(", ", Receiver.TYPES));
        }
        String secret = secretName(s, "secretRef").orElseGet(() -> {
            s.errorHere("secretRef is required: every webhook must be authenticated");
            return "";
        });
        if (targets.isEmpty()) {
            s.errorHere("resources must name at least one ImageRepository");
        }
        return Optional.of(new Receiver(id, labels, o, type, secret, targets));
    }

    private static Provider provider(ResourceId id, Map<String, String> labels, YamlFields s, Origin o) {
        String type = s.required("type");
        if (!type.isEmpty() && !Provider.FLUX_TYPES.contains(type)) {
            s.error("type", "'" + type + "' is not a Flux Provider type (" + String.join(", ", Provider.FLUX_TYPES) + ")");
        }
        Optional<String> address = s.string("address").filter(a -> !a.isBlank());
        address.ifPresent(a -> {
            if (a.length() > 2048) {
                s.error("address", "is longer than 2048 characters, Flux's limit");
            } else if (!type.equals("telegram") && !a.matches("(?i)https?://[^\\s]+")) {
                s.error("address", "'" + a + "' is not an http(s) URL");
            }
        });
        Optional<Duration> timeout = s.parsed("timeout", GoDuration::parse, "a duration such as 15s");
        timeout.filter(t -> t.isZero() || t.isNegative() || t.toMinutes() >= 5)
                .ifPresent(t -> s.error("timeout", "must be more than 0 and less than 5m"));
        Optional<String> proxy = s.string("proxy").filter(x -> !x.isBlank());
        proxy.ifPresent(x -> {
            if (!x.matches("(?i)https?://[^\\s/]+(/.*)?")) {
                s.error("proxy", "'" + x + "' is not an http(s) URL");
            } else {
                s.note("proxy", "is deprecated in Flux: use proxySecretRef (a Secret with address, username, password)");
            }
        });
        return new Provider(id, labels, o, type, address, s.string("channel"), s.string("username"),
                secretName(s, "secretRef"), secretName(s, "certSecretRef"), secretName(s, "proxySecretRef"), proxy, timeout,
                s.bool("suspend", false));
    }

    private static Alert alert(ResourceId id, Map<String, String> labels, YamlFields s, Origin o) {
        ResourceId provider = s.object("providerRef").map(r -> new ResourceId(id.namespace(), r.required("name")))
                .orElseGet(() -> {
                    s.errorHere("providerRef is required");
                    return new ResourceId(id.namespace(), "");
                });
        String severity = s.string("eventSeverity").orElse("info");
        if (!severity.equals("info") && !severity.equals("error")) {
            s.error("eventSeverity", "'" + severity + "' is not info or error");
        }
        List<Alert.Source> sources = new ArrayList<>();
        List<String> notOurs = new ArrayList<>();
        for (YamlFields e : s.objects("eventSources")) {
            e.string("apiVersion");
            String kind = e.required("kind");
            String name = e.required("name");
            Map<String, String> match = e.stringMap("matchLabels");
            if (!match.isEmpty() && !name.equals("*")) {
                e.error("matchLabels", "needs name '*' (Flux's rule)");
            }
            if (!kind.isEmpty() && !Alert.KINDS.contains(kind)) {
                notOurs.add(kind);
            }
            sources.add(new Alert.Source(kind, name, e.string("namespace"), match));
        }
        if (!s.has("eventSources")) {
            s.errorHere("eventSources is required");
        }
        if (!notOurs.isEmpty()) {
            s.skip("eventSources name " + String.join(", ", new java.util.TreeSet<>(notOurs)) + ": Flux's other"
                    + " controllers send those events; Tagstream sends events about " + String.join(", ", Alert.KINDS));
        }
        List<String> inclusion = regexes(s, "inclusionList");
        List<String> exclusion = regexes(s, "exclusionList");
        Optional<String> summary = s.string("summary");
        summary.ifPresent(x -> s.note("summary", "is deprecated in Flux: use eventMetadata (it is sent as metadata"
                + " 'summary')"));
        return new Alert(id, labels, o, provider, severity.equals("error"), sources, inclusion, exclusion,
                s.stringMap("eventMetadata"), summary, s.bool("suspend", false));
    }

    private static List<String> regexes(YamlFields s, String key) {
        List<String> patterns = s.strings(key);
        for (String p : patterns) {
            String problem = GoRegex.problem(p);
            if (problem != null) {
                s.error(key, "'" + p + "' " + problem);
            }
        }
        return patterns;
    }

    private static Registry registry(
            ResourceId id, Map<String, String> labels, YamlFields s, Origin o) {
        String host = s.required("host");
        if (host.contains("/")) {
            s.error("host", "'" + host + "' must be host[:port] without scheme or path");
        }
        double rps = s.parsed("requestsPerSecond", ConfigLoader::positiveDouble, "a positive number")
                .orElse(Registry.DEFAULT_REQUESTS_PER_SECOND);
        int conc = s.parsed("maxConcurrency", ConfigLoader::positiveInt, "a positive whole number")
                .orElse(Registry.DEFAULT_MAX_CONCURRENCY);
        String provider = cloudProvider(s, Optional.of(host.toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty() && !h.contains("/")));
        if (!provider.equals("generic") && (s.has("secretRef") || s.has("dockerConfigPath"))) {
            s.error("provider", "'" + provider + "' takes credentials from the pod's cloud identity; remove secretRef and "
                    + "dockerConfigPath, or use provider: generic");
        }
        return new Registry(id, labels, o, host.toLowerCase(Locale.ROOT), secretName(s, "secretRef"),
                secretName(s, "caSecretRef"), s.string("dockerConfigPath"), s.bool("insecure", false), rps, conc, provider,
                pushTimes(s));
    }

    /** Our Registry's {@code pushTimes}: which registry API tells when a tag was pushed. */
    private static Optional<String> pushTimes(YamlFields s) {
        Optional<String> api = s.string("pushTimes");
        if (api.isPresent() && !Registry.PUSH_TIME_APIS.contains(api.get())) {
            s.error("pushTimes", "'" + api.get() + "' is not a registry API Tagstream reads push times from (gitea)");
            return Optional.empty();
        }
        return api;
    }

    /**
     * {@code provider}: generic, or a cloud whose workload identity gives the registry credentials. A host the cloud
     * does not serve is a warning, not an error: private endpoints and pull-through aliases have other names.
     */
    private static String cloudProvider(YamlFields s, Optional<String> registryHost) {
        String provider = s.string("provider").orElse("generic");
        if (!Set.of("generic", "aws", "azure", "gcp").contains(provider)) {
            s.error("provider", "'" + provider + "' is not one of generic, aws, azure, gcp");
            return "generic";
        }
        registryHost.ifPresent(host -> io.tagstream.common.registry.cloud.CloudHosts.mismatch(provider, host)
                .ifPresent(expected -> s.note("provider", "'" + provider + "': registry host " + host + " is not one "
                        + provider + " serves (" + expected + "); its token is asked for anyway"
                        + (provider.equals("aws") ? " in the default region (AWS_REGION)" : ""))));
        return provider;
    }

    private static ImagePromotion promotion(
            ResourceId id, Map<String, String> labels, YamlFields s, Origin o) {
        ResourceId source = s.object("sourcePolicyRef")
                .map(r -> new ResourceId(r.string("namespace").orElse(id.namespace()), r.required("name")))
                .orElseGet(() -> {
                    s.errorHere("sourcePolicyRef is required");
                    return new ResourceId(id.namespace(), "");
                });
        Optional<ImagePromotion.Target> target = s.object("target").map(t -> {
            String image = t.required("image");
            List<String> tags = t.has("tags") ? t.strings("tags") : List.of("{{tag}}");
            for (String tag : tags) {
                Matcher m = TEMPLATE_VAR.matcher(tag);
                while (m.find()) {
                    if (!ImagePromotion.TAG_TEMPLATE_VARIABLES.contains(m.group(1))) {
                        t.error("tags", "'" + tag + "' uses {{" + m.group(1) + "}}; known: {{tag}}, {{digest}}, "
                                + "{{digest.short}}, {{policy}}");
                    }
                }
            }
            if (tags.isEmpty()) {
                t.error("tags", "must list at least one tag template");
            }
            return new ImagePromotion.Target(image, tags);
        });
        ImagePromotion.Approval approval = s.object("approval").map(a -> {
            ImagePromotion.Mode mode = a.string("mode").map(m -> switch (m) {
                case "auto" -> ImagePromotion.Mode.AUTO;
                case "manual" -> ImagePromotion.Mode.MANUAL;
                default -> {
                    a.error("mode", "'" + m + "' is not auto or manual");
                    yield ImagePromotion.Mode.MANUAL;
                }
            }).orElse(ImagePromotion.Mode.MANUAL);
            ImagePromotion.Approvers approvers = a.object("approvers").map(ap -> new ImagePromotion.Approvers(
                    ap.strings("users"), ap.strings("groups"))).orElse(ImagePromotion.Approvers.ANYONE);
            int required = a.parsed("requiredApprovals", v -> positiveInt(v)
                    .filter(n -> n <= ImagePromotion.MAX_REQUIRED_APPROVALS),
                    "a whole number from 1 to " + ImagePromotion.MAX_REQUIRED_APPROVALS).orElse(1);
            if (mode == ImagePromotion.Mode.AUTO && (required > 1 || !approvers.anyone())) {
                a.error(required > 1 ? "requiredApprovals" : "approvers", "needs mode: manual (an auto promotion is approved by no one)");
            }
            boolean forbidSelf = a.bool("forbidSelfApproval", false);
            if (forbidSelf && mode == ImagePromotion.Mode.AUTO) {
                a.error("forbidSelfApproval", "needs mode: manual (an auto promotion is approved by no one)");
            }
            return new ImagePromotion.Approval(mode, a.strings("signals"),
                    a.parsed("deadline", GoDuration::parse, "a duration such as 72h"), approvers, required, forbidSelf);
        }).orElse(new ImagePromotion.Approval(ImagePromotion.Mode.AUTO, List.of(), Optional.empty()));
        return new ImagePromotion(id, labels, o, source, target, approval, s.bool("copySignatures", false));
    }

    private static Optional<Integer> positiveInt(String v) {
        try {
            int i = Integer.parseInt(v);
            return i > 0 ? Optional.of(i) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<Double> positiveDouble(String v) {
        try {
            double d = Double.parseDouble(v);
            return d > 0 ? Optional.of(d) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Names must be unique per kind, and every reference must point at something that exists. */
    private static void crossCheck(TagstreamConfig config, List<ConfigError> errors) {
        Map<String, Resource> seen = new HashMap<>();
        for (Resource r : config.resources()) {
            Resource before = seen.putIfAbsent(r.kind() + " " + r.id(), r);
            if (before != null) {
                errors.add(new ConfigError(r.origin().file(), r.origin().line(),
                        r.kind() + " " + r.id() + " is defined twice; first at " + before.origin()));
            }
        }
        var policies = config.byId(ImagePolicy.class);
        var gits = config.byId(GitRepository.class);
        for (ImageUpdateAutomation a : config.automations()) {
            GitRepository git = gits.get(a.sourceRef());
            if (git != null && a.checkoutRef().map(GitRef::isEmpty).orElse(true) && git.ref().branch().isEmpty()) {
                errors.add(a.error("git.checkout.ref", "is required: GitRepository " + git.id()
                        + " names no branch to check out"));
            }
            Optional<String> branch = a.pushBranch().or(() -> a.checkoutRef().flatMap(GitRef::branch))
                    .or(() -> git == null ? Optional.empty() : git.ref().branch());
            if (git != null && a.pullRequest().isPresent()) {
                PullRequest pr = a.pullRequest().get();
                String base = a.checkoutRef().flatMap(GitRef::branch).or(() -> git.ref().branch()).orElse("");
                if (a.pushBranch().isPresent() && a.pushBranch().get().equals(base)) {
                    errors.add(a.error("git.push.branch", "'" + base + "' is the checkout branch; a pull request needs a"
                            + " head branch of its own, which Tagstream force-updates"));
                }
                if (pr.api(git.url()).isEmpty()) {
                    errors.add(a.error("git.push.pullRequest.apiURL", "is required: GitRepository " + git.id() + " URL '"
                            + git.url() + "' is not http(s), so the forge's API address cannot be derived from it"));
                }
                if (pr.project(git.url()).isEmpty()) {
                    errors.add(a.error("git.push.pullRequest.repository", "is required: GitRepository " + git.id() + " URL '"
                            + git.url() + "' names no owner/repository"));
                }
            }
            if (branch.isPresent() && a.pushRefspecSource().isPresent()
                    && !List.of("HEAD", branch.get(), "refs/heads/" + branch.get()).contains(a.pushRefspecSource().get())) {
                errors.add(a.error("git.push.refspec", "'" + a.pushRefspec().get() + "' pushes '" + a.pushRefspecSource().get()
                        + "', but the commit is made on branch " + branch.get() + ": use HEAD or refs/heads/" + branch.get()
                        + " as the source"));
            }
        }
        for (ImagePromotion p : config.promotions()) {
            if (policies.containsKey(new ResourceId(p.id().namespace(), p.id().name()))) {
                errors.add(p.error("", "has the same name as an ImagePolicy; setter markers could not tell them apart"));
            }
        }
        Map<ResourceId, ImageRepository> repositories = config.byId(ImageRepository.class);
        for (ImageMirror m : config.mirrors()) {
            if (repositories.containsKey(m.id())) {
                errors.add(new ConfigError(m.origin().file(), m.origin().line(), m.kind() + " " + m.id() + ": has the same name as an"
                        + " ImageRepository; the poller lists a mirror's source under the mirror's name, so the two could not be"
                        + " told apart: rename one"));
            }
        }
    }
}
