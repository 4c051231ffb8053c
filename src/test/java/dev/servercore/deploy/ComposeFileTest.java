package dev.servercore.deploy;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static dev.servercore.deploy.DeploymentFiles.ROOT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose.yml, the Dockerfile and the monitoring config agree with the code: ports, profiles,
 * property names, the health and metrics paths. (No Docker engine runs here; {@code ComposeRunIT} runs
 * what compose would run, as processes.)
 */
class ComposeFileTest {

    static final List<String> GATEWAYS = List.of("gateway-1", "gateway-2");

    @Test
    void theGatewaysListenOnTheGamePortBehindTheBalancerAndPublishTheirActuatorsOnTheHostsLoopbackOnly()
            throws Exception {
        String gamePort = DeploymentFiles.applicationDefault("servercore.listener.port");
        String httpPort = DeploymentFiles.applicationDefault("management.server.port");
        assertThat(gamePort).isEqualTo("7777");
        assertThat(httpPort).isEqualTo("8080");
        assertThat(DeploymentFiles.applicationDefault("server.port")).as("no HTTP but the actuator's").isEqualTo("-1");
        assertThat(DeploymentFiles.applicationDefault("management.server.address")).isEqualTo("127.0.0.1");
        assertThat(DeploymentFiles.service("gateway-1").get("ports")).isEqualTo(List.of("127.0.0.1:8080:" + httpPort));
        assertThat(DeploymentFiles.service("gateway-2").get("ports")).isEqualTo(List.of("127.0.0.1:8082:" + httpPort));
        assertThat(DeploymentFiles.service("balancer").get("ports")).isEqualTo(List.of(gamePort + ":" + gamePort));
        assertThat(DeploymentFiles.service("prometheus").get("ports")).isEqualTo(List.of("127.0.0.1:9090:9090"));
        assertThat(DeploymentFiles.service("grafana").get("ports")).isEqualTo(List.of("127.0.0.1:3000:3000"));
        assertThat(DeploymentFiles.environment("grafana")).containsEntry("GF_AUTH_ANONYMOUS_ENABLED", "false");
        for (String gateway : GATEWAYS) {
            assertThat(DeploymentFiles.environment(gateway)).containsEntry("SERVERCORE_LISTENER_PORT", gamePort)
                    .containsEntry("MANAGEMENT_SERVER_PORT", httpPort)
                    .as("inside the compose network, for Prometheus and the balancer's checks")
                    .containsEntry("MANAGEMENT_SERVER_ADDRESS", "0.0.0.0");
        }
    }

    @Test
    void theGatewaysRequireALoginUnderASecretMadeOnceAtRandomAndTheDummyClientHasIt() throws Exception {
        Map<String, Object> secret = DeploymentFiles.service("login-secret");
        assertThat(String.valueOf(secret.get("entrypoint"))).contains("/dev/urandom")
                .contains("/secrets/gateway/servercore.login.jwt.hmac-secret")
                .contains("/secrets/dummyclient/servercore.dummyclient.login.hmac-secret");
        assertThat(String.valueOf(secret.get("volumes"))).contains("login-secret:/secrets");
        for (String gateway : GATEWAYS) {
            assertThat(DeploymentFiles.environment(gateway)).containsEntry("SERVERCORE_LOGIN_REQUIRED", "true")
                    .containsEntry("SPRING_CONFIG_IMPORT", "configtree:/run/secrets/servercore/gateway/");
            assertThat(String.valueOf(DeploymentFiles.service(gateway).get("volumes")))
                    .contains("login-secret:/run/secrets/servercore:ro");
            assertThat(String.valueOf(DeploymentFiles.service(gateway).get("depends_on")))
                    .contains("login-secret={condition=service_completed_successfully}");
        }
        assertThat(DeploymentFiles.environment("dummyclient"))
                .containsEntry("SPRING_CONFIG_IMPORT", "configtree:/run/secrets/servercore/dummyclient/");
        assertThat(DeploymentFiles.applicationDefault("servercore.login.required"))
                .as("the demo gateway's own default: nc still works").isNull();
    }

    @Test
    void theGatewaysShareRoomsThroughTheRedisServiceOnceItIsHealthy() throws Exception {
        assertThat(DeploymentFiles.applicationDefault("servercore.cluster.backplane")).isEqualTo("none");
        for (String gateway : GATEWAYS) {
            Map<String, String> env = DeploymentFiles.environment(gateway);
            assertThat(env).containsEntry("SERVERCORE_CLUSTER_BACKPLANE", "redis")
                    .containsEntry("SPRING_DATA_REDIS_HOST", "redis")
                    .containsEntry("SPRING_DATA_REDIS_PORT", DeploymentFiles.applicationDefault("spring.data.redis.port"));
            assertThat(String.valueOf(DeploymentFiles.service(gateway).get("depends_on")))
                    .isEqualTo("{redis={condition=service_healthy}, login-secret={condition=service_completed_successfully}}");
        }
        Map<String, Object> redis = DeploymentFiles.service("redis");
        assertThat(String.valueOf(redis.get("image"))).startsWith("redis:7.");
        assertThat(redis.get("command")).isEqualTo(List.of("redis-server", "--save", "", "--appendonly", "no"));
        assertThat(String.valueOf(redis.get("healthcheck"))).contains("redis-cli, ping");
    }

    @Test
    void theBalancerSendsTheGamePortToEveryGatewayThatItsHealthSaysServesWithTheClientsAddress() throws Exception {
        String config = Files.readString(ROOT.resolve("balancer/haproxy.cfg"));
        assertThat(String.valueOf(DeploymentFiles.service("balancer").get("volumes")))
                .contains("./balancer/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro");
        assertThat(String.valueOf(DeploymentFiles.service("balancer").get("image"))).startsWith("haproxy:2.6");
        String gamePort = DeploymentFiles.applicationDefault("servercore.listener.port");
        assertThat(config).contains("mode tcp").contains("bind :" + gamePort)
                .contains("http-check send meth GET uri /actuator/health").contains("http-check expect status 200");
        for (String gateway : GATEWAYS) {
            assertThat(config).contains("server " + gateway + " " + gateway + ":" + gamePort + " check port "
                    + DeploymentFiles.environment(gateway).get("MANAGEMENT_SERVER_PORT") + " send-proxy-v2");
            assertThat(DeploymentFiles.environment(gateway)).as("the gateway reads the balancer's PROXY header")
                    .containsEntry("SERVERCORE_LISTENER_PROXYPROTOCOL", "true");
            assertThat(String.valueOf(DeploymentFiles.service("balancer").get("depends_on")))
                    .contains(gateway + "={condition=service_healthy}");
        }
    }

    @Test
    void theProfilesNamedInComposeExistInApplicationYml() throws Exception {
        assertThat(DeploymentFiles.applicationDefault("spring.profiles.default")).isEqualTo("server");
        for (String gateway : GATEWAYS) {
            assertThat(DeploymentFiles.environment(gateway)).containsEntry("SPRING_PROFILES_ACTIVE", "server");
        }
        assertThat(DeploymentFiles.environment("dummyclient")).containsEntry("SPRING_PROFILES_ACTIVE", "dummyclient");
        Map<String, Object> dummyclient = DeploymentFiles.profileDocument("dummyclient");
        assertThat(dummyclient).as("a dummyclient document in application.yml").isNotNull();
        assertThat(String.valueOf(DeploymentFiles.at(dummyclient, "management.server.port"))).isEqualTo("8081");
    }

    @Test
    void everyEnvironmentVariableInComposeIsARealProperty() throws Exception {
        Set<String> known = DeploymentFiles.propertiesAsEnvironmentVariables();
        assertThat(known).as("our own metadata is on the classpath").contains("SERVERCORE_DUMMYCLIENT_BODYSIZE")
                .contains("SERVERCORE_CLUSTER_BACKPLANE").as("and Spring Boot's").contains("SPRING_DATA_REDIS_HOST");
        for (String service : List.of("gateway-1", "gateway-2", "dummyclient")) {
            assertThat(DeploymentFiles.environment(service).keySet()).as(service).allSatisfy(
                    variable -> assertThat(known).as("%s sets %s", service, variable).contains(variable));
        }
    }

    @Test
    void theDummyClientDrivesRoomsThroughTheBalancerAndScales() throws Exception {
        Map<String, String> env = DeploymentFiles.environment("dummyclient");
        assertThat(env).containsEntry("SERVERCORE_CONNECTOR_HOST", "balancer")
                .containsEntry("SERVERCORE_CONNECTOR_PORT", DeploymentFiles.applicationDefault("servercore.listener.port"))
                .containsEntry("SERVERCORE_DUMMYCLIENT_SCENARIO", "move")
                .containsEntry("SERVERCORE_DUMMYCLIENT_CONTINUOUS", "true")
                .containsEntry("MANAGEMENT_SERVER_PORT", "8081");
        Map<String, Object> dummyclient = DeploymentFiles.service("dummyclient");
        assertThat(dummyclient).doesNotContainKeys("ports", "container_name");
        assertThat(String.valueOf(dummyclient.get("depends_on"))).contains("balancer");
        for (String gateway : GATEWAYS) {
            assertThat(String.valueOf(DeploymentFiles.service(gateway).get("image")))
                    .isEqualTo(String.valueOf(dummyclient.get("image")));
        }
    }

    @Test
    void theHealthchecksAskTheExposedHealthEndpointOnTheActuatorPort() throws Exception {
        String exposed = DeploymentFiles.applicationDefault("management.endpoints.web.exposure.include");
        assertThat(exposed.split(",")).containsExactlyInAnyOrder("health", "info", "metrics", "prometheus");
        String composeCheck = String.join(" ", healthcheckCommand());
        assertThat(composeCheck).contains("/dev/tcp/127.0.0.1/8080").contains("GET /actuator/health");
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        assertThat(dockerfile).contains("HEALTHCHECK").contains("GET /actuator/health")
                .contains("${MANAGEMENT_SERVER_PORT:-8080}").contains("EXPOSE 7777 8080 8081").contains("USER servercore")
                .contains("FROM eclipse-temurin:25-jdk AS build").contains("FROM eclipse-temurin:25-jre");
    }

    @SuppressWarnings("unchecked")
    static List<String> healthcheckCommand() throws Exception {
        Map<String, Object> healthcheck = (Map<String, Object>) DeploymentFiles.service("gateway-1").get("healthcheck");
        assertThat(DeploymentFiles.service("gateway-2").get("healthcheck")).isEqualTo(healthcheck);
        List<String> test = (List<String>) healthcheck.get("test");
        assertThat(test.get(0)).isEqualTo("CMD");
        return test.subList(1, test.size());
    }

    @Test
    void prometheusScrapesTheRealMetricsPathOnTheRealPorts() throws Exception {
        assertThat(DeploymentFiles.applicationDefault("management.endpoints.web.exposure.include")).contains("prometheus");
        Map<String, Object> config = DeploymentFiles.yaml(ROOT.resolve("monitoring/prometheus/prometheus.yml")).get(0);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> jobs = (List<Map<String, Object>>) config.get("scrape_configs");
        assertThat(jobs).hasSize(2).allSatisfy(job -> assertThat(job.get("metrics_path")).isEqualTo("/actuator/prometheus"));
        assertThat(String.valueOf(jobs.get(0).get("static_configs"))).contains("targets=[gateway-1:8080, gateway-2:8080]");
        String dummyclients = String.valueOf(jobs.get(1).get("dns_sd_configs"));
        assertThat(dummyclients).contains("names=[dummyclient]").contains("port=8081");
        assertThat(String.valueOf(DeploymentFiles.service("prometheus").get("volumes")))
                .contains("./monitoring/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml");
    }

    @Test
    void grafanaIsProvisionedWithThePrometheusDataSourceAndTheDashboard() throws Exception {
        Map<String, Object> datasources = DeploymentFiles.yaml(
                ROOT.resolve("monitoring/grafana/provisioning/datasources/prometheus.yml")).get(0);
        assertThat(String.valueOf(datasources.get("datasources"))).contains("url=http://prometheus:9090")
                .contains("uid=prometheus");
        Map<String, Object> dashboards = DeploymentFiles.yaml(
                ROOT.resolve("monitoring/grafana/provisioning/dashboards/servercore.yml")).get(0);
        assertThat(String.valueOf(dashboards.get("providers"))).contains("path=/var/lib/grafana/dashboards");
        assertThat(String.valueOf(DeploymentFiles.service("grafana").get("volumes")))
                .contains("./monitoring/grafana/dashboards:/var/lib/grafana/dashboards");

        JsonNode dashboard = DeploymentFiles.dashboard();
        assertThat(dashboard.path("panels").size()).isGreaterThanOrEqualTo(8);
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(panel.path("datasource").path("uid").asString()).isEqualTo("prometheus");
        }
        assertThat(DeploymentFiles.dashboardMetricNames()).contains("servercore_sessions_active",
                "servercore_sessions_opened_total", "servercore_sessions_closed_total",
                "servercore_bytes_received_bytes_total", "servercore_bytes_sent_bytes_total",
                "servercore_packets_received_total", "servercore_packets_sent_total",
                "servercore_dummyclient_rtt_seconds_bucket", "jvm_memory_used_bytes", "jvm_threads_live_threads",
                "servercore_cluster_nodes", "servercore_cluster_backplane_up",
                "servercore_cluster_messages_published_total", "servercore_cluster_messages_received_total",
                "servercore_cluster_messages_dropped_total", "servercore_cluster_delivery_latency_seconds",
                "servercore_dummyclient_seen_seconds_bucket");
    }

    @Test
    void metricNamesAreReadOutOfPromqlAndNothingElse() {
        assertThat(DeploymentFiles.metricNames(
                "histogram_quantile(0.99, sum by (le) (rate(servercore_dummyclient_rtt_seconds_bucket{a=\"b c\"}[1m])))"))
                .containsExactly("servercore_dummyclient_rtt_seconds_bucket");
        assertThat(DeploymentFiles.metricNames("sum by (job, instance) (jvm_memory_used_bytes{area=\"heap\"}) / on (job) x"))
                .containsExactly("jvm_memory_used_bytes", "x");
    }
}
