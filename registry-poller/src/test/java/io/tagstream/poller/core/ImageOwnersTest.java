package io.tagstream.poller.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tagstream.common.config.ConfigLoader;
import io.tagstream.common.config.ImageRepository;
import io.tagstream.common.config.TagstreamConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImageOwnersTest {

    static final TagstreamConfig CFG = new ConfigLoader().parse(Map.of("c.yaml", """
            apiVersion: image.toolkit.fluxcd.io/v1
            kind: ImageRepository
            metadata: {name: hub, namespace: flux-system, labels: {team: eose}}
            spec: {image: eose/merostone-relay, interval: 5m}
            ---
            apiVersion: image.toolkit.fluxcd.io/v1
            kind: ImageRepository
            metadata: {name: acr, namespace: flux-system}
            spec: {image: ctfacentry.azurecr.io/eose-fleet/merostone-relay, interval: 5m}
            ---
            apiVersion: image.toolkit.fluxcd.io/v1
            kind: ImageRepository
            metadata: {name: harbor, namespace: team-b}
            spec: {image: harbor.example/library/portal, interval: 5m}
            """)).config();

    static List<String> ids(List<ImageRepository> repos) {
        return repos.stream().map(r -> r.id().toString()).toList();
    }

    record Row(String name, String image, List<String> owners) {}

    @Test
    void anImageBelongsToTheRepositoriesNamingItsCanonicalName() {
        List<Row> rows = List.of(
                new Row("Docker Hub short name", "eose/merostone-relay", List.of("flux-system/hub")),
                new Row("Docker Hub spelled out", "docker.io/eose/merostone-relay", List.of("flux-system/hub")),
                new Row("Docker Hub's API host", "index.docker.io/eose/merostone-relay", List.of("flux-system/hub")),
                new Row("the mirror in ACR", "ctfacentry.azurecr.io/eose-fleet/merostone-relay", List.of("flux-system/acr")),
                new Row("same path, another registry", "quay.io/eose/merostone-relay", List.of()),
                new Row("not an image name", "UPPER CASE", List.of()));
        for (Row r : rows) {
            assertEquals(r.owners(), ids(ImageOwners.of(r.image(), CFG.imageRepositories())), r.name());
        }
    }

    record Hint(String name, Optional<String> host, String path, List<String> owners) {}

    @Test
    void aNotificationMatchesByPathAndByAPublicHost() {
        List<Hint> rows = List.of(
                new Hint("Docker Hub payload: no host", Optional.empty(), "eose/merostone-relay", List.of("flux-system/hub")),
                new Hint("ACR payload: its login server", Optional.of("ctfacentry.azurecr.io"), "eose-fleet/merostone-relay",
                        List.of("flux-system/acr")),
                new Hint("Harbor drops the project prefix", Optional.of("harbor.example"), "portal", List.of("team-b/harbor")),
                new Hint("an internal alias (no dot) is not held against it", Optional.of("registry"), "library/portal",
                        List.of("team-b/harbor")),
                new Hint("another public host is", Optional.of("other.example"), "library/portal", List.of()),
                new Hint("a path that only shares a suffix within a segment", Optional.empty(), "ortal", List.of()));
        for (Hint r : rows) {
            assertEquals(r.owners(), ids(ImageOwners.notified(r.host(), r.path(), CFG.imageRepositories())), r.name());
        }
    }
}
