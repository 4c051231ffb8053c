package dev.servercore.dummyclient;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.servercore.ServerCoreApplication;
import dev.servercore.core.Listener;
import dev.servercore.dummyclient.DummyClientEndToEndTest.DummyClientRun;
import dev.servercore.testsupport.AppProcess;
import dev.servercore.testsupport.LoopbackServerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dummy client's resumable sessions against the real server, each run in a JVM of its own: its chaos resets
 * random connections with a TCP RST while the players chat or move, they resume, and every delivery is still checked
 * (nothing lost, duplicated or out of order); a gateway that keeps no sessions makes the failed resumes show.
 */
@LoopbackServerTest
class ResumingDummyClientTest {

    private static final Pattern RESUMES_OK = Pattern.compile("resumes_ok=(\\d+)");

    @Autowired
    Listener listener;

    /** The run's summary, also printed: what a resumed run looked like is worth reading in the test's output. */
    private static Map<String, String> summaryOf(DummyClientRun run) {
        run.output().lines().filter(l -> l.contains("resume failed")).limit(3).forEach(System.out::println);
        run.output().lines().filter(l -> l.contains("Dummy client summary:")).forEach(System.out::println);
        return run.summary();
    }

    private static long joined(String line) {
        Matcher m = Pattern.compile("joined=(\\d+)").matcher(line);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static long resumesOk(String line) {
        Matcher m = RESUMES_OK.matcher(line);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static long figure(Map<String, String> summary, String key) {
        assertThat(summary).containsKey(key);
        return Long.parseLong(summary.get(key));
    }

    @Test
    void chatPlayersWhoseConnectionsAreResetResumeAndMissNothing() throws Exception {
        DummyClientRun run = DummyClientRun.start(listener.port(), "--servercore.dummyclient.scenario=chat",
                "--servercore.dummyclient.sessions=40", "--servercore.dummyclient.rooms=4",
                "--servercore.dummyclient.chat-rate=5", "--servercore.dummyclient.duration=4s",
                "--servercore.dummyclient.timeout=20s", "--servercore.dummyclient.resume=true",
                "--servercore.dummyclient.chaos.drop-rate=5");
        assertThat(run.exitCode()).as(run.output()).isZero();
        Map<String, String> summary = summaryOf(run);
        assertThat(summary).as(run.output()).containsEntry("result", "OK").containsEntry("mode", "chat")
                .containsEntry("joined", "40").containsEntry("lost", "0").containsEntry("duplicated", "0")
                .containsEntry("out_of_order", "0").containsEntry("resumes_failed", "0")
                .containsEntry("out_of_place", "0").containsEntry("disconnects", "0");
        assertThat(figure(summary, "resets")).as("about 5 a second for 4 s").isGreaterThanOrEqualTo(10);
        assertThat(figure(summary, "resumes_ok")).isEqualTo(figure(summary, "resets"));
        assertThat(figure(summary, "interruption_n")).isPositive();
        assertThat(figure(summary, "interruption_max_us")).isGreaterThanOrEqualTo(figure(summary, "interruption_p50_us"))
                .isPositive();
        assertThat(figure(summary, "deliveries")).isPositive();
    }

    @Test
    void movePlayersWhoseConnectionsAreResetResumeAndSeeEveryLastMove() throws Exception {
        DummyClientRun run = DummyClientRun.start(listener.port(), "--servercore.dummyclient.scenario=move",
                "--servercore.dummyclient.sessions=30", "--servercore.dummyclient.rooms=3",
                "--servercore.dummyclient.move-rate=20", "--servercore.dummyclient.duration=3s",
                "--servercore.dummyclient.timeout=20s", "--servercore.dummyclient.resume=true",
                "--servercore.dummyclient.chaos.drop-rate=5");
        assertThat(run.exitCode()).as(run.output()).isZero();
        Map<String, String> summary = summaryOf(run);
        assertThat(summary).as(run.output()).containsEntry("result", "OK").containsEntry("mode", "move")
                .containsEntry("lost", "0").containsEntry("duplicated", "0").containsEntry("out_of_order", "0")
                .containsEntry("resumes_failed", "0").containsEntry("sessions_with_unseen_moves", "0");
        assertThat(figure(summary, "resumes_ok")).isGreaterThanOrEqualTo(5);
    }

    @Test
    void againstAGatewayThatKeepsNoSessionsTheFailedResumesAreCountedAndTheRunFails() throws Exception {
        try (var server = new SpringApplicationBuilder(ServerCoreApplication.class).profiles("server").run(
                "--servercore.session.resume.window=0", "--servercore.listener.port=0",
                "--servercore.listener.bind-address=127.0.0.1", "--management.server.port=0")) {
            DummyClientRun run = DummyClientRun.start(server.getBean(Listener.class).port(),
                    "--servercore.dummyclient.scenario=chat", "--servercore.dummyclient.sessions=12",
                    "--servercore.dummyclient.rooms=2", "--servercore.dummyclient.chat-rate=5",
                    "--servercore.dummyclient.duration=1s", "--servercore.dummyclient.timeout=10s",
                    "--servercore.dummyclient.resume=true", "--servercore.dummyclient.chaos.drop-rate=5");
            assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
            Map<String, String> summary = summaryOf(run);
            assertThat(summary).as(run.output()).containsEntry("result", "FAILED").containsEntry("resumes_failed", "12")
                    .containsEntry("resumes_ok", "0").containsEntry("resets", "0");
            // the players went on unresumable: their chats were still all delivered
            assertThat(summary).containsEntry("lost", "0").containsEntry("joined", "12");
        }
    }

    @Test
    void whenTheGatewayCannotKeepADroppedSessionEachResetLosesItsPlayerAndTheRunSaysSo() throws Exception {
        try (var server = new SpringApplicationBuilder(ServerCoreApplication.class).profiles("server").run(
                "--servercore.session.resume.max-detached=0", "--servercore.listener.port=0",
                "--servercore.listener.bind-address=127.0.0.1", "--management.server.port=0")) {
            DummyClientRun run = DummyClientRun.start(server.getBean(Listener.class).port(),
                    "--servercore.dummyclient.scenario=chat", "--servercore.dummyclient.sessions=12",
                    "--servercore.dummyclient.rooms=2", "--servercore.dummyclient.chat-rate=5",
                    "--servercore.dummyclient.duration=2s", "--servercore.dummyclient.timeout=10s",
                    "--servercore.dummyclient.resume=true", "--servercore.dummyclient.chaos.drop-rate=3");
            assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
            Map<String, String> summary = summaryOf(run);
            assertThat(summary).as(run.output()).containsEntry("result", "FAILED").containsEntry("resumes_ok", "0")
                    .containsEntry("duplicated", "0").containsEntry("out_of_order", "0");
            assertThat(figure(summary, "resets")).isPositive();
            assertThat(figure(summary, "resumes_failed")).as("every reset lost its player")
                    .isEqualTo(figure(summary, "resets"));
            // the players left are still checked: what the lost ones had sent reached them, or was lost with them
            assertThat(summary).containsEntry("lost", "0");
        }
    }

    @Test
    void playersThatLogInResumeWithoutLoggingInAgain() throws Exception {
        String secret = "a-dummy-client-test-secret-of-32-bytes-or-more";
        try (var server = new SpringApplicationBuilder(ServerCoreApplication.class).profiles("server").run(
                "--servercore.login.required=true", "--servercore.login.jwt.hmac-secret=" + secret,
                "--servercore.listener.port=0", "--servercore.listener.bind-address=127.0.0.1",
                "--management.server.port=0")) {
            DummyClientRun run = DummyClientRun.start(server.getBean(Listener.class).port(),
                    "--servercore.dummyclient.scenario=chat", "--servercore.dummyclient.sessions=20",
                    "--servercore.dummyclient.rooms=2", "--servercore.dummyclient.chat-rate=5",
                    "--servercore.dummyclient.duration=2s", "--servercore.dummyclient.timeout=20s",
                    "--servercore.dummyclient.login.hmac-secret=" + secret, "--servercore.dummyclient.resume=true",
                    "--servercore.dummyclient.chaos.drop-rate=5");
            assertThat(run.exitCode()).as(run.output()).isZero();
            Map<String, String> summary = summaryOf(run);
            assertThat(summary).containsEntry("result", "OK").containsEntry("joined", "20").containsEntry("lost", "0")
                    .containsEntry("duplicated", "0").containsEntry("out_of_order", "0")
                    .containsEntry("resumes_failed", "0");
            assertThat(figure(summary, "resumes_ok")).isPositive().isEqualTo(figure(summary, "resets"));
        }
    }

    @Test
    void aContinuousRunResumesItsPlayersAndLogsTheResumesEachInterval() throws Exception {
        try (AppProcess client = AppProcess.start("--spring.profiles.active=dummyclient", "--management.server.port=0",
                "--servercore.connector.host=127.0.0.1", "--servercore.connector.port=" + listener.port(),
                "--servercore.dummyclient.scenario=move", "--servercore.dummyclient.sessions=20",
                "--servercore.dummyclient.rooms=2", "--servercore.dummyclient.continuous=true",
                "--servercore.dummyclient.report-interval=1s", "--servercore.dummyclient.resume=true",
                "--servercore.dummyclient.chaos.drop-rate=5")) {
            String line = client.awaitLine("an interval with resumes", Duration.ofSeconds(60),
                    l -> l.contains("Dummy client (move)") && resumesOk(l) > 0);
            System.out.println(line);
            assertThat(line).contains("resumes_failed=0", "out_of_place=0");
            client.terminate();
            assertThat(client.awaitExit(Duration.ofSeconds(30))).as(client.output()).isZero();
            assertThat(client.output()).doesNotContain("resume failed", "cannot resume");
        }
    }

    @Test
    void aContinuousRunReplacesThePlayersItLoses() throws Exception {
        try (var server = new SpringApplicationBuilder(ServerCoreApplication.class).profiles("server").run(
                "--servercore.session.resume.max-detached=0", "--servercore.listener.port=0",
                "--servercore.listener.bind-address=127.0.0.1", "--management.server.port=0");
                AppProcess client = AppProcess.start("--spring.profiles.active=dummyclient", "--management.server.port=0",
                        "--servercore.connector.host=127.0.0.1",
                        "--servercore.connector.port=" + server.getBean(Listener.class).port(),
                        "--servercore.dummyclient.scenario=chat", "--servercore.dummyclient.sessions=10",
                        "--servercore.dummyclient.rooms=2", "--servercore.dummyclient.continuous=true",
                        "--servercore.dummyclient.report-interval=1s", "--servercore.dummyclient.resume=true",
                        "--servercore.dummyclient.chaos.drop-rate=4")) {
            // each reset loses its player (the gateway keeps no dropped session); a new player joins in its place
            String line = client.awaitLine("players replaced", Duration.ofSeconds(60),
                    l -> l.contains("Dummy client (chat)") && joined(l) >= 13);
            System.out.println(line);
            assertThat(line).contains("resumes_ok=0");
            client.terminate();
            assertThat(client.awaitExit(Duration.ofSeconds(30))).as(client.output()).isZero();
        }
    }
}
