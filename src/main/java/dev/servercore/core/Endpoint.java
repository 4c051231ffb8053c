package dev.servercore.core;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.integration.ip.tcp.connection.AbstractConnectionFactory;

/**
 * What a {@link Listener} and a {@link Connector} share: a Spring Integration connection factory, its
 * sessions, meters and threads, and the orderly stop: take no new sessions, let queued sends flush for
 * a bounded time, then close every session (each {@code onDisconnected} runs once, with reason
 * {@link CloseReason#SHUTDOWN}).
 */
public abstract sealed class Endpoint implements SmartLifecycle permits Listener, Connector {

    private static final Log log = LogFactory.getLog(Endpoint.class);

    private final String name;
    private final SessionRegistry registry;
    private final SessionMetrics metrics;
    private final Duration drainTimeout;
    final SessionDispatcher dispatcher;
    final ExecutorService ioThreads;
    private final AbstractConnectionFactory factory;
    private volatile boolean running;
    private ScheduledFuture<?> stalledWriteCheck;

    Endpoint(String role, String name, AbstractConnectionFactory factory, ServerCoreProperties.SessionProperties session,
            int maxSessions, boolean tcpNoDelay, SessionRegistry registry, MeterRegistry meters,
            BeanFactory beanFactory, ApplicationEventPublisher events) {
        if (session.getReadBufferSize().toBytes() < 16 || session.getReadBufferSize().toBytes() > 1 << 20) {
            throw new IllegalArgumentException("servercore.session.read-buffer-size must be within 16B..1MB, not "
                    + session.getReadBufferSize());
        }
        this.name = name;
        this.registry = registry;
        this.factory = factory;
        this.metrics = new SessionMetrics(meters, role, name, registry);
        this.drainTimeout = session.getShutdownDrainTimeout();
        this.ioThreads = IoThreads.newExecutor("servercore-" + name + "-io-");
        this.dispatcher = new SessionDispatcher(name, registry, metrics, session.toSettings(), ioThreads, maxSessions,
                this::sweepClosedConnections);

        factory.setBeanName(name);
        factory.setBeanFactory(beanFactory);
        factory.setApplicationEventPublisher(events);
        factory.setSoTcpNoDelay(tcpNoDelay);
        factory.setTaskExecutor(ioThreads);
        factory.registerListener(dispatcher);
        factory.registerSender(dispatcher);
    }

    /** Initializes the factory as the container would a bean, once the subclass has configured it. */
    final void initialize() {
        factory.afterPropertiesSet();
    }

    /** The {@code endpoint} tag of its meters. */
    public final String name() {
        return name;
    }

    public final SessionRegistry sessions() {
        return registry;
    }

    final SessionMetrics metrics() {
        return metrics;
    }

    @Override
    public final void start() {
        if (!running) {
            doStart();
            running = true;
            long timeoutNanos = dispatcher.settings().writeTimeout().toNanos();
            long period = Math.max(10, Math.min(1_000, timeoutNanos / 4_000_000));
            stalledWriteCheck = EngineTimer.INSTANCE.scheduleAtFixedRate(() -> {
                long deadline = System.nanoTime() - timeoutNanos;
                for (Session session : registry.all()) {
                    session.closeIfWriteStalledSince(deadline);
                }
            }, period, period, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public final void stop() {
        if (!running) {
            return;
        }
        running = false;
        stalledWriteCheck.cancel(false);
        stopAcceptingSessions();
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        while (registry.queuedBytes() > 0 && System.nanoTime() < deadline) {
            sleepQuietly(10);
        }
        int open = registry.count();
        for (Session session : registry.all()) {
            session.close(CloseReason.SHUTDOWN);
        }
        factory.stop();
        ioThreads.shutdown();
        try {
            if (!ioThreads.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn(name + " I/O threads still running after stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("Stopped " + name + "; closed " + open + " sessions");
    }

    @Override
    public final boolean isRunning() {
        return running;
    }

    abstract void doStart();

    abstract void stopAcceptingSessions();

    /**
     * Spring Integration keeps every connection in its factory until it next looks for closed ones (on
     * an accept or a connect): after the last client left, their sessions would stay reachable.
     */
    private void sweepClosedConnections() {
        factory.getOpenConnectionIds();
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
