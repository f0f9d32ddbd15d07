package io.tagstream.notifier.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tagstream.common.events.Audit;
import io.tagstream.common.events.AuditAction;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.events.Topic;
import io.tagstream.notifier.adapters.Receivers;
import io.tagstream.testkit.KafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * How fast the notifier turns audit records into signed webhook deliveries: {@value #N} scan errors (each a distinct
 * event) published at once to the real broker, each sent by the generic-hmac Provider to a real HTTP receiver on
 * 127.0.0.1. Run with {@code ./mvnw verify -Pbench -pl notifier -Dtest=DeliveryBench}; results go to
 * docs/benchmarks.md.
 */
@Tag("bench")
@QuarkusTest
@WithTestResource(Receivers.class)
class DeliveryBench {

    static final int N = 2000;
    static final Audit POLLER = new Audit("registry-poller");

    @ConfigProperty(name = "notifier.test.receivers")
    String receivers;

    /** One event at a time, 20 of them 250 ms apart: the latency a person sees. */
    @Test
    void oneEventAtATime() throws Exception {
        String run = Long.toString(System.nanoTime(), 36);
        Map<String, Instant> sentAt = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> p = KafkaBroker.shared().producer()) {
            for (int i = 0; i < 20; i++) {
                CloudEvent<AuditRecord> e = POLLER.error(AuditAction.SCAN_FAILED, "flux-system/app", "single " + run + " #" + i,
                        Optional.empty());
                sentAt.put(e.data().reason(), Instant.now());
                p.send(new ProducerRecord<>(Topic.AUDIT.defaultName(), null, e.key().getBytes(StandardCharsets.UTF_8), e.value(),
                        e.headers())).get();
                Thread.sleep(250);
            }
        }
        List<Long> l = latencies(sentAt, 20);
        System.out.printf("DeliveryBench single: 20 events 250 ms apart; latency p50 %d ms, max %d ms%n", l.get(10), l.get(19));
    }

    List<Long> latencies(Map<String, Instant> sentAt, int n) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Long> latencies = new ArrayList<>();
        Instant deadline = Instant.now().plusSeconds(120);
        while (Instant.now().isBefore(deadline)) {
            latencies.clear();
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(receivers + "/_log")).build(),
                    HttpResponse.BodyHandlers.ofString());
            for (JsonNode x : json.readTree(r.body())) {
                if (x.get("path").asText().equals("/hmac") && x.get("status").asInt() == 200) {
                    String m = json.readTree(Base64.getDecoder().decode(x.get("body").asText())).get("message").asText();
                    if (sentAt.containsKey(m)) {
                        latencies.add(Duration.between(sentAt.get(m), Instant.parse(x.get("at").asText())).toMillis());
                    }
                }
            }
            if (latencies.size() >= n) {
                break;
            }
            Thread.sleep(200);
        }
        assertEquals(n, latencies.size());
        latencies.sort(Long::compare);
        return latencies;
    }

    @Test
    void twoThousandEventsToOneWebhook() throws Exception {
        Map<String, Instant> sentAt = new HashMap<>();
        List<CloudEvent<AuditRecord>> events = new ArrayList<>();
        String run = Long.toString(System.nanoTime(), 36);
        for (int i = 0; i < N; i++) {
            events.add(POLLER.error(AuditAction.SCAN_FAILED, "flux-system/app", "bench " + run + " #" + i + ": 503 from the registry",
                    Optional.empty()));
        }
        Instant start = Instant.now();
        try (KafkaProducer<byte[], byte[]> p = KafkaBroker.shared().producer()) {
            for (CloudEvent<AuditRecord> e : events) {
                sentAt.put(e.data().reason(), Instant.now());
                p.send(new ProducerRecord<>(Topic.AUDIT.defaultName(), null, e.key().getBytes(StandardCharsets.UTF_8), e.value(),
                        e.headers()));
            }
            p.flush();
        }
        ObjectMapper json = new ObjectMapper();
        List<Long> latencies = new ArrayList<>();
        Instant deadline = Instant.now().plusSeconds(300);
        Instant last = start;
        while (Instant.now().isBefore(deadline)) {
            latencies.clear();
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(receivers + "/_log")).build(),
                    HttpResponse.BodyHandlers.ofString());
            for (JsonNode n : json.readTree(r.body())) {
                if (!n.get("path").asText().equals("/hmac") || n.get("status").asInt() != 200) {
                    continue;
                }
                String message = json.readTree(Base64.getDecoder().decode(n.get("body").asText())).get("message").asText();
                Instant sent = sentAt.get(message);
                if (sent != null) {
                    Instant at = Instant.parse(n.get("at").asText());
                    latencies.add(Duration.between(sent, at).toMillis());
                    last = at.isAfter(last) ? at : last;
                }
            }
            if (latencies.size() >= N) {
                break;
            }
            Thread.sleep(500);
        }
        assertEquals(N, latencies.size(), "every event delivered once");
        latencies.sort(Long::compare);
        double seconds = Duration.between(start, last).toMillis() / 1000.0;
        System.out.printf("DeliveryBench: %d events delivered in %.1f s (%.0f/s); latency p50 %d ms, p95 %d ms, p99 %d ms, max %d ms%n",
                N, seconds, N / seconds, latencies.get(N / 2), latencies.get(N * 95 / 100), latencies.get(N * 99 / 100),
                latencies.get(N - 1));
    }
}
