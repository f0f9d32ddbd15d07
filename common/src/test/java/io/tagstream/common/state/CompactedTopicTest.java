package io.tagstream.common.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tagstream.testkit.KafkaBroker;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** State topics on the real broker: a second pod loads what the first wrote and then follows its further writes. */
class CompactedTopicTest {

    static void await(BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(20);
        }
    }

    @Test
    void aFollowerLoadsWhatIsThereAndThenSeesLaterWritesAndDeletes() throws Exception {
        String name = "test.state." + UUID.randomUUID();
        String bootstrap = KafkaBroker.shared().bootstrapServers();
        try (CompactedTopic first = new CompactedTopic(bootstrap, name).ensureExists(3);
                CompactedTopic second = new CompactedTopic(bootstrap, name)) {
            first.putAll(Map.of("a", "1", "b", "2"));
            Map<String, String> seen = new ConcurrentHashMap<>();
            int loaded = second.loadAndFollow((k, v) -> {
                if (v == null) {
                    seen.remove(k);
                } else {
                    seen.put(k, v);
                }
            });
            assertEquals(2, loaded);
            assertEquals(Map.of("a", "1", "b", "2"), seen);

            first.put("c", "3");
            first.put("a", null);
            await(() -> "3".equals(seen.get("c")) && !seen.containsKey("a"));
            assertFalse(seen.containsKey("a"));

            Map<String, String> plain = new ConcurrentHashMap<>();
            try (CompactedTopic third = new CompactedTopic(bootstrap, name)) {
                third.load((k, v) -> plain.put(k, String.valueOf(v)));
            }
            assertEquals("null", plain.get("a"), "load reads tombstones as null values");
        }
    }
}
