package dev.servercore.cluster;

import dev.servercore.autoconfigure.ServerCoreAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** A game that asks for the Redis backplane without adding Redis is told which dependency to add. */
class ClusterWithoutRedisTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ClusterAutoConfiguration.class,
                    ClusterWithoutRedisAutoConfiguration.class, ServerCoreAutoConfiguration.class))
            .withPropertyValues("servercore.listener.enabled=false")
            .withClassLoader(new FilteredClassLoader("org.springframework.data.redis", "io.lettuce"));

    @Test
    void theRedisBackplaneWithoutRedisOnTheClasspathStopsStartupNamingTheDependency() {
        runner.withPropertyValues("servercore.cluster.backplane=redis").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("spring-boot-starter-data-redis");
        });
    }

    @Test
    void aSingleNodeNeedsNoRedis() {
        runner.run(context -> assertThat(context).hasNotFailed());
    }
}
