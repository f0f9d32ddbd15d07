package io.tagstream.poller.adapters;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tagstream.common.registry.RegistryAccess;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Registry requests by host and status code, retries and rate-limit waits, as Prometheus counters. */
@ApplicationScoped
public class RegistryMetrics {

    @Inject
    MeterRegistry metrics;

    private final Set<String> exported = ConcurrentHashMap.newKeySet();

    /** Registers the counters of every client {@code access} made that are not registered yet. */
    void export(RegistryAccess access) {
        access.clients().forEach((key, client) -> {
            String host = client.settings().host();
            if (!exported.add(key + "|" + client.stats().responses().keySet())) {
                return; // every counter of this client is registered already
            }
            client.stats().responses().keySet().forEach(code -> FunctionCounter
                    .builder("tagstream.registry.responses", client, c -> c.stats().responses().getOrDefault(code, 0L))
                    .tags("host", host, "status", String.valueOf(code)).register(metrics));
            FunctionCounter.builder("tagstream.registry.retries", client, c -> c.stats().retries())
                    .tags("host", host).register(metrics);
            FunctionCounter.builder("tagstream.registry.ratelimit.waits", client, c -> c.stats().rateLimitWaits())
                    .tags("host", host).register(metrics);
        });
    }
}
