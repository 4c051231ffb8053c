package dev.servercore.core;

import java.util.Map;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SessionKeeperBackoffTest {

    @Test
    void theDelayDoublesFromTheInitialOneUpToTheMaximumLessUpToTheJitter() {
        ServerCoreProperties.Reconnect policy = ServerCoreProperties.of(Map.<String, Object>of(
                "connector.reconnect.initial-delay", "100ms", "connector.reconnect.max-delay", "2s",
                "connector.reconnect.multiplier", 2, "connector.reconnect.jitter", 0.5)).getConnector().getReconnect();

        long[] expected = {100, 100, 200, 400, 800, 1600, 2000, 2000};
        for (int failures = 0; failures < expected.length; failures++) {
            assertThat(SessionKeeper.backoffMillis(policy, failures, 0.0)).as("no jitter, %d", failures)
                    .isEqualTo(expected[failures]);
            assertThat(SessionKeeper.backoffMillis(policy, failures, 0.999)).as("most jitter, %d", failures)
                    .isBetween(expected[failures] / 2, expected[failures] / 2 + 1);
        }
        assertThat(SessionKeeper.backoffMillis(policy, 1_000, 0.0)).isEqualTo(2000);
    }
}
