package dev.servercore.server;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.servercore.testsupport.AppProcess;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whole processes, as they are run: a server killed outright under a dummy client that keeps going,
 * and SIGTERM on both, which must close every session and exit 0.
 */
class ProcessLifecycleTest {

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Pattern REPORT = Pattern.compile("Dummy client: open=(\\d+)/5 .*echoes=(\\d+) ");

    @Test
    void theDummyClientSurvivesASigkilledServerReconnectsToItsSuccessorAndBothExitZeroOnSigterm() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String[] server = {"--servercore.listener.port=" + port, "--servercore.listener.bind-address=127.0.0.1",
                "--management.server.port=0"};
        try (AppProcess first = AppProcess.start(server)) {
            first.awaitLine("the first server listening", STARTUP, l -> l.contains("Listening on"));
            try (AppProcess client = AppProcess.start("--spring.profiles.active=dummyclient", "--management.server.port=0",
                    "--servercore.connector.host=127.0.0.1", "--servercore.connector.port=" + port,
                    "--servercore.dummyclient.continuous=true", "--servercore.dummyclient.sessions=5",
                    "--servercore.dummyclient.report-interval=1s", "--servercore.connector.reconnect.max-delay=1s")) {
                survivesTheServersDeathAndBothStopCleanly(first, client, server);
            }
        }
    }

    /**
     * A game's own application on the engine (not this repository's main, whose SIGTERM handling it used to be), in a
     * directory of its own with no configuration file: SIGTERM stops it gracefully and it exits 0, not 143.
     */
    @Test
    void aGamesOwnApplicationExitsZeroOnSigterm(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home)
            throws Exception {
        java.util.List<String> command = java.util.List.of(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), com.example.mygame.MyGameApplication.class.getName(),
                "--servercore.listener.port=0", "--servercore.listener.bind-address=127.0.0.1", "--server.port=0");
        try (AppProcess game = AppProcess.run(command, home, java.util.Map.of())) {
            game.awaitLine("the game listening", STARTUP, l -> l.contains("Listening on"));
            game.terminate();
            assertThat(game.awaitExit(Duration.ofSeconds(30))).as(game.output()).isZero();
            assertThat(game.output()).contains("Stopped listener");
        }
    }

    private void survivesTheServersDeathAndBothStopCleanly(AppProcess first, AppProcess client, String[] server)
            throws Exception {
        client.awaitLine("echoes flowing", STARTUP, l -> reportShows(l, 5, true));

        int mark = client.lines().size();
        first.kill();
        assertThat(first.awaitExit(Duration.ofSeconds(10))).isEqualTo(137);
        client.awaitLine("the loss reported", Duration.ofSeconds(20), mark, l -> l.contains("lost ("));
        client.awaitLine("no session open", Duration.ofSeconds(20), mark, l -> reportShows(l, 0, false));

        String[] debugSessions = java.util.Arrays.copyOf(server, server.length + 1);
        debugSessions[server.length] = "--logging.level.dev.servercore.server.GameSession=DEBUG"; // a line per session
        try (AppProcess second = AppProcess.start(debugSessions)) {
            second.awaitLine("the second server listening", STARTUP, l -> l.contains("Listening on"));
            int restarted = client.lines().size();
            client.awaitLine("all five back, echoing", Duration.ofSeconds(30), restarted, l -> reportShows(l, 5, true));
            assertThat(client.output()).contains("connected again after");

            // SIGTERM with the five sessions open: each ends once, as a shutdown, and the exit code is 0
            second.terminate();
            assertThat(second.awaitExit(Duration.ofSeconds(30))).as(second.output()).isZero();
            assertThat(second.output()).contains("Stopped listener; closed 5 sessions");
            assertThat(second.lines().stream().filter(l -> l.contains("disconnected") && l.contains("(shutdown)")))
                    .hasSize(5);
        }

        client.terminate();
        assertThat(client.awaitExit(Duration.ofSeconds(30))).as(client.output()).isZero();
        assertThat(client.output()).contains("Stopped dummyclient");
    }

    /** A periodic report line with this many sessions open and, if asked, echoes in that interval. */
    private static boolean reportShows(String line, int open, boolean echoing) {
        Matcher m = REPORT.matcher(line);
        return m.find() && Integer.parseInt(m.group(1)) == open && (!echoing || Long.parseLong(m.group(2)) > 0);
    }
}
