package io.tagstream.console.adapters;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the chain's topics are assigned and followed; the services' APIs are the page's to report. */
@Readiness
@ApplicationScoped
public class ConsoleHealth implements HealthCheck {

    @Inject
    FeedReader reader;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("console").status(reader.following())
                .withData("feed", reader.following() ? "following" : "connecting").build();
    }
}
