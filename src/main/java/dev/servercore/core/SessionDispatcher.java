package dev.servercore.core;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.integration.ip.tcp.connection.TcpConnection;
import org.springframework.integration.ip.tcp.connection.TcpListener;
import org.springframework.integration.ip.tcp.connection.TcpSender;
import org.springframework.messaging.Message;

/**
 * The listener and sender registered with one Spring Integration connection factory: it opens a session
 * when the factory registers a new connection, and ends it when the factory drops the connection. Reads
 * do not pass through here: each {@link SessionConnection} hands them to its session. It also holds what
 * the sessions of that factory share.
 */
final class SessionDispatcher implements TcpListener, TcpSender {

    private static final Log log = LogFactory.getLog(SessionDispatcher.class);
    private static final long SWEEP_INTERVAL_NANOS = 1_000_000_000L;

    private final String endpointName;
    private final SessionRegistry registry;
    private final SessionMetrics metrics;
    private final SessionSettings settings;
    private final Executor writeExecutor;
    private final int maxSessions;
    private final Runnable sweepFactory;
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private volatile boolean sweepRequested;
    private volatile long lastSweep = System.nanoTime();

    SessionDispatcher(String endpointName, SessionRegistry registry, SessionMetrics metrics, SessionSettings settings,
            Executor writeExecutor, int maxSessions, Runnable sweepFactory) {
        this.endpointName = endpointName;
        this.registry = registry;
        this.metrics = metrics;
        this.settings = settings;
        this.writeExecutor = writeExecutor;
        this.maxSessions = maxSessions;
        this.sweepFactory = sweepFactory;
    }

    @Override
    public void addNewConnection(TcpConnection connection) {
        SessionConnection sessionConnection = (SessionConnection) connection;
        if (metrics.active() >= maxSessions) {
            metrics.refused();
            log.warn("Refusing " + sessionConnection.remoteAddress() + ": " + endpointName + " has " + maxSessions
                    + " sessions open");
            connection.close();
            return;
        }
        sessionConnection.session().opened(this);
    }

    @Override
    public void removeDeadConnection(TcpConnection connection) {
        ((SessionConnection) connection).session().ended();
        // The factory's sweep walks every connection: once a second under churn, and when the last one went.
        if (metrics.active() == 0 || System.nanoTime() - lastSweep > SWEEP_INTERVAL_NANOS) {
            lastSweep = System.nanoTime();
            sweepRequested = true;
            if (sweeping.compareAndSet(false, true)) {
                try {
                    writeExecutor.execute(this::sweep);
                } catch (RejectedExecutionException stopped) {
                    sweeping.set(false); // the endpoint has stopped, and its factory with it
                }
            }
        }
    }

    /** Off the closing thread: the factory may be calling {@link #removeDeadConnection} from its own sweep. */
    private void sweep() {
        do {
            while (sweepRequested) {
                sweepRequested = false;
                sweepFactory.run();
            }
            sweeping.set(false);
        } while (sweepRequested && sweeping.compareAndSet(false, true));
    }

    /**
     * Never called: {@link SessionConnection#run} hands reads to its session. A factory needs a listener
     * registered all the same, or it does not accept.
     */
    @Override
    public void onMessage(Message<?> message) {
        throw new IllegalStateException("reads go to the session, not through the factory's listener");
    }

    void sessionEnded(Session session) {
        registry.remove(session);
        metrics.closed(session.closeReason());
    }

    SessionRegistry registry() {
        return registry;
    }

    SessionMetrics metrics() {
        return metrics;
    }

    SessionSettings settings() {
        return settings;
    }

    Executor writeExecutor() {
        return writeExecutor;
    }
}
