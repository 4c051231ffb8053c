package dev.servercore.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.servercore.testsupport.AppProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine's SIGTERM handling in JVMs of their own, signalled for real. */
class ExitZeroOnSigtermTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static AppProcess jvm(Path home, List<String> options, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.addAll(options);
        command.add(SigtermContexts.class.getName());
        command.addAll(List.of(args));
        return AppProcess.run(command, home, Map.of());
    }

    /**
     * Two contexts in one JVM, the older closed first: the younger, still running, keeps its handler (the older's
     * stop put the JVM's back over it, and SIGTERM then exited 143).
     */
    @Test
    void aContextClosedOutOfOrderLeavesTheOtherOnesHandlerInPlace(@TempDir Path home) throws Exception {
        try (AppProcess jvm = jvm(home, List.of(), "close-first")) {
            jvm.awaitLine("both contexts made, the first closed", WAIT, l -> l.contains("ready"));
            assertThat(jvm.output()).contains("second active: true");
            jvm.terminate();
            assertThat(jvm.awaitExit(WAIT)).as(jvm.output()).isZero();
        }
    }

    /**
     * A context stopped and started again while another ran (their handlers then hand the signal to each other):
     * once both are closed, SIGTERM still ends the JVM, with the JVM's own 143 as no application runs, instead of
     * going round the circle until the stack overflows (and the JVM went on).
     */
    @Test
    void contextsRestartedAndClosedStillLetSigtermEndTheJvm(@TempDir Path home) throws Exception {
        try (AppProcess jvm = jvm(home, List.of(), "restart-first")) {
            jvm.awaitLine("both contexts closed", WAIT, l -> l.contains("ready"));
            assertThat(jvm.output()).contains("both closed");
            jvm.terminate();
            assertThat(jvm.awaitExit(WAIT)).as(jvm.output()).isEqualTo(143);
        }
    }
}
