package dev.servercore.cluster;

import java.time.Duration;
import java.util.Map;

import dev.servercore.autoconfigure.ServerCoreAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/** servercore.cluster.*: its defaults in one place, bad values refused at startup before Redis is asked. */
class ClusterPropertiesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class,
                    DataRedisAutoConfiguration.class, ClusterAutoConfiguration.class,
                    ServerCoreAutoConfiguration.class))
            .withPropertyValues("servercore.listener.enabled=false", "servercore.cluster.backplane=redis",
                    "servercore.cluster.startup-timeout=1s", "spring.data.redis.port=1");

    @Test
    void theDefaultsComeFromTheirOnePlaceAndSettingsBindAsTheApplicationWould() {
        ClusterProperties defaults = ClusterProperties.defaults();
        assertThat(defaults.backplane()).isEqualTo(ClusterProperties.Backplane.NONE);
        assertThat(defaults.heartbeatInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(defaults.nodeTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(defaults.keyPrefix()).isEqualTo("servercore");
        assertThat(defaults.maxPendingPublishes()).isEqualTo(10_000);
        assertThat(defaults.maxPendingDeliveries()).isEqualTo(10_000);
        assertThat(defaults.maxPendingDeliveriesPerRoom()).isEqualTo(1000);
        assertThat(defaults.maxPendingBytes().toMegabytes()).isEqualTo(64);
        assertThat(defaults.flushDelay()).isEqualTo(Duration.ofMillis(5));
        assertThat(defaults.joinTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(defaults.startupTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.isNodeTimeoutValid()).isTrue();
        assertThat(defaults.isTimeoutsValid()).isTrue();
        ClusterProperties set = ClusterProperties.of(Map.of("backplane", "redis", "key-prefix", "game-7",
                "heartbeat-interval", "2s"));
        assertThat(set.backplane()).isEqualTo(ClusterProperties.Backplane.REDIS);
        assertThat(set.keyPrefix()).isEqualTo("game-7");
        assertThat(set.heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(set.isNodeTimeoutValid()).isFalse();
    }

    @Test
    void aBadValueStopsTheStartupNamingIt() {
        runner.withPropertyValues("servercore.cluster.heartbeat-interval=2s").run(context ->
                assertThat(context.getStartupFailure()).hasStackTraceContaining("servercore.cluster")
                        .hasStackTraceContaining("node-timeout at least twice it"));
        runner.withPropertyValues("servercore.cluster.join-timeout=0s").run(context ->
                assertThat(context.getStartupFailure())
                        .hasStackTraceContaining("join-timeout and startup-timeout must be positive"));
        runner.withPropertyValues("servercore.cluster.key-prefix= ").run(context ->
                assertThat(context.getStartupFailure()).hasStackTraceContaining("servercore.cluster.keyPrefix"));
        runner.withPropertyValues("servercore.cluster.max-pending-publishes=0").run(context ->
                assertThat(context.getStartupFailure())
                        .hasStackTraceContaining("servercore.cluster.maxPendingPublishes"));
    }

    @Test
    void aSingleNodeStillRefusesABadClusterSetting() {
        ApplicationContextRunner single = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class,
                        ClusterAutoConfiguration.class, ServerCoreAutoConfiguration.class))
                .withPropertyValues("servercore.listener.enabled=false");
        single.withPropertyValues("servercore.cluster.backplane=reddis").run(context ->
                assertThat(context.getStartupFailure()).hasStackTraceContaining("servercore.cluster.backplane"));
        single.withPropertyValues("servercore.cluster.heartbeat-interval=2s").run(context ->
                assertThat(context.getStartupFailure()).hasStackTraceContaining("node-timeout at least twice it"));
        single.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(RedisBackplane.class));
    }
}
