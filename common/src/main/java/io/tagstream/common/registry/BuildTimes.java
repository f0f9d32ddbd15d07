package io.tagstream.common.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.common.events.Json;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * When an image was built: its config's {@code created} (RFC 3339). For an index, the newest platform's, leaving out
 * attestation manifests (BuildKit's {@code vnd.docker.reference.type} and {@code unknown/unknown} entries). A
 * single-platform image costs one config GET on top of its manifest; an index one manifest GET and one config GET per
 * platform. Digests never change, so callers keep the answer by digest for good.
 */
public final class BuildTimes {

    /** What is read of a config blob at most: configs are small, a larger blob is not one. */
    static final int MAX_CONFIG = 4 << 20;
    static final int MAX_PLATFORMS = 64;

    private BuildTimes() {}

    /** The build time of the image {@code manifest} is; empty when its config gives none (or gives the Unix epoch). */
    public static Optional<Instant> of(RegistryClient client, String repository, RegistryClient.Manifest manifest) {
        JsonNode doc = parse(manifest.bytes(), repository + "@" + manifest.digest());
        JsonNode children = doc.path("manifests");
        if (children.isArray()) {
            Optional<Instant> newest = Optional.empty();
            int n = 0;
            for (JsonNode child : children) {
                if (attestation(child) || ++n > MAX_PLATFORMS) {
                    continue;
                }
                String digest = child.path("digest").asText("");
                OciGrammar.requireDigest(digest);
                Optional<Instant> t = client.manifest(repository, digest)
                        .flatMap(m -> ofManifest(client, repository, parse(m.bytes(), repository + "@" + digest)));
                if (t.isPresent() && (newest.isEmpty() || t.get().isAfter(newest.get()))) {
                    newest = t;
                }
            }
            return newest;
        }
        return ofManifest(client, repository, doc);
    }

    private static Optional<Instant> ofManifest(RegistryClient client, String repository, JsonNode manifest) {
        String config = manifest.path("config").path("digest").asText("");
        if (config.isEmpty()) {
            return Optional.empty(); // schema 1 or an artifact without a config: nothing says when it was built
        }
        OciGrammar.requireDigest(config);
        byte[] bytes;
        try (InputStream in = client.openBlob(repository, config)) {
            bytes = in.readNBytes(MAX_CONFIG + 1);
        } catch (IOException e) {
            throw new RegistryException("cannot read config " + config + " of " + repository + ": " + e.getMessage(), e);
        }
        if (bytes.length > MAX_CONFIG) {
            throw new RegistryException("config " + config + " of " + repository + " is larger than " + MAX_CONFIG
                    + " bytes: not an image config", 0);
        }
        return created(parse(bytes, repository + "@" + config).path("created").asText(""));
    }

    /** An RFC 3339 time, as Go writes it; the epoch (reproducible builds' placeholder) and nonsense say nothing. */
    static Optional<Instant> created(String text) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            Instant t = OffsetDateTime.parse(text).toInstant();
            return t.getEpochSecond() <= 0 ? Optional.empty() : Optional.of(t);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static boolean attestation(JsonNode child) {
        return child.path("annotations").has("vnd.docker.reference.type")
                || "unknown".equals(child.path("platform").path("os").asText());
    }

    private static JsonNode parse(byte[] bytes, String what) {
        try {
            return Json.mapper().readTree(bytes);
        } catch (IOException e) {
            throw new RegistryException(what + " is not JSON: " + e.getMessage(), e);
        }
    }
}
