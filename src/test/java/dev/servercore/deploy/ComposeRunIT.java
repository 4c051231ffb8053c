package dev.servercore.deploy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.servercore.testsupport.Actuator;
import dev.servercore.testsupport.AppProcess;
import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.FileSystemUtils;

import static dev.servercore.deploy.DeploymentFiles.ROOT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code docker compose up} runs, without a Docker engine: a real redis-server, the packaged jar
 * extracted and laid out as the Dockerfile does and started as the image's ENTRYPOINT with the
 * JDK_JAVA_OPTIONS of its ENV, once per gateway service's environment, the real HAProxy on
 * balancer/haproxy.cfg, and the dummy client's service through it. Only what cannot be the same on a
 * shared test machine differs: the fixed ports become free ones, and the service names 127.0.0.1. Runs
 * after {@code package} (failsafe).
 */
class ComposeRunIT {

    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final Path SCRAPES = ROOT.resolve("target/compose-run");

    @TempDir
    Path work;

    @Test
    void theClusterRunsAsComposeStartsItAndItsMetricsAreSound() throws Exception {
        Path image = buildImageLayout();
        List<String> entrypoint = dockerfileEntrypoint();
        String javaOptions = dockerfileEnv("JDK_JAVA_OPTIONS");
        List<String> command = new ArrayList<>(entrypoint);
        command.set(0, imageJava());

        Path secrets = makeLoginSecret();
        try (RedisServer redis = RedisServer.start()) {
            Map<String, Integer> httpPorts = new LinkedHashMap<>();
            Map<String, Integer> gamePorts = new LinkedHashMap<>();
            Map<String, AppProcess> gateways = new LinkedHashMap<>();
            try {
                for (String gateway : ComposeFileTest.GATEWAYS) {
                    Map<String, String> env = new HashMap<>(DeploymentFiles.environment(gateway));
                    gamePorts.put(gateway, freePort());
                    httpPorts.put(gateway, freePort());
                    env.put("SERVERCORE_LISTENER_PORT", String.valueOf(gamePorts.get(gateway)));
                    env.put("MANAGEMENT_SERVER_PORT", String.valueOf(httpPorts.get(gateway)));
                    assertThat(env.put("MANAGEMENT_SERVER_ADDRESS", "127.0.0.1")).isEqualTo("0.0.0.0"); // loopback here
                    env.put("SPRING_CONFIG_IMPORT", inVolume(env.get("SPRING_CONFIG_IMPORT"), secrets));
                    assertThat(env.put("SPRING_DATA_REDIS_HOST", "127.0.0.1")).isEqualTo("redis");
                    env.put("SPRING_DATA_REDIS_PORT", String.valueOf(redis.port()));
                    env.put("JDK_JAVA_OPTIONS", javaOptions);
                    env.put("LOGGING_LEVEL_DEV_SERVERCORE_SERVER", "DEBUG"); // GameSession: a line per session, with its address
                    gateways.put(gateway, AppProcess.run(command, image, env));
                }
                for (var gateway : gateways.entrySet()) {
                    AppProcess process = gateway.getValue();
                    process.awaitLine(gateway.getKey() + " listening", STARTUP, l -> l.contains("Listening on"));
                    assertThat(process.output()).contains("Picked up JDK_JAVA_OPTIONS: " + javaOptions);
                    awaitHealthy("compose's healthcheck of " + gateway.getKey(),
                            composeHealthcheck(httpPorts.get(gateway.getKey())), Map.of());
                }
                awaitHealthy("the image's HEALTHCHECK (gateway-1)", dockerfileHealthcheck(),
                        Map.of("MANAGEMENT_SERVER_PORT", String.valueOf(httpPorts.get("gateway-1"))));

                int balancerPort = freePort();
                try (AppProcess balancer = AppProcess.run(List.of("haproxy", "-db", "-f",
                        balancerConfig(balancerPort, gamePorts, httpPorts).toString()), null, Map.of())) {
                    Await.until("the balancer's port", Duration.ofSeconds(20), () -> isOpen(balancerPort));
                    runDummyClient(command, image, javaOptions, balancerPort, httpPorts, secrets);
                    gatewaysSawTheClientsThroughTheBalancer(balancer, gateways.values());
                }
            } finally {
                for (var gateway : gateways.entrySet()) {
                    gateway.getValue().terminate();
                    assertThat(gateway.getValue().awaitExit(Duration.ofSeconds(30)))
                            .as(gateway.getValue().output()).isZero();
                    gateway.getValue().close();
                }
            }
            assertThat(runHealthcheck(dockerfileHealthcheck(),
                    Map.of("MANAGEMENT_SERVER_PORT", String.valueOf(httpPorts.get("gateway-1")))))
                    .as("the HEALTHCHECK fails once the gateway is gone").isNotZero();
        }
    }

    /** The dummy client through the balancer: its sessions land on both gateways, and rooms span them. */
    private void runDummyClient(List<String> command, Path image, String javaOptions, int balancerPort,
            Map<String, Integer> httpPorts, Path secrets) throws Exception {
        int clientHttpPort = freePort();
        Map<String, String> clientEnv = new HashMap<>(DeploymentFiles.environment("dummyclient"));
        assertThat(clientEnv.put("SERVERCORE_CONNECTOR_HOST", "127.0.0.1")).isEqualTo("balancer");
        clientEnv.put("SERVERCORE_CONNECTOR_PORT", String.valueOf(balancerPort));
        clientEnv.put("MANAGEMENT_SERVER_PORT", String.valueOf(clientHttpPort));
        assertThat(clientEnv.put("MANAGEMENT_SERVER_ADDRESS", "127.0.0.1")).isEqualTo("0.0.0.0");
        clientEnv.put("SPRING_CONFIG_IMPORT", inVolume(clientEnv.get("SPRING_CONFIG_IMPORT"), secrets));
        clientEnv.put("JDK_JAVA_OPTIONS", javaOptions);
        int sessions = Integer.parseInt(clientEnv.get("SERVERCORE_DUMMYCLIENT_SESSIONS"));
        Actuator one = new Actuator(httpPorts.get("gateway-1"));
        Actuator two = new Actuator(httpPorts.get("gateway-2"));
        try (AppProcess client = AppProcess.run(command, image, clientEnv)) {
            Await.until("the dummy client's " + sessions + " sessions spread over both gateways", STARTUP, () ->
                    one.metric("servercore.sessions.active", "role:server")
                            + two.metric("servercore.sessions.active", "role:server") == sessions);
            assertThat(one.metric("servercore.sessions.active", "role:server")).as("gateway-1's share").isPositive();
            assertThat(two.metric("servercore.sessions.active", "role:server")).as("gateway-2's share").isPositive();
            Actuator dummy = new Actuator(clientHttpPort);
            Await.until("moves crossing between the gateways", Duration.ofSeconds(30), () ->
                    one.metric("servercore.cluster.messages.received") > 0
                            && two.metric("servercore.cluster.messages.received") > 0
                            && dummy.metric("servercore.dummyclient.room.received") > 0);
            assertThat(one.metric("servercore.cluster.nodes")).isEqualTo(2);
            for (Actuator gateway : List.of(one, two)) { // every session logged in with the secret the volume holds
                assertThat(gateway.metric("servercore.sessions.closed", "reason:unauthenticated")).isZero();
            }
            assertThat(dummy.metric("servercore.dummyclient.room.out_of_place")).isZero();
            awaitHealthy("the image's HEALTHCHECK (dummy client)", dockerfileHealthcheck(),
                    Map.of("MANAGEMENT_SERVER_PORT", String.valueOf(clientHttpPort)));

            Files.createDirectories(SCRAPES);
            Set<String> exported = new HashSet<>();
            Map<String, Integer> scrapes = new LinkedHashMap<>(httpPorts);
            scrapes.put("dummyclient", clientHttpPort);
            for (var scrape : scrapes.entrySet()) {
                var response = new Actuator(scrape.getValue()).get("/actuator/prometheus");
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
                Files.writeString(SCRAPES.resolve(scrape.getKey() + ".prom"), response.body());
                exported.addAll(PrometheusText.sampleNames(response.body()));
            }
            assertThat(DeploymentFiles.dashboardMetricNames()).as("metrics the dashboard reads")
                    .allSatisfy(name -> assertThat(exported).as("exported series").contains(name));

            client.terminate(); // docker stop
            assertThat(client.awaitExit(Duration.ofSeconds(30))).as(client.output()).isZero();
        }
    }

    /**
     * The balancer sends a PROXY header (send-proxy-v2) and the gateways read it (proxy-protocol): every session
     * a gateway opened has the address of a connection the balancer took from a client, the dummy client's, not
     * one of the balancer's own connections to the gateways. HAProxy logs each client connection as it ends
     * (tcplog: {@code client:port [date] game gateways/gateway-1 ...}); the gateways log each session they open.
     */
    private static void gatewaysSawTheClientsThroughTheBalancer(AppProcess balancer, Iterable<AppProcess> gateways)
            throws Exception {
        Pattern opened = Pattern.compile("Session \\d+ connected: /([0-9.]+:\\d+)");
        Set<String> seen = new HashSet<>();
        for (AppProcess gateway : gateways) {
            for (String line : gateway.lines()) {
                Matcher m = opened.matcher(line);
                if (m.find()) {
                    seen.add(m.group(1));
                }
            }
        }
        assertThat(seen).as("sessions the gateways opened").isNotEmpty();
        Pattern relayed = Pattern.compile("^([0-9.]+:\\d+) \\[[^\\]]*] game gateways/");
        Set<String> clients = new HashSet<>();
        Await.until("the balancer's log of every session's connection", Duration.ofSeconds(30), () -> {
            clients.clear();
            for (String line : balancer.lines()) {
                Matcher m = relayed.matcher(line);
                if (m.find()) {
                    clients.add(m.group(1));
                }
            }
            return clients.size() >= seen.size();
        });
        assertThat(seen).as("the clients' addresses, as the balancer took them").isEqualTo(clients);
    }

    /**
     * The login-secret service, as compose runs it: its entrypoint's script, with the volume it writes to (mounted
     * at /secrets) a directory of this test's. Returns that directory.
     */
    private Path makeLoginSecret() throws Exception {
        @SuppressWarnings("unchecked")
        List<String> entrypoint = (List<String>) DeploymentFiles.service("login-secret").get("entrypoint");
        assertThat(entrypoint.subList(0, 2)).containsExactly("bash", "-c");
        Path volume = Files.createDirectories(work.resolve("login-secret"));
        // compose reads "$$" as "$"; the script's paths are the volume's
        String script = entrypoint.get(2).replace("$$", "$").replace("/secrets", volume.toString());
        Process process = new ProcessBuilder("bash", "-c", script).inheritIO().start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        String secret = Files.readString(volume.resolve("gateway/servercore.login.jwt.hmac-secret"));
        assertThat(secret.length()).as("the secret's size").isGreaterThanOrEqualTo(32);
        assertThat(Files.readString(volume.resolve("dummyclient/servercore.dummyclient.login.hmac-secret")))
                .isEqualTo(secret);
        return volume;
    }

    /** A config tree under the services' mount of the login-secret volume, as a path of this test's copy of it. */
    @SuppressWarnings("unchecked")
    private static String inVolume(String configImport, Path volume) throws IOException {
        String mount = String.valueOf(((List<String>) DeploymentFiles.service("gateway-1").get("volumes")).get(0));
        String inContainer = mount.substring(mount.indexOf(':') + 1, mount.lastIndexOf(':'));
        assertThat(configImport).startsWith("configtree:" + inContainer + "/");
        return configImport.replace(inContainer, volume.toString());
    }

    /**
     * balancer/haproxy.cfg as compose mounts it, with what only compose's network can give replaced: the
     * gateways' names (and Docker's DNS) by loopback and their free ports, the bound port by a free one.
     */
    private Path balancerConfig(int port, Map<String, Integer> gamePorts, Map<String, Integer> httpPorts)
            throws IOException {
        String config = Files.readString(ROOT.resolve("balancer/haproxy.cfg"));
        Map<String, String> replacements = new LinkedHashMap<>();
        replacements.put("bind :7777", "bind 127.0.0.1:" + port);
        replacements.put(" resolvers docker inter", " inter");
        for (String gateway : ComposeFileTest.GATEWAYS) {
            replacements.put(gateway + ":7777 check port 8080",
                    "127.0.0.1:" + gamePorts.get(gateway) + " check port " + httpPorts.get(gateway));
        }
        for (var replacement : replacements.entrySet()) {
            assertThat(config).contains(replacement.getKey());
            config = config.replace(replacement.getKey(), replacement.getValue());
        }
        Path file = work.resolve("haproxy.cfg");
        Files.writeString(file, config);
        return file;
    }

    private static boolean isOpen(int port) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * target/servercore-*-exec.jar extracted as the Dockerfile does, its four layers copied into one directory, and
     * application.yml beside them, as the Dockerfile copies it.
     */
    private Path buildImageLayout() throws Exception {
        Path jar;
        try (Stream<Path> files = Files.list(ROOT.resolve("target"))) {
            jar = files.filter(p -> p.getFileName().toString().matches("servercore-.*-exec\\.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("no packaged jar in target/: run ./mvnw verify"));
        }
        Path layers = work.resolve("layers");
        Process extract = new ProcessBuilder(imageJava(), "-Djarmode=tools", "-jar", jar.toString(), "extract",
                "--layers", "--launcher", "--destination", layers.toString()).inheritIO().start();
        assertThat(extract.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(extract.exitValue()).isZero();
        Path app = work.resolve("app");
        for (String layer : dockerfileLayers()) {
            FileSystemUtils.copyRecursively(layers.resolve(layer), app);
        }
        assertThat(dockerfile()).contains("COPY application.yml ./");
        Files.copy(ROOT.resolve("application.yml"), app.resolve("application.yml"));
        return app;
    }

    /** The layers the Dockerfile copies, in its order. */
    private static List<String> dockerfileLayers() throws IOException {
        Matcher m = Pattern.compile("COPY --from=build /layers/([\\w-]+)/ \\./").matcher(dockerfile());
        List<String> layers = new ArrayList<>();
        while (m.find()) {
            layers.add(m.group(1));
        }
        assertThat(layers).containsExactly("dependencies", "spring-boot-loader", "snapshot-dependencies", "application");
        return layers;
    }

    private static List<String> dockerfileEntrypoint() throws IOException {
        Matcher m = Pattern.compile("ENTRYPOINT \\[(.*)]").matcher(dockerfile());
        assertThat(m.find()).isTrue();
        List<String> words = new ArrayList<>();
        for (String word : m.group(1).split(",")) {
            words.add(word.trim().replaceAll("^\"|\"$", ""));
        }
        assertThat(words.get(0)).isEqualTo("java");
        return words;
    }

    private static String dockerfileEnv(String name) throws IOException {
        Matcher m = Pattern.compile("ENV " + name + "=\"([^\"]*)\"").matcher(dockerfile());
        assertThat(m.find()).as("ENV " + name).isTrue();
        return m.group(1);
    }

    /** The HEALTHCHECK's command (exec form), unescaped as Docker reads the JSON array. */
    private static List<String> dockerfileHealthcheck() throws IOException {
        Matcher m = Pattern.compile("CMD \\[\"bash\", \"-c\", \"((?:\\\\.|[^\"\\\\])*)\"]").matcher(dockerfile());
        assertThat(m.find()).as("HEALTHCHECK CMD [\"bash\", \"-c\", ...]").isTrue();
        return List.of("bash", "-c", m.group(1).replace("\\\\", "\\"));
    }

    private static List<String> composeHealthcheck(int port) throws Exception {
        List<String> command = new ArrayList<>(ComposeFileTest.healthcheckCommand());
        command.replaceAll(word -> word.replace("/dev/tcp/127.0.0.1/8080", "/dev/tcp/127.0.0.1/" + port));
        return command;
    }

    private static void awaitHealthy(String what, List<String> command, Map<String, String> env) throws Exception {
        Await.until(what + " passing", Duration.ofSeconds(30), () -> runHealthcheck(command, env) == 0);
    }

    private static int runHealthcheck(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("SERVER_PORT");
        builder.environment().remove("MANAGEMENT_SERVER_PORT");
        builder.environment().putAll(env);
        Process check = builder.start();
        if (!check.waitFor(10, TimeUnit.SECONDS)) {
            check.destroyForcibly();
            return -1;
        }
        return check.exitValue();
    }

    private static String dockerfile() throws IOException {
        return Files.readString(ROOT.resolve("Dockerfile"));
    }

    /** The image runs a Java 25 runtime: use one if this machine has it, else the test's own. */
    private static String imageJava() {
        Path temurin25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
        String configured = System.getenv("SERVERCORE_IMAGE_JAVA");
        if (configured != null) {
            return configured;
        }
        return Files.isExecutable(temurin25) ? temurin25.toString()
                : Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
