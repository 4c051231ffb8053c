package dev.servercore.deploy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.FileSystemUtils;

import static dev.servercore.deploy.DeploymentFiles.ROOT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code docker compose up} runs, without a Docker engine: the packaged jar, extracted and laid out
 * as the Dockerfile does, started as the image's ENTRYPOINT with the JDK_JAVA_OPTIONS of its ENV, once
 * with the {@code server} service's environment and once with the {@code dummyclient}'s. Only what
 * cannot be the same on a shared test machine differs: the fixed ports become free ones, and the host
 * name {@code server} becomes 127.0.0.1. Runs after {@code package} (failsafe).
 */
class ComposeRunIT {

    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final Path SCRAPES = ROOT.resolve("target/compose-run");

    @TempDir
    Path work;

    @Test
    void theServerAndDummyClientServicesRunAsComposeStartsThemAndTheirMetricsAreSound() throws Exception {
        Path image = buildImageLayout();
        List<String> entrypoint = dockerfileEntrypoint();
        String javaOptions = dockerfileEnv("JDK_JAVA_OPTIONS");
        List<String> command = new ArrayList<>(entrypoint);
        command.set(0, imageJava());

        int gamePort = freePort();
        int serverHttpPort = freePort();
        int clientHttpPort = freePort();
        Map<String, String> serverEnv = new HashMap<>(DeploymentFiles.environment("server"));
        serverEnv.put("SERVERCORE_LISTENER_PORT", String.valueOf(gamePort));
        serverEnv.put("SERVER_PORT", String.valueOf(serverHttpPort));
        serverEnv.put("JDK_JAVA_OPTIONS", javaOptions);
        Map<String, String> clientEnv = new HashMap<>(DeploymentFiles.environment("dummyclient"));
        assertThat(clientEnv.put("SERVERCORE_CONNECTOR_HOST", "127.0.0.1")).isEqualTo("server");
        clientEnv.put("SERVERCORE_CONNECTOR_PORT", String.valueOf(gamePort));
        clientEnv.put("SERVER_PORT", String.valueOf(clientHttpPort));
        clientEnv.put("JDK_JAVA_OPTIONS", javaOptions);
        int sessions = Integer.parseInt(clientEnv.get("SERVERCORE_DUMMYCLIENT_SESSIONS"));

        try (AppProcess server = AppProcess.run(command, image, serverEnv)) {
            server.awaitLine("the server listening", STARTUP, l -> l.contains("Listening on"));
            assertThat(server.output()).contains("Picked up JDK_JAVA_OPTIONS: " + javaOptions);
            awaitHealthy("compose's server healthcheck", composeHealthcheck(serverHttpPort), Map.of());
            awaitHealthy("the image's HEALTHCHECK (server)", dockerfileHealthcheck(),
                    Map.of("SERVER_PORT", String.valueOf(serverHttpPort)));

            try (AppProcess client = AppProcess.run(command, image, clientEnv)) {
                Actuator serverActuator = new Actuator(serverHttpPort);
                Await.until("the dummy client's " + sessions + " sessions on the server", STARTUP, () ->
                        serverActuator.metric("servercore.sessions.active", "role:server") == sessions);
                double bytes = serverActuator.metric("servercore.bytes.received", "role:server");
                Await.until("bytes flowing", Duration.ofSeconds(20),
                        () -> serverActuator.metric("servercore.bytes.received", "role:server") > bytes);
                assertThat(serverActuator.metric("servercore.packets.sent", "role:server")).isPositive();
                awaitHealthy("the image's HEALTHCHECK (dummy client)", dockerfileHealthcheck(),
                        Map.of("SERVER_PORT", String.valueOf(clientHttpPort)));

                Files.createDirectories(SCRAPES);
                Set<String> exported = new HashSet<>();
                for (var scrape : Map.of("server", serverHttpPort, "dummyclient", clientHttpPort).entrySet()) {
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
            server.terminate();
            assertThat(server.awaitExit(Duration.ofSeconds(30))).as(server.output()).isZero();
        }
        assertThat(runHealthcheck(dockerfileHealthcheck(), Map.of("SERVER_PORT", String.valueOf(serverHttpPort))))
                .as("the HEALTHCHECK fails once the server is gone").isNotZero();
    }

    /** target/servercore-*.jar extracted as the Dockerfile does, its four layers copied into one directory. */
    private Path buildImageLayout() throws Exception {
        Path jar;
        try (Stream<Path> files = Files.list(ROOT.resolve("target"))) {
            jar = files.filter(p -> p.getFileName().toString().matches("servercore-.*\\.jar")).findFirst()
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
