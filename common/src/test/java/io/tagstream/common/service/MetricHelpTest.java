package io.tagstream.common.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every meter any service registers has its HELP text, and the filter gives it. */
class MetricHelpTest {

    static final Pattern METER = Pattern.compile("(?:counter|timer|builder|summary)\\(\\s*\"(tagstream\\.[a-z.-]+)\"");

    @Test
    void everyTagstreamMeterIsDescribed() throws IOException {
        Set<String> names = new TreeSet<>();
        for (String module : new String[] {"common", "registry-poller", "policy-evaluator", "promoter", "git-writer", "notifier"}) {
            try (Stream<Path> s = Files.walk(Path.of("..", module, "src/main/java"))) {
                for (Path f : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher m = METER.matcher(Files.readString(f));
                    while (m.find()) {
                        names.add(m.group(1));
                    }
                }
            }
        }
        assertTrue(names.size() >= 20, names.toString());
        Set<String> missing = new TreeSet<>(names);
        missing.removeAll(MetricHelp.HELP.keySet());
        assertEquals(Set.of(), missing, "meters without HELP text in MetricHelp");
        Set<String> stale = new TreeSet<>(MetricHelp.HELP.keySet());
        stale.removeAll(names);
        assertEquals(Set.of(), stale, "HELP text for meters nothing registers");
    }

    @Test
    void theFilterGivesTheText() {
        SimpleMeterRegistry r = new SimpleMeterRegistry();
        r.config().meterFilter(new MetricHelp().describeTagstreamMetrics());
        assertEquals(MetricHelp.HELP.get("tagstream.gitwriter.commits"),
                r.counter("tagstream.gitwriter.commits", "automation", "a").getId().getDescription());
        assertEquals(MetricHelp.MISSING, r.counter("tagstream.something.new").getId().getDescription());
        assertEquals(null, r.counter("jvm.other").getId().getDescription());
    }
}
