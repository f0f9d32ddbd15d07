package io.tagstream.promoter.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tagstream.common.events.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * OCI 1.1 referrers as an image index of descriptors: what the referrers API answers, and what the referrers tag schema
 * stores under {@code sha256-<hex>} in a registry without the API. A mirror copies each referrer by digest and, where the
 * destination has no API, keeps that tag's index listing them — merged, so referrers pushed there by others stay.
 */
public final class ReferrersIndex {

    private ReferrersIndex() {}

    /** One referrer: the descriptor as listed (digest, mediaType, size, artifactType, annotations). */
    public record Referrer(String digest, String mediaType, JsonNode descriptor) {}

    /** The referrers an index lists (an unreadable one lists none). */
    public static List<Referrer> referrers(byte[] index) {
        List<Referrer> out = new ArrayList<>();
        try {
            for (JsonNode d : Json.mapper().readTree(index).path("manifests")) {
                if (d.path("digest").isTextual()) {
                    out.add(new Referrer(d.get("digest").asText(), d.path("mediaType").asText(""), d));
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return out;
    }

    /**
     * The tag schema's index holding every referrer of {@code existing} (if any) and of {@code found}, in that order;
     * empty when {@code existing} lists them all already (nothing to write).
     */
    public static Optional<byte[]> merged(Optional<byte[]> existing, List<Referrer> found) {
        List<Referrer> before = existing.map(ReferrersIndex::referrers).orElse(List.of());
        Set<String> have = new LinkedHashSet<>();
        before.forEach(r -> have.add(r.digest()));
        List<Referrer> added = found.stream().filter(r -> !have.contains(r.digest())).toList();
        if (added.isEmpty() && existing.isPresent()) {
            return Optional.empty();
        }
        ObjectNode index = Json.mapper().createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", "application/vnd.oci.image.index.v1+json");
        ArrayNode manifests = index.putArray("manifests");
        before.forEach(r -> manifests.add(r.descriptor()));
        Set<String> seen = new LinkedHashSet<>(have);
        added.stream().filter(r -> seen.add(r.digest())).forEach(r -> manifests.add(r.descriptor()));
        return Optional.of(index.toString().getBytes(StandardCharsets.UTF_8));
    }
}
