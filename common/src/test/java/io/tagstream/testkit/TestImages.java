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
import java.security.MessageDigest;
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
