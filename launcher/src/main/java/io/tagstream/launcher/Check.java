package io.tagstream.launcher;

import io.tagstream.common.config.ConfigError;
import io.tagstream.common.config.ConfigException;
import io.tagstream.common.config.ConfigLoad;
import io.tagstream.common.config.ConfigLoader;
import io.tagstream.common.config.ImagePolicy;
import io.tagstream.common.config.ImagePromotion;
import io.tagstream.common.config.ImageUpdateAutomation;
import io.tagstream.common.config.Resource;
import io.tagstream.common.config.TagstreamConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ./tagstream check --config DIR}: loads a directory the way every service does and prints, all at once, every
 * error (file:line and field), every warning (fields read past, deprecated versions), every resource not ready with
 * the reference it misses, every document skipped, and which service uses each resource. Exit code 1 on errors, 0
 * otherwise, so it can gate a pull request to the configuration repository.
 */
public final class Check {

    static final String USAGE = """
            usage: ./tagstream check --config DIR
              loads DIR (or one YAML file) as the services will and prints every error, warning, unresolved reference,
              skipped document and which service uses each resource; exit code 1 when there are errors
            """;

    /** Which service acts on each kind, and for what. */
    static final Map<String, String> USED_BY = Map.of(
            "ImageRepository", "registry-poller (scans tags), policy-evaluator (tags to choose from)",
            "ImagePolicy", "policy-evaluator (selects a tag)",
            "ImageUpdateAutomation", "git-writer (commits and pushes)",
            "GitRepository", "git-writer (clones and pushes)",
            "Receiver", "registry-poller (registry webhooks)",
            "Registry", "registry-poller, promoter (credentials, rate limits)",
            "Provider", "notifier (where events are sent)",
            "Alert", "notifier (which events are sent)",
            "ImagePromotion", "promoter (approval, copy), git-writer (commits the promoted ref)",
            "ImageMirror", "nothing yet: mirrors are read and checked, the copy engine is not in this version");

    private Check() {}

    public static void main(String[] args) {
        if (args.length != 2 || !args[0].equals("--config")) {
            System.err.print(USAGE);
            System.exit(args.length == 1 && args[0].equals("--help") ? 0 : 2);
        }
        System.exit(run(Path.of(args[1]), System.out));
    }

    /** Prints the report; returns the exit code. */
    static int run(Path dir, PrintStream out) {
        out.println("tagstream check " + dir.toAbsolutePath().normalize());
        try {
            ConfigLoad load = new ConfigLoader().load(dir);
            List<String> warnings = new ArrayList<>(load.warnings());
            List<String> notReady = load.notReady().stream().map(Object::toString).toList();
            warnings.removeAll(notReady);
            section(out, "warnings", warnings);
            section(out, "not ready, with why (the rest applies)", notReady);
            section(out, "skipped", load.skipped());
            uses(out, load.config());
            out.println("OK: " + load.config().resources().size() + " resource(s) would be applied");
            return 0;
        } catch (ConfigException e) {
            section(out, "errors", e.errors().stream().map(ConfigError::toString).toList());
            section(out, "warnings", e.warnings());
            section(out, "skipped", e.skipped());
            out.println("REFUSED: " + e.errors().size() + " error(s); the services keep their last good configuration");
            return 1;
        }
    }

    private static void section(PrintStream out, String title, List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        out.println();
        out.println(title + " (" + lines.size() + "):");
        lines.forEach(l -> out.println("  " + l));
    }

    private static void uses(PrintStream out, TagstreamConfig config) {
        if (config.resources().isEmpty()) {
            return;
        }
        out.println();
        out.println("resources and the services that use them:");
        for (Resource r : config.resources()) {
            String extra = "";
            if (r instanceof ImagePolicy p) {
                List<String> by = new ArrayList<>();
                for (ImageUpdateAutomation a : config.automations()) {
                    if (a.selects(p.id(), p.labels())) {
                        by.add(a.id().toString());
                    }
                }
                for (ImagePromotion promo : config.promotions()) {
                    if (promo.sourcePolicyRef().equals(p.id())) {
                        by.add("promotion " + promo.id());
                    }
                }
                extra = by.isEmpty() ? "; no automation or promotion selects it: its choice is not written anywhere"
                        : "; written by " + String.join(", ", by);
            }
            out.println("  " + r.kind() + " " + r.id() + " (" + r.origin().file() + ":" + r.origin().line() + "): "
                    + USED_BY.getOrDefault(r.kind(), "-") + extra);
        }
    }
}
