package io.tagstream.gitwriter.adapters;

import io.tagstream.common.config.GitRepository;
import io.tagstream.common.config.ImageUpdateAutomation;
import io.tagstream.common.config.TagstreamConfig;
import io.tagstream.common.service.ConfigWatch;
import io.tagstream.gitwriter.core.ChangeRequest;
import io.tagstream.gitwriter.core.Routing;
import io.tagstream.gitwriter.core.Workspace;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** What {@code GET /api/v1/automations} shows: per automation, its last run, push and error, and approvals waiting. */
@ApplicationScoped
public class AutomationStatuses {

    /** One automation's status. */
    public record AutomationStatus(String automation, String repository, String branch, Optional<Instant> lastRun,
            Optional<String> lastPushedCommit, Optional<Instant> lastPushTime, Optional<String> lastError, int pendingChanges,
            Optional<ChangeRequest> pullRequest) {}

    @Inject
    ConfigWatch config;

    private final Map<String, AutomationStatus> status = new ConcurrentHashMap<>();

    /** {@code delta} approvals more (or fewer) wait for a commit by {@code target}. */
    void pending(Routing.Target target, int delta) {
        status.compute(target.automation().id().toString(), (k, s) -> s == null
                ? new AutomationStatus(k, Workspace.safeUrl(target.repository().url()), target.pushBranch(), Optional.empty(),
                        Optional.empty(), Optional.empty(), Optional.empty(), Math.max(0, delta), Optional.empty())
                : new AutomationStatus(k, s.repository(), s.branch(), s.lastRun(), s.lastPushedCommit(), s.lastPushTime(),
                        s.lastError(), Math.max(0, s.pendingChanges() + delta), s.pullRequest()));
    }

    /** A run of {@code target} that started at {@code ran} ended, with a pushed commit or an error, handling {@code approvals}. */
    void ran(Routing.Target target, Instant ran, Optional<String> commit, Optional<String> error, int approvals) {
        status.compute(target.automation().id().toString(), (k, s) -> new AutomationStatus(k,
                Workspace.safeUrl(target.repository().url()), target.pushBranch(), Optional.of(ran),
                commit.or(() -> s == null ? Optional.empty() : s.lastPushedCommit()),
                commit.isPresent() ? Optional.of(Instant.now()) : s == null ? Optional.empty() : s.lastPushTime(), error,
                Math.max(0, (s == null ? 0 : s.pendingChanges()) - approvals), s == null ? Optional.empty() : s.pullRequest()));
    }

    /** The pull request {@code target} keeps (pull-request mode), as the forge last showed it. */
    void proposed(Routing.Target target, Optional<ChangeRequest> request) {
        status.compute(target.automation().id().toString(), (k, s) -> s == null
                ? new AutomationStatus(k, Workspace.safeUrl(target.repository().url()), target.pushBranch(), Optional.empty(),
                        Optional.empty(), Optional.empty(), Optional.empty(), 0, request)
                : new AutomationStatus(k, s.repository(), s.branch(), s.lastRun(), s.lastPushedCommit(), s.lastPushTime(),
                        Optional.empty(), s.pendingChanges(), request));
    }

    /** Every configured automation, in configuration order; one that never ran shows empty fields. */
    public List<AutomationStatus> list() {
        TagstreamConfig cfg = config.config();
        Map<String, AutomationStatus> out = new LinkedHashMap<>();
        for (ImageUpdateAutomation a : cfg.automations()) {
            String id = a.id().toString();
            out.put(id, status.getOrDefault(id, new AutomationStatus(id, cfg.find(GitRepository.class, a.sourceRef())
                    .map(r -> Workspace.safeUrl(r.url())).orElse(""), a.pushBranch().orElse(""), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), 0, Optional.empty())));
        }
        // an automation whose GitRepository is missing is not in force; listed, as Flux shows it not Ready, with why
        config.notReady().stream().filter(n -> n.kind().equals("ImageUpdateAutomation")).forEach(n -> out.put(n.id().toString(),
                new AutomationStatus(n.id().toString(), "", "", Optional.empty(), Optional.empty(), Optional.empty(),
                        Optional.of(n.reason()), 0, Optional.empty())));
        return List.copyOf(out.values());
    }
}
