package dev.servercore.autoconfigure;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM (docker stop, Kubernetes, kill) closes the application the graceful way, as Boot's shutdown hook would
 * (sessions drained and closed, the listener stopped), and then exits with the application's own exit code (0),
 * not the JVM's 143 for a signal: an orchestrator that reads 143 as a crash restarts or reports a game server that
 * stopped cleanly. In every application on the engine, not only in this repository's {@code main}
 * ({@code servercore.shutdown.exit-zero-on-sigterm=false} keeps the JVM's own handling).
 */
final class ExitZeroOnSigterm implements SmartLifecycle {

    private static final Signal TERM = new Signal("TERM");

    private final ConfigurableApplicationContext context;
    private volatile SignalHandler previous;

    ExitZeroOnSigterm(ConfigurableApplicationContext context) {
        this.context = context;
    }

    @Override
    public void start() {
        previous = Signal.handle(TERM, this::terminated);
    }

    private void terminated(Signal signal) {
        SignalHandler before = previous;
        if (!context.isActive() && before != null && before != SignalHandler.SIG_DFL && before != SignalHandler.SIG_IGN) {
            before.handle(signal); // another context took the signal after this one (several in one JVM: tests)
            return;
        }
        System.exit(SpringApplication.exit(context));
    }

    @Override
    public void stop() {
        SignalHandler before = previous;
        previous = null;
        if (before != null) {
            Signal.handle(TERM, before);
        }
    }

    @Override
    public boolean isRunning() {
        return previous != null;
    }

    /** Installed before anything else starts, removed last. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE;
    }
}
