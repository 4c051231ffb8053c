package dev.servercore.dummyclient;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.example.mygame.MyGameApplication;
import dev.servercore.core.PacketSession;
import dev.servercore.test.LocalGamePort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dummy client runs a user's game: the guide's game serves, and the same application, run with the
 * {@code dummyclient} profile, load-tests it with its own sessions (com.example.mygame.ShoutBot).
 */
@SpringBootTest(classes = MyGameApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "servercore.listener.port=0", "servercore.listener.bind-address=127.0.0.1"})
@ExtendWith(OutputCaptureExtension.class)
class OwnSessionsDummyClientTest {

    private static final Pattern FIGURE = Pattern.compile("(\\w+)=([\\w.]+)");

    @LocalGamePort
    int port;

    /** Runs the dummy client in this JVM (no exit) and returns its exit code. */
    private int runDummyClient(Class<?> application, String... settings) {
        String[] args = new String[settings.length + 4];
        args[0] = "--servercore.connector.host=127.0.0.1";
        args[1] = "--servercore.connector.port=" + port;
        args[2] = "--servercore.dummyclient.exit-when-done=false";
        args[3] = "--management.server.port=-1";
        System.arraycopy(settings, 0, args, 4, settings.length);
        try (ConfigurableApplicationContext client = new SpringApplicationBuilder(application).profiles("dummyclient")
                .web(WebApplicationType.NONE).run(args)) {
            return client.getBean(DummyClient.class).getExitCode();
        }
    }

    private static Map<String, String> summary(CapturedOutput output) {
        String line = output.getOut().lines().filter(l -> l.contains("Dummy client summary:")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no summary in:\n" + output));
        Map<String, String> figures = new HashMap<>();
        Matcher m = FIGURE.matcher(line.substring(line.indexOf("summary:")));
        while (m.find()) {
            figures.put(m.group(1), m.group(2));
        }
        return figures;
    }

    @Test
    void theGamesOwnBotsRunAndTheSummaryCountsWhatTheyDidAndReported(CapturedOutput output) {
        assertThat(runDummyClient(MyGameApplication.class, "--servercore.dummyclient.sessions=4",
                "--servercore.dummyclient.timeout=10s")).as(output.getOut())
                .isZero();
        Map<String, String> summary = summary(output);
        assertThat(summary).containsEntry("mode", "own").containsEntry("result", "OK").containsEntry("connected", "4")
                .containsEntry("connect_failures", "0").containsEntry("disconnects_local", "4")
                .containsEntry("unexpected_disconnects", "0").containsEntry("errors", "0")
                .containsEntry("shout_n", "4").doesNotContainKey("welcomed");
        assertThat(Long.parseLong(summary.get("shout_p99_us"))).isPositive();
        // each bot hears at least its own arrival and its own shout
        assertThat(Long.parseLong(summary.get("shouts_heard"))).isGreaterThanOrEqualTo(8);
        assertThat(Long.parseLong(summary.get("packets_sent"))).isEqualTo(4);
        assertThat(Long.parseLong(summary.get("bytes_received"))).isPositive();
    }

    /** Sessions that report an error fail the run, and the exit code says so. */
    @Test
    void aSessionsReportedErrorFailsTheRun(CapturedOutput output) {
        assertThat(runDummyClient(GrumpyBots.class, "--servercore.dummyclient.sessions=2",
                "--servercore.dummyclient.duration=1s", "--servercore.dummyclient.timeout=10s")).isEqualTo(1);
        assertThat(summary(output)).containsEntry("result", "FAILED").containsEntry("connected", "2")
                .containsEntry("errors", "2");
    }

    /** With no duration, a session that never leaves is a run that does not finish. */
    @Test
    void sessionsThatNeverLeaveFailARunWithoutDurationAtItsTimeout(CapturedOutput output) {
        assertThat(runDummyClient(IdleBots.class, "--servercore.dummyclient.sessions=2",
                "--servercore.dummyclient.timeout=1s")).isEqualTo(1);
        assertThat(summary(output)).containsEntry("result", "FAILED").containsEntry("connected", "2");
    }

    /** Bots that find fault with the first packet they get (the arrival shout). */
    @Configuration(proxyBeanMethods = false)
    @org.springframework.boot.autoconfigure.EnableAutoConfiguration
    static class GrumpyBots {
        @Bean
        DummySessionFactory grumpy(SessionReport report) {
            return () -> new PacketSession() {
                private boolean complained;

                @Override
                protected void onRecvPacket(int packetId, ByteBuffer body) {
                    if (!complained) {
                        complained = true;
                        report.error();
                    }
                }
            };
        }
    }

    /** Bots that stay. */
    @Configuration(proxyBeanMethods = false)
    @org.springframework.boot.autoconfigure.EnableAutoConfiguration
    static class IdleBots {
        @Bean
        DummySessionFactory idle() {
            return () -> new PacketSession() {
                @Override
                protected void onRecvPacket(int packetId, ByteBuffer body) {
                }
            };
        }
    }
}
