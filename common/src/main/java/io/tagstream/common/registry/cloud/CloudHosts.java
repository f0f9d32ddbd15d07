package io.tagstream.common.registry.cloud;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The registry host names each cloud serves, as the clouds document them; what a host tells about account and region. */
public final class CloudHosts {

    private static final Pattern ECR = Pattern.compile(
            "^(\\d{12})\\.dkr\\.ecr(?:-fips)?\\.([a-z0-9-]+)\\.(?:amazonaws\\.com(?:\\.cn)?|on\\.aws|sc2s\\.sgov\\.gov|c2s\\.ic\\.gov)$");
    private static final Pattern ACR = Pattern.compile("^[a-z0-9-]+\\.azurecr\\.(?:io|cn|us|de)$");
    private static final Pattern GCP = Pattern.compile("^(?:[a-z]+\\.)?gcr\\.io$|^[a-z0-9-]+-docker\\.pkg\\.dev$");

    /** An ECR registry's account and region. */
    public record Ecr(String account, String region) {}

    private CloudHosts() {}

    public static Optional<Ecr> ecr(String host) {
        Matcher m = ECR.matcher(host);
        return m.matches() ? Optional.of(new Ecr(m.group(1), m.group(2))) : Optional.empty();
    }

    /** Whether the host is one the provider serves; empty when it is (or the provider is generic), else what it expects. */
    public static Optional<String> mismatch(String provider, String host) {
        return switch (provider) {
            case "aws" -> ecr(host).isPresent() ? Optional.empty()
                    : Optional.of("<account>.dkr.ecr.<region>.amazonaws.com");
            case "azure" -> ACR.matcher(host).matches() ? Optional.empty() : Optional.of("<name>.azurecr.io");
            case "gcp" -> GCP.matcher(host).matches() ? Optional.empty() : Optional.of("gcr.io, <region>.gcr.io or <region>-docker.pkg.dev");
            default -> Optional.empty();
        };
    }
}
