package io.tagstream.poller.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tagstream.common.config.ConfigLoader;
import io.tagstream.common.config.TagstreamConfig;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which selected tags digestReflectionPolicy: Always looks up, and when. */
class FollowingTest {

    static final Instant NOW = Instant.parse("2026-12-06T08:00:00Z");
    static final String D = "sha256:" + "d".repeat(64);

    static TagstreamConfig config(String reflection, String extra) {
        return new ConfigLoader().parse(Map.of("c.yaml", """
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImageRepository
                metadata: {name: shop, namespace: ns}
                spec: {image: ghcr.io/org/shop, interval: 30m}
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: dev, namespace: ns}
                spec:
                  imageRepositoryRef: {name: shop}
                  filterTags: {pattern: '^dev$'}
                  policy: {alphabetical: {}}
                  digestReflectionPolicy: %s
                  interval: 1m%s
                ---
                apiVersion: image.toolkit.fluxcd.io/v1
                kind: ImagePolicy
                metadata: {name: dev-too, namespace: ns}
                spec:
                  imageRepositoryRef: {name: shop}
                  filterTags: {pattern: '^dev$'}
                  policy: {alphabetical: {}}
                  digestReflectionPolicy: Always
                  interval: 5m
                """.formatted(reflection, extra))).config();
    }

    static final Map<String, Following.Selected> SELECTED = Map.of(
            "ns/dev", new Following.Selected("ghcr.io/org/shop", "dev", D),
            "ns/dev-too", new Following.Selected("ghcr.io/org/shop", "dev", D));

    record Row(String name, TagstreamConfig config, Map<String, Following.Selected> selected, Map<String, Instant> last,
            List<List<String>> due) {}

    @Test
    void alwaysFollowsTheSelectedTagOnThePolicysOwnInterval() {
        Map<String, Following.Selected> movedImage = Map.of("ns/dev", new Following.Selected("ghcr.io/org/old", "dev", D));
        List<Row> rows = List.of(
                new Row("never checked: both policies due, one lookup", config("Always", ""), SELECTED, Map.of(),
                        List.of(List.of("dev", "ns/dev", "ns/dev-too"))),
                new Row("checked 30 s ago: within both intervals", config("Always", ""), SELECTED,
                        Map.of("ns/dev", NOW.minusSeconds(30), "ns/dev-too", NOW.minusSeconds(30)), List.of()),
                new Row("checked 2 min ago: the 1m policy is due, the 5m one is not", config("Always", ""), SELECTED,
                        Map.of("ns/dev", NOW.minusSeconds(120), "ns/dev-too", NOW.minusSeconds(120)),
                        List.of(List.of("dev", "ns/dev"))),
                new Row("IfNotPresent never re-checks", config("IfNotPresent", ""), Map.of("ns/dev", SELECTED.get("ns/dev")),
                        Map.of(), List.of()),
                new Row("Never never re-checks", config("Never", ""), Map.of("ns/dev", SELECTED.get("ns/dev")), Map.of(),
                        List.of()),
                new Row("a suspended policy is not followed", config("Always", "\n  suspend: true"),
                        Map.of("ns/dev", SELECTED.get("ns/dev")), Map.of(), List.of()),
                new Row("a selection from an image the repository no longer names is not followed", config("Always", ""),
                        movedImage, Map.of(), List.of()),
                new Row("nothing selected yet: nothing to follow", config("Always", ""), Map.of(), Map.of(), List.of()));
        for (Row r : rows) {
            List<List<String>> due = Following.due(r.config(), r.selected(), r.last(), NOW).stream()
                    .map(d -> java.util.stream.Stream.concat(java.util.stream.Stream.of(d.tag()), d.policies().stream()).toList())
                    .toList();
            assertEquals(r.due(), due, r.name());
        }
    }
}
