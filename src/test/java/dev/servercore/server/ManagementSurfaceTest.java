package dev.servercore.server;

import dev.servercore.core.Listener;
import dev.servercore.testsupport.Actuator;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;

/** The actuator on a management port and address of its own, apart from the game port. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "servercore.listener.port=0", "servercore.listener.bind-address=127.0.0.1",
        "management.server.port=0", "management.server.address=127.0.0.1"})
class ManagementSurfaceTest {

    @Autowired
    Environment environment;
    @Autowired
    Listener listener;

    @Test
    void onlyHealthInfoMetricsAndPrometheusAreServedOnTheManagementPort() throws Exception {
        int managementPort = environment.getRequiredProperty("local.management.port", Integer.class);
        assertThat(managementPort).isNotEqualTo(listener.port());
        Actuator management = new Actuator(managementPort);

        assertThat(management.get("/actuator/health").body()).contains("\"status\":\"UP\"").contains("\"listener\"");
        for (String open : new String[] {"/actuator", "/actuator/info", "/actuator/metrics", "/actuator/prometheus",
                "/actuator/metrics/servercore.sessions.active"}) {
            assertThat(management.get(open).statusCode()).as(open).isEqualTo(200);
        }
        for (String closed : new String[] {"env", "heapdump", "shutdown", "beans", "configprops", "threaddump",
                "loggers", "mappings", "scheduledtasks", "caches", "conditions"}) {
            assertThat(management.get("/actuator/" + closed).statusCode()).as(closed).isEqualTo(404);
        }
        int appPort = environment.getRequiredProperty("local.server.port", Integer.class);
        assertThat(new Actuator(appPort).get("/actuator/health").statusCode()).isEqualTo(404);
    }
}
