package io.tagstream.common.service;

import io.tagstream.common.config.Secrets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The secrets directory (a mounted Kubernetes secret layout) and {@code TAGSTREAM_SECRET_*} variables. */
@ApplicationScoped
public class SecretsSource {

    @ConfigProperty(name = "tagstream.secrets.dir")
    Optional<String> dir;

    @Produces
    @ApplicationScoped
    Secrets secrets() {
        return new Secrets(dir.filter(d -> !d.isBlank()).map(Path::of), System.getenv());
    }
}
