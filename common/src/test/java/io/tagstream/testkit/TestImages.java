package io.tagstream.testkit;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Platform;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Test images built with jib-core from scratch and pushed to a {@link LocalRegistry}: N layers of a given size with
 * content unique to the repository and tag, so every push has its own digest. A multi-platform index is written with
 * plain HTTP because jib only builds one from a multi-platform base image.
 */
public final class TestImages {

    static {
        // the local registries speak plain HTTP; jib refuses to send credentials over it unless told
        System.setProperty("sendCredentialsOverHttp", "true");
        System.setProperty("jib.sendCredentialsOverHttp", "true");
    }

    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    /** A pushed image: {@code host/repository:tag} and the manifest digest the registry stored. */
    public record Pushed(String reference, String repository, String tag, String digest, String mediaType, long size) {}

    private TestImages() {}

    public static Pushed push(LocalRegistry registry, String repository, String tag) {
        return push(registry, repository, tag, 1, 1024);
    }

    /** Pushes a Docker v2.2 image of {@code layers} layers of {@code layerBytes} bytes each. */
    public static Pushed push(LocalRegistry registry, String repository, String tag, int layers, int layerBytes) {
        return build(registry, repository, tag, layers, layerBytes, ImageFormat.Docker, new Platform("amd64", "linux"),
                java.time.Instant.EPOCH);
    }

    /** Pushes a one-layer image whose config says it was {@code created} then (jib's default is the Unix epoch). */
    public static Pushed pushBuilt(LocalRegistry registry, String repository, String tag, java.time.Instant created) {
        return build(registry, repository, tag, 1, 256, ImageFormat.Docker, new Platform("amd64", "linux"), created);
    }

    /** Pushes an OCI index of two single-platform OCI images (linux/amd64 and linux/arm64) under one tag. */
    public static Pushed pushIndex(LocalRegistry registry, String repository, String tag, int layerBytes) {
        return pushIndex(registry, repository, tag, layerBytes, java.time.Instant.EPOCH, java.time.Instant.EPOCH);
    }

    /** As {@link #pushIndex(LocalRegistry, String, String, int)}, each platform's config created at the time given. */
    public static Pushed pushIndex(LocalRegistry registry, String repository, String tag, int layerBytes,
            java.time.Instant amdCreated, java.time.Instant armCreated) {
        Pushed amd = build(registry, repository, tag + "-amd64", 1, layerBytes, ImageFormat.OCI, new Platform("amd64", "linux"),
                amdCreated);
        Pushed arm = build(registry, repository, tag + "-arm64", 1, layerBytes, ImageFormat.OCI, new Platform("arm64", "linux"),
                armCreated);
        String index = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":["
                + descriptor(amd, "amd64") + "," + descriptor(arm, "arm64") + "]}";
        byte[] body = index.getBytes(StandardCharsets.UTF_8);
        String digest = "sha256:" + sha256(body);
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(registry.url() + "/v2/" + repository + "/manifests/" + tag))
                .header("Content-Type", OCI_INDEX)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        registry.credentials().ifPresent(c -> put.header("Authorization", c.basic()));
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(put.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201) {
                throw new IllegalStateException("index push answered " + r.statusCode() + ": " + r.body());
            }
            String stored = r.headers().firstValue("Docker-Content-Digest").orElse(digest);
            if (!stored.equals(digest)) {
                throw new IllegalStateException("registry stored index as " + stored + ", expected " + digest);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return new Pushed(registry.host() + "/" + repository + ":" + tag, repository, tag, digest, OCI_INDEX, body.length);
    }

    private static String descriptor(Pushed p, String arch) {
        return "{\"mediaType\":\"" + p.mediaType() + "\",\"digest\":\"" + p.digest() + "\",\"size\":" + p.size()
                + ",\"platform\":{\"architecture\":\"" + arch + "\",\"os\":\"linux\"}}";
    }

    private static Pushed build(LocalRegistry registry, String repository, String tag, int layers, int layerBytes,
            ImageFormat format, Platform platform, java.time.Instant created) {
        Path work = WorkDirs.create("image");
        try {
            var builder = Jib.fromScratch().setFormat(format).setPlatforms(Set.of(platform)).setCreationTime(created);
            for (int i = 0; i < layers; i++) {
                Path file = work.resolve("layer" + i + ".bin");
                writeRandom(file, layerBytes, (repository + ":" + tag + "#" + i + "/" + platform.getArchitecture()).hashCode());
                builder.addFileEntriesLayer(FileEntriesLayer.builder()
                        .addEntry(file, AbsoluteUnixPath.get("/data/layer" + i + ".bin"))
                        .build());
            }
            RegistryImage target = RegistryImage.named(ImageReference.parse(registry.host() + "/" + repository + ":" + tag));
            registry.credentials().ifPresent(c -> target.addCredential(c.username(), c.password()));
            JibContainer c = builder.containerize(Containerizer.to(target)
                    .setAllowInsecureRegistries(true)
                    .setApplicationLayersCache(work.resolve("cache"))
                    .setBaseImageLayersCache(work.resolve("base-cache"))
                    .setToolName("tagstream-testkit"));
            String digest = c.getDigest().toString();
            byte[] manifest = fetchManifest(registry, repository, digest, format == ImageFormat.OCI ? OCI_MANIFEST
                    : "application/vnd.docker.distribution.manifest.v2+json");
            String mediaType = format == ImageFormat.OCI ? OCI_MANIFEST : "application/vnd.docker.distribution.manifest.v2+json";
            return new Pushed(registry.host() + "/" + repository + ":" + tag, repository, tag, digest, mediaType, manifest.length);
        } catch (Exception e) {
            throw new IllegalStateException("pushing " + repository + ":" + tag + " to " + registry.host() + " failed", e);
        } finally {
            WorkDirs.delete(work);
        }
    }

    /**
     * Signs {@code digest} as {@code cosign sign --key} does: a simple-signing payload naming the digest, signed with
     * {@code key} (ECDSA P-256 → SHA256withECDSA, RSA → SHA256withRSA), pushed as one layer of an OCI manifest under the
     * signature tag {@code sha256-<hex>.sig}, the signature in the layer's {@code dev.cosignproject.cosign/signature}
     * annotation.
     */
    public static Pushed pushCosignSignature(LocalRegistry registry, String repository, String digest, PrivateKey key) {
        try {
            byte[] payload = ("{\"critical\":{\"identity\":{\"docker-reference\":\"" + registry.host() + "/" + repository
                    + "\"},\"image\":{\"docker-manifest-digest\":\"" + digest + "\"},\"type\":\"cosign container image"
                    + " signature\"},\"optional\":null}").getBytes(StandardCharsets.UTF_8);
            Signature signer = Signature.getInstance(key.getAlgorithm().equals("EC") ? "SHA256withECDSA"
                    : "SHA256withRSA");
            signer.initSign(key);
            signer.update(payload);
            String signature = Base64.getEncoder().encodeToString(signer.sign());
            byte[] config = "{\"architecture\":\"\",\"os\":\"\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                    .getBytes(StandardCharsets.UTF_8);
            String payloadDigest = uploadBlob(registry, repository, payload);
            String configDigest = uploadBlob(registry, repository, config);
            String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                    + "\"application/vnd.oci.image.config.v1+json\",\"size\":" + config.length + ",\"digest\":\"" + configDigest
                    + "\"},\"layers\":[{\"mediaType\":\"application/vnd.dev.cosign.simplesigning.v1+json\",\"size\":" + payload.length
                    + ",\"digest\":\"" + payloadDigest + "\",\"annotations\":{\"dev.cosignproject.cosign/signature\":\"" + signature
                    + "\"}}]}";
            byte[] body = manifest.getBytes(StandardCharsets.UTF_8);
            String tag = digest.replace(':', '-') + ".sig";
            putManifest(registry, repository, tag, body);
            return new Pushed(registry.host() + "/" + repository + ":" + tag, repository, tag, "sha256:" + sha256(body), OCI_MANIFEST,
                    body.length);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("signing " + digest + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Pushes an OCI 1.1 artifact that refers to {@code subject} (an SBOM, an attestation): an OCI manifest with
     * {@code artifactType}, the empty config, one layer holding {@code content}, and {@code subject}; stored by digest,
     * untagged, as {@code oras attach} does. Returns it with its descriptor's fields.
     */
    public static Pushed pushReferrer(LocalRegistry registry, String repository, Pushed subject, String artifactType, String content) {
        try {
            byte[] layer = content.getBytes(StandardCharsets.UTF_8);
            byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
            String layerDigest = uploadBlob(registry, repository, layer);
            String emptyDigest = uploadBlob(registry, repository, empty);
            String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"artifactType\":\"" + artifactType
                    + "\",\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"" + emptyDigest
                    + "\",\"size\":2},\"layers\":[{\"mediaType\":\"" + artifactType + "\",\"digest\":\"" + layerDigest
                    + "\",\"size\":" + layer.length + "}],\"subject\":{\"mediaType\":\"" + subject.mediaType() + "\",\"digest\":\""
                    + subject.digest() + "\",\"size\":" + subject.size() + "}}";
            byte[] body = manifest.getBytes(StandardCharsets.UTF_8);
            String digest = "sha256:" + sha256(body);
            putManifest(registry, repository, digest, body);
            return new Pushed(registry.host() + "/" + repository + "@" + digest, repository, "", digest, OCI_MANIFEST, body.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stores an OCI manifest under a tag or digest, exactly as given. */
    private static void putManifest(LocalRegistry registry, String repository, String reference, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(registry.url() + "/v2/" + repository + "/manifests/" + reference))
                .header("Content-Type", OCI_MANIFEST).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        registry.credentials().ifPresent(c -> put.header("Authorization", c.basic()));
        HttpResponse<String> r = HttpClient.newHttpClient().send(put.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("manifest push of " + repository + ":" + reference + " answered " + r.statusCode() + ": "
                    + r.body());
        }
    }

    /** A monolithic blob upload (POST, then PUT with the digest); returns the digest. */
    private static String uploadBlob(LocalRegistry registry, String repository, byte[] blob) throws IOException, InterruptedException {
        String digest = "sha256:" + sha256(blob);
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest.Builder start = HttpRequest.newBuilder(URI.create(registry.url() + "/v2/" + repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody());
        registry.credentials().ifPresent(c -> start.header("Authorization", c.basic()));
        HttpResponse<Void> started = http.send(start.build(), HttpResponse.BodyHandlers.discarding());
        String location = started.headers().firstValue("Location").orElseThrow(() -> new IllegalStateException("upload "
                + started.statusCode() + " without a Location"));
        URI at = URI.create(location.startsWith("http") ? location : registry.url() + location);
        URI put = URI.create(at + (at.getQuery() == null ? "?" : "&") + "digest=" + digest);
        HttpRequest.Builder finish = HttpRequest.newBuilder(put).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(blob));
        registry.credentials().ifPresent(c -> finish.header("Authorization", c.basic()));
        int status = http.send(finish.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status != 201) {
            throw new IllegalStateException("blob upload answered " + status);
        }
        return digest;
    }

    static byte[] fetchManifest(LocalRegistry registry, String repository, String digest, String accept)
            throws IOException, InterruptedException {
        HttpRequest.Builder get = HttpRequest.newBuilder(URI.create(registry.url() + "/v2/" + repository + "/manifests/" + digest))
                .header("Accept", accept);
        registry.credentials().ifPresent(c -> get.header("Authorization", c.basic()));
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(get.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET manifest " + digest + " answered " + r.statusCode());
        }
        return r.body();
    }

    private static void writeRandom(Path file, int bytes, long seed) throws IOException {
        Random random = new Random(seed ^ System.nanoTime());
        byte[] buf = new byte[Math.min(bytes, 1 << 16)];
        try (OutputStream out = Files.newOutputStream(file)) {
            int left = bytes;
            while (left > 0) {
                random.nextBytes(buf);
                int n = Math.min(left, buf.length);
                out.write(buf, 0, n);
                left -= n;
            }
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Adds tags to an existing image by putting its manifest bytes under each new tag: many tags in seconds, all with
     * the image's digest (the registry stores the bytes as given).
     */
    public static void retag(LocalRegistry registry, Pushed image, List<String> tags) {
        try {
            byte[] manifest = fetchManifest(registry, image.repository(), image.digest(), image.mediaType());
            HttpClient http = HttpClient.newHttpClient();
            for (String t : tags) {
                HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(registry.url() + "/v2/" + image.repository() + "/manifests/" + t))
                        .header("Content-Type", image.mediaType())
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest));
                registry.credentials().ifPresent(c -> put.header("Authorization", c.basic()));
                int status = http.send(put.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status != 201) {
                    throw new IllegalStateException("tagging " + t + " answered " + status);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Deletes a tag's manifest (by digest, as distribution requires); every tag on that digest goes with it. */
    public static void deleteManifest(LocalRegistry registry, String repository, String digest) {
        try {
            HttpRequest.Builder del = HttpRequest.newBuilder(URI.create(registry.url() + "/v2/" + repository + "/manifests/" + digest)).DELETE();
            registry.credentials().ifPresent(c -> del.header("Authorization", c.basic()));
            int status = HttpClient.newHttpClient().send(del.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status != 202) {
                throw new IllegalStateException("delete " + digest + " answered " + status);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
