package io.tagstream.e2e;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The same 100 sequential pushes as {@link ChainLatencyBench}, with no webhook: the registry notifies nobody and the
 * poller finds each tag by scanning every second; each push waits a random pause of up to 1 s first, so pushes fall
 * anywhere in the poll cycle instead of right after a scan. Run: {@code ./mvnw verify -Pbench -pl e2e -Dtest='Chain*Bench'}.
 */
@Tag("bench")
class ChainPollingLatencyBench {

    @BeforeAll
    static void start() throws Exception {
        TazLabChainTest.start(false, "1s", java.util.Optional.of(1000));
    }

    @AfterAll
    static void stop() {
        TazLabChainTest.stop();
    }

    @Test
    void hundredSequentialPushesFoundByPollingEverySecond() {
        // a push lands at a random point of the poll cycle, as real pushes do
        ChainLatencyBench.sequentialPushes("polling only at a 1 s interval", Duration.ofSeconds(30), 1000);
    }
}
