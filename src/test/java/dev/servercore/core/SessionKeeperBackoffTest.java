package dev.servercore.core;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SessionKeeperBackoffTest {

    @Test
    void theDelayDoublesFromTheInitialOneUpToTheMaximumLessUpToTheJitter() {
        ServerCoreProperties.Reconnect policy = new ServerCoreProperties.Reconnect();
        policy.setInitialDelay(Duration.ofMillis(100));
        policy.setMaxDelay(Duration.ofSeconds(2));
        policy.setMultiplier(2);
        policy.setJitter(0.5);

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
