package io.tagstream.common.config;

import io.tagstream.common.gotemplate.GoTemplate;
import io.tagstream.common.gotemplate.GoTemplateException;
import io.tagstream.common.config.YamlFields.Doc;
import io.tagstream.common.policy.InvalidPolicyException;
import io.tagstream.common.policy.SemverRange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;

/**
 * Mirrors in the configuration: flux-mirror's {@code Config} read unchanged ({@code mirror.plugin.fluxcd.io/v1beta2};
 * {@code v1beta1} converted with a deprecation warning), and our {@code ImageMirror} kind. A Config has no name: its
 * {@code artifacts[i]} become mirrors named {@code <file name>-<i>}, its {@code hosts[]} registry settings, and its
 * {@code charts[]} (HTTP Helm repositories) are skipped with a line. As flux-mirror does, a Config refuses fields its
 * schema does not have and substitutes {@code ${VAR}} from the environment in the values Tagstream reads.
 */
final class Mirrors {

    static final String GROUP = "mirror.plugin.fluxcd.io";
    static final Set<String> VERSIONS = Set.of("v1beta2", "v1beta1");

    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern REPOSITORY = Pattern.compile("[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)+");

    private Mirrors() {}

    /** A flux-mirror Config document: its mirrors and its hosts' registry settings. */
    static List<Resource> fluxMirror(String file, MappingNode node, String version, List<ConfigError> errors,
            List<String> warnings, List<String> skipped, Map<String, String> env) {
        Doc doc = new Doc(file, "flux-mirror Config", errors, warnings, skipped);
        YamlFields root = new YamlFields(doc, "", node);
        root.string("apiVersion");
        root.string("kind");
        if (version.equals("v1beta1")) {
            root.note("apiVersion", GROUP + "/v1beta1 is deprecated: flux-mirror converts it in memory and asks for " + GROUP
                    + "/v1beta2; so does Tagstream");
        }
        String stem = stem(file);
        Origin origin = new Origin(file, root.line(), doc.lines);
        List<Resource> out = new ArrayList<>();
        List<YamlFields> artifacts = root.objects("artifacts");
        for (int i = 0; i < artifacts.size(); i++) {
            YamlFields a = artifacts.get(i);
            ResourceId id = new ResourceId(ResourceId.DEFAULT_NAMESPACE, stem + "-" + i);
            ImageMirror m = artifact(id, a, new Origin(file, a.line(), doc.lines), env,
                    Optional.of(file + " artifacts[" + i + "]"), false);
            strict(a);
            out.add(m);
        }
        List<YamlFields> charts = root.objects("charts");
        for (int i = 0; i < charts.size(); i++) {
            YamlFields c = charts.get(i);
            c.string("name");
            c.string("source");
            c.string("destination");
            c.string("version");
            c.string("limit");
            c.string("overwrite");
            c.skip("charts[" + i + "] (" + c.string("source").orElse("") + "): HTTP Helm repositories are not mirrored by"
                    + " Tagstream; flux-mirror still copies them (OCI charts go under artifacts)");
        }
        List<YamlFields> hosts = root.objects("hosts");
        for (int i = 0; i < hosts.size(); i++) {
            host(hosts.get(i), i, stem, version, origin, env).ifPresent(out::add);
        }
        if (artifacts.isEmpty() && charts.isEmpty() && hosts.isEmpty()) {
            root.errorHere("has no artifacts, charts or hosts");
        }
        strict(root);
        return out;
    }

    /** The file's name without folder and extension, as a name part ({@code mirrors/flux-mirror.yaml} → flux-mirror). */
    static String stem(String file) {
        String name = file.substring(file.lastIndexOf('/') + 1).replaceFirst("\\.(ya?ml)$", "");
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
        return s.isEmpty() ? "config" : s;
    }

    /** flux-mirror refuses what its schema does not have (additionalProperties: false everywhere); so does Tagstream. */
    private static void strict(YamlFields f) {
        for (String k : f.unread()) {
            f.error(k, "is not a field of flux-mirror's Config here (its schema allows no other fields)");
        }
    }

    /** One mirror's fields, as an artifacts[] entry or an ImageMirror spec has them. */
    static ImageMirror artifact(ResourceId id, YamlFields a, Origin origin, Map<String, String> env, Optional<String> config,
            boolean ours) {
        String source = repository(a, "source", env);
        String destination = repository(a, "destination", env);
        if (!source.isEmpty() && source.equals(destination)) {
            a.error("destination", "is the source itself");
        }
        ImageMirror.Selector selector = a.object("selector").map(s -> selector(s, env, ours)).orElseGet(() -> {
            a.errorHere("selector is required (flux-mirror's schema requires it; {} selects the highest semver tag)");
            return new ImageMirror.Selector(Optional.empty(), Optional.empty(), Optional.empty(), ImageMirror.SortBy.SEMVER, 1);
        });
        boolean referrers = a.bool("includeReferrers", false);
        boolean overwrite = a.bool("overwrite", false);
        Optional<ImageMirror.Verify> verify = a.object("verify").map(v -> verify(v, env, ours));
        Optional<String> blocked = verify.filter(v -> v.keyless() && v.trustedRootSecretRef().isEmpty())
                .map(v -> "verify: keyless cosign verification (matchOIDCIdentity) needs a trusted root to verify against"
                        + " offline, and a Config has no field for one; Tagstream never skips a verification, so this mirror"
                        + " does not run: take it into an ImageMirror with verify.trustedRootSecretRef (or a publicKeySecretRef)");
        if (ours && blocked.isPresent()) {
            a.error("verify", "keyless verification (matchOIDCIdentity) needs trustedRootSecretRef: a secret with the"
                    + " Sigstore trusted root (trusted_root.json) to verify against offline; or verify with publicKeySecretRef");
            blocked = Optional.empty();
        }
        return new ImageMirror(id, Map.of(), origin, source, destination, selector, referrers, overwrite, verify,
                ImageMirror.DEFAULT_INTERVAL, Optional.empty(), Optional.empty(), Optional.empty(), ImageMirror.DEFAULT_CONCURRENCY,
                false, config, blocked);
    }

    private static String repository(YamlFields a, String key, Map<String, String> env) {
        String v = expand(a, key, a.required(key), env);
        if (v.isEmpty()) {
            return v;
        }
        if (v.contains("://")) {
            a.error(key, "'" + v + "' must be a repository without a scheme, e.g. ghcr.io/fluxcd/flux-cli");
        } else if (v.contains("@") || v.substring(v.lastIndexOf('/') + 1).contains(":")) {
            a.error(key, "'" + v + "' must name a repository, not a tag or digest (the selector picks the tags)");
        } else if (!REPOSITORY.matcher(v).matches()) {
            a.error(key, "'" + v + "' is not a repository reference (registry host, then lower-case path)");
        }
        return v;
    }

    private static ImageMirror.Selector selector(YamlFields s, Map<String, String> env, boolean ours) {
        Optional<String> pattern = Optional.empty();
        Optional<String> extract = Optional.empty();
        Optional<YamlFields> regex = s.object("regex");
        if (regex.isPresent()) {
            YamlFields r = regex.get();
            String p = expand(r, "pattern", r.required("pattern"), env);
            Optional<String> problem = Optional.ofNullable(GoRegex.problem(p));
            problem.ifPresent(why -> r.error("pattern", "'" + p + "' " + why));
            pattern = Optional.of(p);
            extract = r.string("extract").map(e -> expand(r, "extract", e, env));
            if (problem.isEmpty()) {
                extract.ifPresent(e -> ConfigLoader.checkExtract(r, p, e)); // the rule ImagePolicy's filterTags follows
            }
            if (!ours) {
                strict(r);
            }
        }
        Optional<String> semver = s.string("semver").map(v -> expand(s, "semver", v, env));
        semver.ifPresent(v -> {
            try {
                SemverRange.parse(v);
            } catch (InvalidPolicyException e) {
                s.error("semver", "'" + v + "' is not a semver range: " + e.getMessage());
            }
        });
        String sort = s.string("sortBy").orElse("semver");
        ImageMirror.SortBy sortBy = switch (sort) {
            case "semver" -> ImageMirror.SortBy.SEMVER;
            case "alphabetical" -> ImageMirror.SortBy.ALPHABETICAL;
            case "numerical" -> ImageMirror.SortBy.NUMERICAL;
            default -> {
                s.error("sortBy", "'" + sort + "' is not semver, alphabetical or numerical");
                yield ImageMirror.SortBy.SEMVER;
            }
        };
        int limit = s.string("limit").map(v -> {
            if (!v.matches("[0-9]{1,6}")) {
                s.error("limit", "'" + v + "' is not a whole number ≥ 0 (0: every selected tag; default 1)");
                return 1;
            }
            return Integer.parseInt(v);
        }).orElse(1);
        if (!ours) {
            strict(s);
        }
        return new ImageMirror.Selector(pattern, extract, semver, sortBy, limit);
    }

    private static ImageMirror.Verify verify(YamlFields v, Map<String, String> env, boolean ours) {
        String provider = v.required("provider");
        if (!provider.isEmpty() && !provider.equals("cosign")) {
            v.error("provider", "'" + provider + "' is not cosign (the only verifier flux-mirror and Tagstream know)");
        }
        List<ImageMirror.OidcIdentity> identities = new ArrayList<>();
        for (YamlFields i : v.objects("matchOIDCIdentity")) {
            String issuer = expand(i, "issuer", i.required("issuer"), env);
            String subject = expand(i, "subject", i.required("subject"), env);
            Optional.ofNullable(GoRegex.problem(subject)).ifPresent(p -> i.error("subject", "'" + subject + "' " + p));
            identities.add(new ImageMirror.OidcIdentity(issuer, subject));
            if (!ours) {
                strict(i);
            }
        }
        Optional<Duration> minAge = v.parsed("minAge", GoDuration::parse, "a duration such as 48h");
        Optional<String> key = ours ? v.object("publicKeySecretRef").flatMap(r -> r.string("name")) : Optional.empty();
        Optional<String> root = ours ? v.object("trustedRootSecretRef").flatMap(r -> r.string("name")) : Optional.empty();
        if (key.isPresent() && !identities.isEmpty()) {
            v.error("publicKeySecretRef", "and matchOIDCIdentity are two ways to verify: give one");
        }
        if (!ours) {
            strict(v);
        }
        return new ImageMirror.Verify(provider, List.copyOf(identities), minAge, key, root);
    }

    /**
     * A hosts[] entry as registry settings. {@code provider: ecr|acr|gar} becomes a Registry that takes the pod's cloud
     * identity; a plain CA bundle ({@code tls.serverAuth.value}/{@code fromPath}) and static or minted credentials are
     * not read (warned, with what to do instead); nothing else is needed for a host Tagstream reaches with its own
     * Registry secrets or docker config.
     */
    private static Optional<Resource> host(YamlFields h, int i, String stem, String version, Origin origin,
            Map<String, String> env) {
        String host = expand(h, "host", h.required("host"), env);
        String provider = h.string("provider").orElse("generic");
        String cloud = switch (provider) {
            case "ecr" -> "aws";
            case "acr" -> "azure";
            case "gar" -> "gcp";
            case "generic" -> {
                if (version.equals("v1beta1") && h.has("provider")) {
                    h.error("provider", "'generic' is a v1beta2 value; v1beta1 knows ecr, acr and gar");
                }
                yield "generic";
            }
            default -> {
                h.error("provider", "'" + provider + "' is not ecr, acr, gar" + (version.equals("v1beta1") ? "" : " or generic"));
                yield "generic";
            }
        };
        boolean hasCredential = h.has("credential");
        boolean hasTls = h.has("tls");
        if (!cloud.equals("generic") && (hasCredential || hasTls)) {
            h.error("provider", "'" + provider + "' takes the cloud's workload identity; flux-mirror does not allow credential"
                    + " or tls beside it");
        }
        if (!h.has("credential") && !h.has("tls") && !h.has("maxChunkSize") && cloud.equals("generic")) {
            h.errorHere("needs at least one of credential, provider, tls or maxChunkSize (flux-mirror's rule)");
        }
        h.warn("credential", "flux-mirror's credential sources (inline or file tokens, CI OIDC, SPIFFE, signed JWKs) are not"
                + " read: give " + host + " a Registry (tagstream.io/v1alpha1) with a secretRef, a docker config, or a cloud"
                + " provider");
        h.warn("tls", "TLS settings of flux-mirror are not read: give " + host + " a Registry with caSecretRef (mutual TLS and"
                + " SPIFFE are not supported)");
        h.warn("maxChunkSize", "blobs are uploaded as the registry client does (monolithic or streamed), not in chunks");
        if (version.equals("v1beta1")) {
            h.warn("username", "flux-mirror v1beta1's username goes with its credential, which is not read (see credential)");
        }
        strict(h);
        if (cloud.equals("generic") || host.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Registry(new ResourceId(ResourceId.DEFAULT_NAMESPACE, stem + "-host-" + i), Map.of(), origin, host,
                Optional.empty(), Optional.empty(), Optional.empty(), false, Registry.DEFAULT_REQUESTS_PER_SECOND,
                Registry.DEFAULT_MAX_CONCURRENCY, cloud, Optional.empty()));
    }

    /** flux-mirror's {@code ${VAR}}: every variable named must be set. */
    static String expand(YamlFields f, String key, String value, Map<String, String> env) {
        Matcher m = VAR.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = env.get(m.group(1));
            if (v == null) {
                f.error(key, "names ${" + m.group(1) + "}, which is not set in the environment (flux-mirror substitutes every"
                        + " ${VAR} at load and refuses an unset one; so does Tagstream)");
                v = "";
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Our ImageMirror: a Config entry taken by its destination ({@code configRef}), or the same fields standing alone. */
    static ImageMirror imageMirror(ResourceId id, Map<String, String> labels, YamlFields s, Origin origin, Map<String, String> env) {
        Optional<YamlFields> ref = s.object("configRef");
        ImageMirror base;
        if (ref.isPresent()) {
            String destination = ref.get().required("destination");
            for (String k : List.of("source", "destination", "selector", "includeReferrers", "overwrite", "verify")) {
                if (s.has(k)) {
                    s.error(k, "comes from the Config entry named by configRef; give it there, or drop configRef");
                }
            }
            base = new ImageMirror(id, labels, origin, "", destination, new ImageMirror.Selector(Optional.empty(),
                    Optional.empty(), Optional.empty(), ImageMirror.SortBy.SEMVER, 1), false, false, Optional.empty(),
                    ImageMirror.DEFAULT_INTERVAL, Optional.empty(), Optional.empty(), Optional.empty(),
                    ImageMirror.DEFAULT_CONCURRENCY, false, Optional.of("configRef"), Optional.empty());
        } else {
            base = artifact(id, s, origin, env, Optional.empty(), true);
        }
        Duration interval = s.parsed("interval", GoDuration::parse, "a duration such as 10m").orElse(ImageMirror.DEFAULT_INTERVAL);
        if (interval.compareTo(Duration.ofSeconds(10)) < 0) {
            s.error("interval", "is shorter than 10s; webhooks (a Receiver naming this mirror) bring new tags sooner");
        }
        Optional<String> template = s.string("tagTemplate");
        template.ifPresent(t -> {
            if (!t.contains("{{")) {
                s.error("tagTemplate", "'" + t + "' has no {{ .Tag }}: every tag would land on one name");
                return;
            }
            try {
                GoTemplate.parse(t).execute(Map.of("Tag", "1.0.0"));
            } catch (GoTemplateException e) {
                s.error("tagTemplate", "'" + t + "' is not a Go template over .Tag: " + e.getMessage());
            }
        });
        Optional<Duration> minAge = s.parsed("minAge", GoDuration::parse, "a duration such as 1h");
        Optional<ImageMirror.Prune> prune = s.object("prune").map(p -> {
            int keep = p.string("keepLast").map(v -> {
                if (!v.matches("[0-9]{1,6}") || Integer.parseInt(v) < 1) {
                    p.error("keepLast", "'" + v + "' is not a whole number ≥ 1 (pruning never leaves a mirror empty)");
                    return 1;
                }
                return Integer.parseInt(v);
            }).orElseGet(() -> {
                p.errorHere("keepLast is required: how many of the newest mirrored tags always stay");
                return 1;
            });
            Optional<Duration> older = p.parsed("olderThan", GoDuration::parse, "a duration such as 168h");
            return new ImageMirror.Prune(keep, older, p.bool("untagged", false));
        });
        int concurrency = s.string("concurrency").map(v -> {
            if (!v.matches("[0-9]{1,3}") || Integer.parseInt(v) < 1 || Integer.parseInt(v) > 64) {
                s.error("concurrency", "'" + v + "' is not a whole number 1–64");
                return ImageMirror.DEFAULT_CONCURRENCY;
            }
            return Integer.parseInt(v);
        }).orElse(ImageMirror.DEFAULT_CONCURRENCY);
        return new ImageMirror(id, labels, origin, base.source(), base.destination(), base.selector(), base.includeReferrers(),
                base.overwrite(), base.verify(), interval, template, minAge, prune, concurrency, s.bool("suspend", false),
                base.config(), base.blocked());
    }

    /**
     * ImageMirrors with a configRef take the Config entry with that destination (which then runs only as the
     * ImageMirror); a configRef that names no entry is an error.
     */
    static List<Resource> resolve(List<Resource> resources, List<ConfigError> errors) {
        Map<String, ImageMirror> entries = new LinkedHashMap<>();
        for (Resource r : resources) {
            if (r instanceof ImageMirror m && m.config().filter(c -> !c.equals("configRef")).isPresent()) {
                entries.putIfAbsent(m.destination(), m);
            }
        }
        List<Resource> out = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        for (Resource r : resources) {
            if (r instanceof ImageMirror m && m.config().filter(c -> c.equals("configRef")).isPresent()) {
                ImageMirror entry = entries.get(m.destination());
                if (entry == null) {
                    errors.add(m.error("configRef.destination", "'" + m.destination() + "' is the destination of no flux-mirror"
                            + " Config entry in this configuration"));
                    continue;
                }
                if (!taken.add(m.destination())) {
                    errors.add(m.error("configRef.destination", "'" + m.destination() + "' is taken by another ImageMirror"));
                    continue;
                }
                out.add(new ImageMirror(m.id(), m.labels(), m.origin(), entry.source(), entry.destination(), entry.selector(),
                        entry.includeReferrers(), entry.overwrite(), entry.verify(), m.interval(), m.tagTemplate(), m.minAge(),
                        m.prune(), m.concurrency(), m.suspend(), entry.config(), entry.blocked()));
            }
        }
        for (Resource r : resources) {
            if (r instanceof ImageMirror m && m.config().filter(c -> c.equals("configRef")).isPresent()) {
                continue;
            }
            if (r instanceof ImageMirror m && m.config().isPresent() && taken.contains(m.destination())) {
                continue; // runs as the ImageMirror that takes it
            }
            out.add(r);
        }
        Map<String, ImageMirror> byDestination = new LinkedHashMap<>();
        for (Resource r : out) {
            if (r instanceof ImageMirror m) {
                ImageMirror before = byDestination.putIfAbsent(m.destination(), m);
                if (before != null) {
                    errors.add(m.error("destination", "'" + m.destination() + "' is also the destination of " + before.kind() + " "
                            + before.id() + " (" + before.origin().file() + "): two mirrors would fight over its tags"));
                }
            }
        }
        return out;
    }
}
