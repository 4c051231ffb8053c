package dev.servercore.dummyclient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.servercore.ServerCoreApplication;
import dev.servercore.core.Listener;
import dev.servercore.testsupport.Actuator;
import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.LoopbackServerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dummy client profile as a user runs it: its own JVM against a server on a random port. It must
 * exit 0, and its summary must agree with what the server counted, byte for byte.
 */
@LoopbackServerTest
class DummyClientEndToEndTest {

    private static final Pattern FIGURE = Pattern.compile("(\\w+)=([\\w.]+)");

    @Autowired
    Listener listener;
    @Autowired
    Environment environment;

    @Test
    void theDummyClientUnderLoadExitsZeroAndItsSummaryMatchesTheServersCounts() throws Exception {
        Actuator server = Actuator.of(environment);
        Await.until("no session open", Duration.ofSeconds(20),
                () -> server.metric("servercore.sessions.active", "endpoint:listener") == 0);
        String[] counters = {"servercore.bytes.received", "servercore.bytes.sent", "servercore.packets.received",
                "servercore.packets.sent", "servercore.sessions.opened"};
        Map<String, Double> before = new HashMap<>();
        for (String counter : counters) {
            before.put(counter, server.metric(counter, "endpoint:listener"));
        }

        DummyClientRun run = DummyClientRun.start(listener.port(), "--servercore.dummyclient.sessions=20",
                "--servercore.dummyclient.duration=2s", "--servercore.dummyclient.window=4");
        assertThat(run.exitCode()).as(run.output()).isZero();
        Map<String, String> summary = run.summary();
        assertThat(summary).containsEntry("result", "OK").containsEntry("mode", "load")
                .containsEntry("connected", "20").containsEntry("mismatches", "0").containsEntry("errors", "0")
                .containsEntry("disconnects", "0").containsEntry("unanswered", "0");
        assertThat(Long.parseLong(summary.get("echoes"))).isPositive();

        Await.until("the client's sessions closed", Duration.ofSeconds(20),
                () -> server.metric("servercore.sessions.active", "endpoint:listener") == 0);
        assertThat(delta(server, before, "servercore.sessions.opened")).isEqualTo(20);
        assertThat(delta(server, before, "servercore.bytes.received")).isEqualTo(figure(summary, "bytes_sent"));
        assertThat(delta(server, before, "servercore.bytes.sent")).isEqualTo(figure(summary, "bytes_received"));
        assertThat(delta(server, before, "servercore.packets.received")).isEqualTo(figure(summary, "packets_sent"));
        assertThat(delta(server, before, "servercore.packets.sent")).isEqualTo(figure(summary, "packets_received"));
    }

    @Test
    void theMoveScenarioSeesEveryMoveOfEachSessionAndNothingOfAnotherRoom() throws Exception {
        DummyClientRun run = DummyClientRun.start(listener.port(), "--servercore.dummyclient.scenario=move",
                "--servercore.dummyclient.sessions=40", "--servercore.dummyclient.rooms=4",
                "--servercore.dummyclient.move-rate=20", "--servercore.dummyclient.duration=2s");
        assertThat(run.exitCode()).as(run.output()).isZero();
        Map<String, String> summary = run.summary();
        assertThat(summary).containsEntry("result", "OK").containsEntry("mode", "move").containsEntry("joined", "40")
                .containsEntry("out_of_place", "0").containsEntry("sessions_with_unseen_moves", "0");
        assertThat(Long.parseLong(summary.get("moves_sent"))).isPositive();
        // each mover's moves reach the ten members of its room, coalesced per tick: at most as many entries
        assertThat(Long.parseLong(summary.get("entries_received"))).isPositive()
                .isLessThanOrEqualTo(10 * Long.parseLong(summary.get("moves_sent")));
        assertThat(Long.parseLong(summary.get("move_to_seen_p99_us"))).isPositive();
        // what crossed the wire, read when the run is over: a C_JoinRoom of each session and every move (a few
        // more than moves_sent, which counts the measured window: the driver stops just after it)
        double moves = figure(summary, "moves_sent");
        assertThat(figure(summary, "packets_sent")).isBetween(40 + moves, 40 + moves * 1.05);
    }

    @Test
    void theChatScenarioDeliversEveryChatToEveryMemberOfItsRoomOnly() throws Exception {
        DummyClientRun run = DummyClientRun.start(listener.port(), "--servercore.dummyclient.scenario=chat",
                "--servercore.dummyclient.sessions=30", "--servercore.dummyclient.rooms=3",
                "--servercore.dummyclient.chat-rate=5", "--servercore.dummyclient.duration=2s");
        assertThat(run.exitCode()).as(run.output()).isZero();
        Map<String, String> summary = run.summary();
        assertThat(summary).containsEntry("result", "OK").containsEntry("mode", "chat").containsEntry("losses", "0")
                .containsEntry("out_of_place", "0");
        assertThat(summary.get("received_total")).isEqualTo(summary.get("expected_total"));
        assertThat(Long.parseLong(summary.get("expected_total"))).isPositive();
    }

    @Test
    void theHelloRunSendsFiveEchoesPerSessionLikeTheCSharpDummyClient() throws Exception {
        DummyClientRun run = DummyClientRun.start(listener.port(), "--servercore.dummyclient.sessions=10");
        assertThat(run.exitCode()).as(run.output()).isZero();
        Map<String, String> summary = run.summary();
        assertThat(summary).containsEntry("result", "OK").containsEntry("mode", "hello")
                .containsEntry("connected", "10").containsEntry("welcomed", "10").containsEntry("disconnects", "0")
                .containsEntry("echoes", "50").containsEntry("packets_sent", "50")
                .containsEntry("packets_received", "60"); // a welcome and five echoes each
    }

    @Test
    void againstNoServerTheDummyClientFailsWithANonZeroExitCode() throws Exception {
        int closedPort;
        try (var socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        DummyClientRun run = DummyClientRun.start(closedPort, "--servercore.dummyclient.sessions=3",
                "--servercore.dummyclient.timeout=2s");
        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.summary()).containsEntry("result", "FAILED").containsEntry("connected", "0")
                .containsEntry("welcomed", "0").containsEntry("connect_failures", "3");
    }

    @Test
    void inRawModeTheDummyClientChecksTheEchoedByteStream() throws Exception {
        try (var rawServer = new org.springframework.boot.builder.SpringApplicationBuilder(ServerCoreApplication.class)
                .profiles("server").run("--servercore.listener.mode=raw", "--servercore.listener.port=0",
                        "--servercore.listener.bind-address=127.0.0.1", "--management.server.port=0")) {
            int rawPort = rawServer.getBean(Listener.class).port();
            DummyClientRun run = DummyClientRun.start(rawPort, "--servercore.connector.mode=raw",
                    "--servercore.dummyclient.sessions=5", "--servercore.dummyclient.duration=1s",
                    "--servercore.dummyclient.body-size=100");
            assertThat(run.exitCode()).as(run.output()).isZero();
            assertThat(run.summary()).containsEntry("result", "OK").containsEntry("connected", "5");
        }
    }

    private static double delta(Actuator server, Map<String, Double> before, String counter) throws Exception {
        return server.metric(counter, "endpoint:listener") - before.get(counter);
    }

    private static double figure(Map<String, String> summary, String key) {
        return Double.parseDouble(summary.get(key));
    }

    /** One run of the packaged main class with the dummyclient profile, in a JVM of its own. */
    record DummyClientRun(int exitCode, String output) {

        static DummyClientRun start(int serverPort, String... settings) throws IOException, InterruptedException {
            Path log = Files.createTempFile("dummyclient", ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    ServerCoreApplication.class.getName(),
                    "--spring.profiles.active=dummyclient",
                    "--servercore.connector.host=127.0.0.1",
                    "--servercore.connector.port=" + serverPort,
                    "--management.server.port=0"));
            command.addAll(List.of(settings));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the dummy client did not finish in 120 s:\n" + Files.readString(log));
            }
            String output = Files.readString(log);
            Files.delete(log);
            return new DummyClientRun(process.exitValue(), output);
        }

        Map<String, String> summary() {
            String line = output.lines().filter(l -> l.contains("Dummy client summary:")).findFirst()
                    .orElseThrow(() -> new AssertionError("no summary in:\n" + output));
            Map<String, String> figures = new HashMap<>();
            Matcher m = FIGURE.matcher(line.substring(line.indexOf("summary:")));
            while (m.find()) {
                figures.put(m.group(1), m.group(2));
            }
            return figures;
        }
    }
}
