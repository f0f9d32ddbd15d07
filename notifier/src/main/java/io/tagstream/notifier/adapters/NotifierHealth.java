package io.tagstream.notifier.adapters;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the state topic is read and the deliveries consumer runs. */
@Readiness
@ApplicationScoped
public class NotifierHealth implements HealthCheck {

    @Inject
    NotifierState state;

    @Inject
    DeliveryWorker worker;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("notifier").status(state.restored() && worker.running())
                .withData("state", state.restored() ? "restored" : "loading")
                .withData("deliveries", worker.running() ? "consuming" : "stopped").build();
    }
}
