package io.tagstream.evaluator.adapters;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.tagstream.common.config.ConfigLoader;
import io.tagstream.common.config.ConfigReloader;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.evaluator.core.PolicyChecks;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Loads the configuration directory at start and re-reads it when it changes; a bad edit never replaces a good one. */
@ApplicationScoped
public class ConfigWatch {

    private static final Logger LOG = Logger.getLogger(ConfigWatch.class);

    @ConfigProperty(name = "tagstream.config.dir")
    Path dir;

    @Inject
    Publisher publisher;

    @Inject
    Event<TagstreamConfig> applied;

    private ConfigReloader reloader;

    void start(@Observes StartupEvent e) {
        reloader = new ConfigReloader(dir, new ConfigLoader(List.of(PolicyChecks::check)));
        check();
    }

    @Scheduled(every = "${tagstream.config.reload-interval}", delayed = "${tagstream.config.reload-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void check() {
        ConfigReloader.Outcome outcome = reloader.check();
        reloader.audit(outcome, Publisher.AUDIT).ifPresent(publisher::audit);
        if (outcome instanceof ConfigReloader.Applied a) {
            a.load().warnings().forEach(LOG::warn);
            applied.fire(a.load().config());
        }
    }

    public TagstreamConfig config() {
        return reloader.config();
    }

    public ConfigReloader.Status status() {
        return reloader.status();
    }
}
