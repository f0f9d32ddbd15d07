package io.tagstream.common.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once a configuration is in force; a refused newer edit shows in the details without taking the pod out. */
@Readiness
@ApplicationScoped
public class ConfigHealth implements HealthCheck {

    @Inject
    ConfigWatch watch;

    @Override
    public HealthCheckResponse call() {
        var status = watch.status();
        var response = HealthCheckResponse.named("configuration").status(status.ready());
        status.details().forEach((k, v) -> response.withData(k, String.valueOf(v)));
        return response.build();
    }
}
