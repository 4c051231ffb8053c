package dev.servercore.autoconfigure;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

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

    /** The handlers a signal passed on this thread, as it is handed down from closed contexts. */
    private static final ThreadLocal<Set<ExitZeroOnSigterm>> HANDED_DOWN =
            ThreadLocal.withInitial(() -> Collections.newSetFromMap(new IdentityHashMap<>()));

    private final ConfigurableApplicationContext context;
    /** One object, so that stop can tell whether the handler in place is still this one. */
    private final SignalHandler handler = this::terminated;
    /** The handler this one replaced, kept after stop: a context started later may still hand the signal down. */
    private volatile SignalHandler previous;
    private volatile boolean running;

    ExitZeroOnSigterm(ConfigurableApplicationContext context) {
        this.context = context;
    }

    @Override
    public void start() {
        if (running) {
            return;
        }
        running = true;
        previous = Signal.handle(TERM, handler);
    }

    private void terminated(Signal signal) {
        SignalHandler before = previous;
        Set<ExitZeroOnSigterm> handedDown = HANDED_DOWN.get();
        if (!context.isActive() && before != null && before != SignalHandler.SIG_DFL && before != SignalHandler.SIG_IGN
                && handedDown.add(this)) { // once each: contexts stopped and started again may chain in a circle
            try {
                before.handle(signal); // another context took the signal after this one (several in one JVM: tests)
            } finally {
                handedDown.remove(this);
            }
            return;
        }
        if (!context.isActive()) {
            System.exit(128 + signal.getNumber()); // no context left to close: the JVM's own exit for a signal
        }
        System.exit(SpringApplication.exit(context));
    }

    @Override
    public void stop() {
        if (!running) {
            return;
        }
        running = false;
        SignalHandler current = Signal.handle(TERM, previous);
        if (current != handler) {
            // a context started after this one holds the signal (contexts closed out of order): it stays, and hands
            // the signal down to this handler once it is closed itself, which hands it to the one before
            Signal.handle(TERM, current);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Installed before anything else starts, removed last. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE;
    }
}
