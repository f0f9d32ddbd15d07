package io.tagstream.promoter.adapters;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Any pod's way to the leader: a decision goes through the requests topic and its reply comes back in the state topic. */
@ApplicationScoped
public class LeaderRequests {

    @ConfigProperty(name = "tagstream.promoter.answer-timeout", defaultValue = "15s")
    Duration answerTimeout;

    @Inject
    PromotionStore store;

    @Inject
    Publisher publisher;

    /**
     * Sends a decision to the leader and waits for its reply; empty if none came within the answer timeout (no pod
     * leads at the moment): the request stays queued and is applied once one does.
     */
    public Optional<Reply> ask(Request.Decision r) {
        CompletableFuture<Reply> reply = store.replyTo(r.id());
        try {
            publisher.request(r);
            return Optional.of(reply.get(answerTimeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            store.stopWaiting(r.id());
        }
    }

    public Duration answerTimeout() {
        return answerTimeout;
    }
}
