package io.tagstream.console.adapters;

import io.quarkus.runtime.ShutdownEvent;
import io.tagstream.console.core.Entry;
import io.tagstream.console.core.Feed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * The live feed: what the chain's topics and the audit say, newest last, filterable by correlation id ("follow one
 * image"), kind and words; and the same as a server-sent event stream, so pages update without a reload.
 */
@Path("/api/v1/feed")
@ApplicationScoped
public class FeedResource {

    @Inject
    FeedReader reader;

    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "console-feed-heartbeat");
        t.setDaemon(true);
        return t;
    });

    void stop(@Observes ShutdownEvent e) {
        heartbeat.shutdownNow();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "feed", summary = "The newest entries of the chain's events and audit, oldest first")
    @APIResponse(responseCode = "200", description = "At most limit entries (default 200, at most 2,000)")
    public List<Entry> recent(@QueryParam("correlation") String correlation, @QueryParam("kind") String kind,
            @QueryParam("q") String text, @QueryParam("limit") Integer limit) {
        return reader.feed().recent(filter(correlation, kind, text), limit == null ? 200 : Math.max(1, Math.min(limit, 2000)));
    }

    @GET
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(operationId = "feedStream", summary = "Server-sent events: one 'entry' event per new feed entry the filter"
            + " matches (id: its seq; after=N or Last-Event-ID resumes), and a comment every 15 s")
    @APIResponse(responseCode = "200", description = "An endless text/event-stream")
    public void stream(@QueryParam("correlation") String correlation, @QueryParam("kind") String kind, @QueryParam("q") String text,
            @QueryParam("after") Long after, @HeaderParam("Last-Event-ID") String lastEventId, @Context SseEventSink sink,
            @Context Sse sse) {
        Feed.Filter f = filter(correlation, kind, text);
        Subscriber self = new Subscriber(sink, sse, f);
        long from = after != null ? after : parse(lastEventId).orElse(reader.feed().lastSeq());
        reader.listen(self);
        // what came between the page's last read and this subscription; the listener may repeat an entry, the page
        // drops seqs it has
        reader.feed().after(from, f).forEach(e -> send(sink, sse, e));
        heartbeat.scheduleAtFixedRate(new Runnable() {
            @Override
            public void run() {
                if (sink.isClosed()) {
                    reader.unlisten(self);
                    throw new IllegalStateException("closed"); // ends this schedule
                }
                sink.send(sse.newEventBuilder().comment("alive").build()).exceptionally(x -> {
                    reader.unlisten(self);
                    sink.close();
                    return null;
                });
            }
        }, 15, 15, TimeUnit.SECONDS);
    }

    /** One open stream: sends each new entry its filter matches, and stops listening once the page went away. */
    private final class Subscriber implements Consumer<Entry> {
        private final SseEventSink sink;
        private final Sse sse;
        private final Feed.Filter filter;

        Subscriber(SseEventSink sink, Sse sse, Feed.Filter filter) {
            this.sink = sink;
            this.sse = sse;
            this.filter = filter;
        }

        @Override
        public void accept(Entry e) {
            if (sink.isClosed()) {
                reader.unlisten(this);
            } else if (filter.matches(e)) {
                send(sink, sse, e).exceptionally(x -> {
                    reader.unlisten(this);
                    return null;
                });
            }
        }
    }

    private static CompletionStage<?> send(SseEventSink sink, Sse sse, Entry e) {
        OutboundSseEvent event = sse.newEventBuilder().id(String.valueOf(e.seq())).name("entry")
                .mediaType(MediaType.APPLICATION_JSON_TYPE).data(Entry.class, e).build();
        return sink.send(event);
    }

    private static Optional<Long> parse(String id) {
        try {
            return id == null || id.isBlank() ? Optional.empty() : Optional.of(Long.parseLong(id.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Feed.Filter filter(String correlation, String kind, String text) {
        return new Feed.Filter(Optional.ofNullable(correlation), Optional.ofNullable(kind), Optional.ofNullable(text));
    }
}
