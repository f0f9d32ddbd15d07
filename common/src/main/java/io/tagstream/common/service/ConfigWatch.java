package io.tagstream.common.service;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.tagstream.common.config.ConfigCheck;
import io.tagstream.common.config.ConfigLoader;
import io.tagstream.common.config.ConfigReloader;
import io.tagstream.common.config.TagstreamConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Loads the configuration directory at start and re-reads it when it changes; a bad edit never replaces a good one.
 * A service adds its own checks by producing {@link ConfigCheck} beans; each applied configuration is fired as a CDI
 * event of type {@link TagstreamConfig}.
 */
@ApplicationScoped
public class ConfigWatch {

    private static final Logger LOG = Logger.getLogger(ConfigWatch.class);

    @ConfigProperty(name = "tagstream.config.dir")
    Path dir;

    @Inject
    AuditLog audit;

    @Inject
    Event<TagstreamConfig> applied;

    @Inject
    Instance<ConfigCheck> checks;

    private ConfigReloader reloader;

    void start(@Observes StartupEvent e) {
        reloader = new ConfigReloader(dir, new ConfigLoader(checks.stream().toList()));
        check();
    }

    @Scheduled(every = "${tagstream.config.reload-interval}", delayed = "${tagstream.config.reload-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void check() {
        ConfigReloader r = reloader;
        if (r == null) {
            return; // the scheduler fired before start(): start() makes the first check
        }
        ConfigReloader.Outcome outcome = r.check();
        r.audit(outcome, audit.records()).ifPresent(audit::write);
        if (outcome instanceof ConfigReloader.Applied a) {
            a.load().skipped().forEach(LOG::info);
            a.load().warnings().forEach(LOG::warn);
            applied.fire(a.load().config());
        }
    }

    public TagstreamConfig config() {
        return reloader == null ? TagstreamConfig.EMPTY : reloader.config();
    }

    /** Resources of the configuration in force that are not ready, for the status APIs to list with their reason. */
    public java.util.List<io.tagstream.common.config.NotReady> notReady() {
        ConfigReloader r = reloader;
        return r == null ? java.util.List.of() : r.notReady();
    }

    /** What readiness reports; "starting" until the first check (a probe can come before it). */
    public ConfigReloader.Status status() {
        ConfigReloader r = reloader;
        return r == null ? ConfigReloader.Status.STARTING : r.status();
    }
}
