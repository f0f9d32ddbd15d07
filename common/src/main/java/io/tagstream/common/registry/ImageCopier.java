package io.tagstream.common.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagstream.common.events.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copies an image between repositories so that its digest does not change: manifests (and every platform of an index)
 * are pushed as the exact bytes the source served, by digest first, then tagged; the digest the target computes is
 * checked against the source's. Blobs the target has are skipped, blobs within one registry are mounted, the rest are
 * streamed from source to target without being held in memory.
 */
public final class ImageCopier {

    /** What a copy did. */
    public record Result(String digest, String mediaType, int manifests, int blobsUploaded, int blobsMounted,
            int blobsSkipped, long bytesUploaded) {}

    /** A copy whose result is not byte-identical to the source; the promotion must fail loudly. */
    public static final class DigestMismatch extends RegistryException {
        public DigestMismatch(String message) {
            super(message, 0);
        }
    }

    private final RegistryClient source;
    private final RegistryClient target;
    private final Executor pool;
    private final AtomicInteger manifests = new AtomicInteger();
    private final AtomicInteger uploaded = new AtomicInteger();
    private final AtomicInteger mounted = new AtomicInteger();
    private final AtomicInteger skipped = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();

    private ImageCopier(RegistryClient source, RegistryClient target, Executor pool) {
        this.source = source;
        this.target = target;
        this.pool = pool;
    }

    /**
     * Copies {@code sourceRepo:reference} to {@code targetRepo} and tags it with each of {@code tags}.
     *
     * @param pool runs blob copies in parallel; its size bounds the parallelism of one copy
     */
    public static Result copy(RegistryClient source, String sourceRepo, String reference, RegistryClient target,
            String targetRepo, List<String> tags, Executor pool) {
        ImageCopier c = new ImageCopier(source, target, pool);
        // the top manifest is stored under its tags (each checked); only without tags is it stored by digest
        RegistryClient.Manifest top = c.copyManifest(sourceRepo, reference, targetRepo, tags.isEmpty());
        for (String tag : tags) {
            String stored = target.putManifest(targetRepo, tag, top.bytes(), top.mediaType());
            c.verify(top.digest(), stored, targetRepo + ":" + tag);
        }
        return new Result(top.digest(), top.mediaType(), c.manifests.get(), c.uploaded.get(), c.mounted.get(), c.skipped.get(),
                c.bytes.get());
    }

    private RegistryClient.Manifest copyManifest(String sourceRepo, String reference, String targetRepo, boolean byDigest) {
        RegistryClient.Manifest m = source.manifest(sourceRepo, reference).orElseThrow(() ->
                new RegistryException(source.settings().host() + "/" + sourceRepo + ":" + reference + " does not exist", 404));
        JsonNode json;
        try {
            json = Json.mapper().readTree(m.bytes());
        } catch (IOException e) {
            throw new UncheckedIOException("manifest " + m.digest() + " is not JSON", e);
        }
        if (json.has("manifests")) {
            for (JsonNode child : json.get("manifests")) {
                copyManifest(sourceRepo, child.path("digest").asText(), targetRepo, true); // every platform, by digest
            }
        } else {
            List<JsonNode> blobs = new ArrayList<>();
            if (json.has("config")) {
                blobs.add(json.get("config"));
            }
            json.path("layers").forEach(blobs::add);
            List<CompletableFuture<Void>> copies = new ArrayList<>();
            for (JsonNode b : blobs) {
                String digest = b.path("digest").asText();
                long size = b.path("size").asLong(-1);
                copies.add(CompletableFuture.runAsync(() -> copyBlob(sourceRepo, targetRepo, digest, size), pool));
            }
            try {
                CompletableFuture.allOf(copies.toArray(CompletableFuture[]::new)).join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : e;
            }
        }
        if (byDigest) {
            String stored = target.putManifest(targetRepo, m.digest(), m.bytes(), m.mediaType());
            verify(m.digest(), stored, targetRepo + "@" + m.digest());
        }
        manifests.incrementAndGet();
        return m;
    }

    private void copyBlob(String sourceRepo, String targetRepo, String digest, long size) {
        if (target.blobExists(targetRepo, digest)) {
            skipped.incrementAndGet();
            return;
        }
        boolean sameRegistry = source.settings().host().equals(target.settings().host());
        if (sameRegistry && target.mount(targetRepo, digest, sourceRepo)) {
            mounted.incrementAndGet();
            return;
        }
        target.upload(targetRepo, digest, size, () -> source.openBlob(sourceRepo, digest));
        uploaded.incrementAndGet();
        bytes.addAndGet(Math.max(0, size));
    }

    private void verify(String expected, String stored, String where) {
        if (!expected.equals(stored)) {
            throw new DigestMismatch("copy to " + target.settings().host() + "/" + where + " stored " + stored
                    + " but the source is " + expected + ": the target registry changed the manifest");
        }
    }
}
