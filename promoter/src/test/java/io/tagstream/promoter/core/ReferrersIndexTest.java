package io.tagstream.promoter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The referrers tag schema's index: read, and merged so that nothing listed before is lost. */
class ReferrersIndexTest {

    static byte[] index(String... digests) {
        StringBuilder b = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[");
        for (int i = 0; i < digests.length; i++) {
            b.append(i == 0 ? "" : ",").append("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"")
                    .append(digests[i]).append("\",\"size\":10,\"artifactType\":\"application/spdx+json\"}");
        }
        return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    static List<String> digests(byte[] index) {
        return ReferrersIndex.referrers(index).stream().map(ReferrersIndex.Referrer::digest).toList();
    }

    @Test
    void aMergeKeepsWhatWasListedAddsWhatIsNewAndWritesNothingWhenNothingIsNew() {
        List<ReferrersIndex.Referrer> found = ReferrersIndex.referrers(index("sha256:b", "sha256:c"));
        assertEquals(List.of("sha256:b", "sha256:c"), digests(ReferrersIndex.merged(Optional.empty(), found).orElseThrow()));
        assertEquals(List.of("sha256:a", "sha256:b", "sha256:c"),
                digests(ReferrersIndex.merged(Optional.of(index("sha256:a", "sha256:b")), found).orElseThrow()),
                "one pushed there by someone else stays");
        assertEquals(Optional.empty(), ReferrersIndex.merged(Optional.of(index("sha256:c", "sha256:b")), found));
        assertEquals("application/spdx+json", ReferrersIndex.referrers(index("sha256:a")).get(0).descriptor().path("artifactType").asText());
        assertEquals(List.of(), ReferrersIndex.referrers("not json".getBytes(StandardCharsets.UTF_8)));
    }
}
