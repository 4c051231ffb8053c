package dev.servercore.cluster;

import java.util.Map;

import dev.servercore.testsupport.Actuator;
import dev.servercore.testsupport.ClusterNodes;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application on the engine without this repository's application.yml still gets the settings the engine
 * depends on: no Redis needed for health on a single node, DEGRADED in the status order, short Redis timeouts.
 */
class EngineDefaultsTest {

    @Test
    void withoutApplicationYmlASingleNodeIsHealthyWithNoRedisAndTheEnginesDefaultsApply() throws Exception {
        try (var app = ClusterNodes.run(Map.of("spring.config.location", "optional:file:/nonexistent/",
                "spring.profiles.active", "server", "server.port", 0, "servercore.listener.port", 0,
                "servercore.listener.bind-address", "127.0.0.1", "management.endpoints.web.exposure.include", "health",
                "spring.data.redis.port", 1))) {
            assertThat(app.getEnvironment().getProperty("spring.application.name")).as("no application.yml").isNull();
            assertThat(app.getEnvironment().getProperty("spring.data.redis.timeout")).isEqualTo("1s");
            assertThat(app.getEnvironment().getProperty("management.observations.enable.lettuce")).isEqualTo("false");
            assertThat(app.getEnvironment().getProperty("management.endpoint.health.status.order"))
                    .isEqualTo("down,out-of-service,degraded,up,unknown");
            var health = new Actuator(ClusterNodes.httpPort(app)).get("/actuator/health");
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            assertThat(health.body()).doesNotContain("redis");
        }
    }
}
