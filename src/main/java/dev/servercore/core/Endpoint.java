package dev.servercore.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.integration.ip.tcp.connection.AbstractConnectionFactory;
import org.springframework.integration.ip.tcp.connection.TcpListener;

/**
 * What a {@link Listener} and a {@link Connector} share: event loops (each one a Spring Integration NIO
 * connection factory's selector thread), their sessions and meters, one timer for every deadline, and the
 * orderly stop: take no new sessions, close every session after what it had queued is written (bounded
 * by the drain timeout), then stop the factories. Each {@code onDisconnected} runs once, on its loop,
 * with reason {@link CloseReason#SHUTDOWN}.
 */
public abstract sealed class Endpoint implements SmartLifecycle permits Listener, Connector {

    private static final Log log = LogFactory.getLog(Endpoint.class);
    private static final long LOOP_EXIT_MILLIS = 5_000;
    /** A factory needs a listener or it does not accept; reads never reach it, errors are the loops'. */
    private static final TcpListener NO_MESSAGES = message -> {
    };

    private final String name;
    final EndpointContext context;
    final List<EventLoop> loops;
    private final Duration drainTimeout;
    private volatile boolean running;
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();

    Endpoint(String role, String name, int loopCount, SessionSettings settings, SessionRegistry registry,
            MeterRegistry meters, Duration drainTimeout) {
        this.name = name;
        this.drainTimeout = drainTimeout;
        this.context = new EndpointContext(name, "server".equals(role), settings, registry);
        List<EventLoop> made = new ArrayList<>();
        for (int i = 0; i < loopCount; i++) {
            made.add(new EventLoop("servercore-" + name + "-loop-" + i, context));
        }
        this.loops = List.copyOf(made);
        context.metrics(new SessionMetrics(meters, role, context, loops));
    }

    /** Loops to run: as configured, or one per core when 0. */
    static int loopCount(int configured) {
        return configured > 0 ? configured : Runtime.getRuntime().availableProcessors();
    }

    /** Sets up a Spring Integration factory as the container would a bean. */
    final void configure(AbstractConnectionFactory factory, String beanName, boolean tcpNoDelay,
            BeanFactory beanFactory, ApplicationEventPublisher events) {
        factory.setBeanName(beanName);
        factory.setBeanFactory(beanFactory);
        factory.setApplicationEventPublisher(events);
        factory.setSoTcpNoDelay(tcpNoDelay);
        factory.registerListener(NO_MESSAGES);
        factory.afterPropertiesSet();
    }

    /** Where its sessions' ids come from (before it starts); by default the process' one sequence. */
    public final void setSessionIds(SessionIds ids) {
        context.ids(java.util.Objects.requireNonNull(ids, "ids"));
    }

    /** The {@code endpoint} tag of its meters. */
    public final String name() {
        return name;
    }

    public final SessionRegistry sessions() {
        return context.registry();
    }

    /** Event loops serving this endpoint. */
    public final int eventLoops() {
        return loops.size();
    }

    @Override
    public final void start() {
        if (running) {
            return;
        }
        doStart();
        running = true;
        SessionSettings settings = context.settings();
        long shortest = settings.shortestTimeoutNanos();
        LoginSettings login = context.logins().settings();
        if (login.authenticator() != null) {
            long timeout = login.timeout().toNanos();
            shortest = shortest == 0 ? timeout : Math.min(shortest, timeout);
        }
        long opening = opening().shortestTimeoutNanos();
        if (opening > 0 && (shortest == 0 || opening < shortest)) {
            shortest = opening;
        }
        if (shortest > 0) {
            every(shortest / 4, () -> loops.forEach(loop -> loop.execute(loop::checkTimeouts)));
        }
        if (context.isServer() && settings.resume().windowNanos() > 0) {
            // S_Ack at least once a second: a look four times a second, for loops that have resumable sessions only
            every(SessionLayer.ACK_INTERVAL_NANOS / 4, () -> loops.forEach(loop -> {
                if (loop.hasAcking()) {
                    loop.execute(loop::checkAcks);
                }
            }));
        }
        if (settings.blockedWarningNanos() > 0) {
            every(settings.blockedWarningNanos() / 2, () -> loops.forEach(
                    loop -> loop.checkBlocked(settings.blockedWarningNanos())));
        }
    }

    private void every(long nanos, Runnable check) {
        long period = Math.max(10, Math.min(1_000, nanos / 1_000_000));
        timers.add(EngineTimer.INSTANCE.scheduleAtFixedRate(() -> {
            try {
                check.run();
            } catch (RuntimeException stopped) {
                // a loop that has stopped refuses tasks: the endpoint is stopping
            }
        }, period, period, TimeUnit.MILLISECONDS));
    }

    @Override
    public final void stop() {
        if (!running) {
            return;
        }
        running = false;
        stopAcceptingSessions();
        int open = context.registry().count();
        closeAll(true);
        awaitNoSessions(drainTimeout);
        closeAll(false);
        awaitNoSessions(Duration.ofSeconds(5));
        timers.forEach(timer -> timer.cancel(false));
        timers.clear();
        stopFactories();
        for (EventLoop loop : loops) {
            Thread thread = loop.thread();
            if (thread != null) {
                try {
                    thread.join(LOOP_EXIT_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (thread.isAlive()) {
                    log.warn(loop.name() + " still running after stop: a callback is blocking it");
                }
            }
        }
        log.info("Stopped " + name + "; closed " + open + " sessions");
    }

    /** On each loop, every connection it has (sessions still opening too). */
    private void closeAll(boolean graceful) {
        for (EventLoop loop : loops) {
            try {
                loop.execute(() -> loop.closeAll(graceful));
            } catch (RuntimeException stopped) {
                // its thread has ended, and with it its sessions
            }
        }
    }

    private void awaitNoSessions(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (context.active() > 0 && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public final boolean isRunning() {
        return running;
    }

    abstract void doStart();

    /** What its connections go through before their sessions open. */
    abstract OpeningRules opening();

    abstract void stopAcceptingSessions();

    abstract void stopFactories();
}
