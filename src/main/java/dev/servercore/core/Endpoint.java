package dev.servercore.core;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.integration.ip.tcp.connection.AbstractConnectionFactory;

/**
 * What a {@link Listener} and a {@link Connector} share: their sessions, meters, threads, and the
 * orderly stop: take no new sessions, let queued sends flush for a bounded time, then close every
 * session (each {@code onDisconnected} runs once, with reason {@link CloseReason#SHUTDOWN}).
 */
public abstract sealed class Endpoint implements SmartLifecycle permits Listener, Connector {

    private static final Log log = LogFactory.getLog(Endpoint.class);

    private final String name;
    private final SessionRegistry registry;
    private final SessionMetrics metrics;
    private final Duration drainTimeout;
    final SessionDispatcher dispatcher;
    final ExecutorService ioThreads;
    private volatile boolean running;

    Endpoint(String role, String name, ServerCoreProperties.SessionProperties session, int maxSessions,
            SessionRegistry registry, MeterRegistry meters) {
        this.name = name;
        this.registry = registry;
        this.metrics = new SessionMetrics(meters, role, name, registry);
        this.drainTimeout = session.getShutdownDrainTimeout();
        this.ioThreads = IoThreads.newExecutor("servercore-" + name + "-io-");
        this.dispatcher = new SessionDispatcher(name, registry, metrics, session.toSettings(), ioThreads, maxSessions);
    }

    /**
     * Applies what every factory of ours has in common, and initializes it as the container would a bean
     * (its message mapper needs the bean factory).
     */
    void configure(AbstractConnectionFactory factory, boolean tcpNoDelay, int maxFrameSize, BeanFactory beanFactory,
            ApplicationEventPublisher events) {
        factory.setBeanFactory(beanFactory);
        factory.setApplicationEventPublisher(events);
        factory.setSoTcpNoDelay(tcpNoDelay);
        factory.setDeserializer(new ChunkDeserializer(Math.max(maxFrameSize, 64 * 1024)));
        factory.setTaskExecutor(ioThreads);
        factory.registerListener(dispatcher);
        factory.registerSender(dispatcher);
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
        }
    }

    @Override
    public final void stop() {
        if (!running) {
            return;
        }
        running = false;
        stopAcceptingSessions();
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        while (registry.queuedBytes() > 0 && System.nanoTime() < deadline) {
            sleepQuietly(10);
        }
        int open = registry.count();
        for (Session session : registry.all()) {
            session.close(CloseReason.SHUTDOWN);
        }
        stopFactory();
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

    abstract void stopFactory();

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
