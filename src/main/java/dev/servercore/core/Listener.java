package dev.servercore.core;

import java.util.function.Supplier;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.integration.ip.tcp.connection.TcpNetServerConnectionFactory;

/**
 * Accepts game clients: a Spring Integration {@link TcpNetServerConnectionFactory} whose every accepted
 * connection carries a new session from the session factory. Metrics are tagged {@code role=server}.
 */
public final class Listener extends Endpoint {

    private static final Log log = LogFactory.getLog(Listener.class);
    private static final long BIND_TIMEOUT_MILLIS = 10_000;

    private final TcpNetServerConnectionFactory factory;
    private final ServerCoreProperties.ListenerProperties properties;

    public Listener(String name, ServerCoreProperties.ListenerProperties listener,
            ServerCoreProperties.SessionProperties session, Supplier<? extends Session> sessionFactory,
            SessionRegistry registry, MeterRegistry meters, BeanFactory beanFactory, ApplicationEventPublisher events) {
        this(name, new ServerFactory(listener.getPort()), listener, session, sessionFactory, registry, meters,
                beanFactory, events);
    }

    private Listener(String name, TcpNetServerConnectionFactory factory, ServerCoreProperties.ListenerProperties listener,
            ServerCoreProperties.SessionProperties session, Supplier<? extends Session> sessionFactory,
            SessionRegistry registry, MeterRegistry meters, BeanFactory beanFactory, ApplicationEventPublisher events) {
        super("server", name, factory, session, listener.getMaxSessions(), listener.isTcpNoDelay(), registry, meters,
                beanFactory, events);
        this.factory = factory;
        this.properties = listener;
        factory.setLocalAddress(listener.getBindAddress());
        factory.setBacklog(listener.getBacklog());
        long idleMillis = listener.getIdleTimeout().toMillis();
        if (idleMillis > 0) {
            factory.setSoTimeout((int) Math.min(idleMillis, Integer.MAX_VALUE));
        }
        if (listener.getTls().isEnabled()) {
            factory.setTcpSocketFactorySupport(TlsSockets.socketFactory(listener.getTls(), "servercore.listener.tls", true));
        }
        factory.setTcpNetConnectionSupport(
                new SessionConnectionSupport(sessionFactory, (int) session.getReadBufferSize().toBytes()));
        initialize();
    }

    @Override
    void doStart() {
        factory.start();
        long deadline = System.currentTimeMillis() + BIND_TIMEOUT_MILLIS;
        while (!factory.isListening()) {
            if (!factory.isRunning() || System.currentTimeMillis() > deadline) {
                factory.stop();
                throw new IllegalStateException("Could not listen on " + properties.getBindAddress() + ":"
                        + properties.getPort() + " (see the log above)");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while binding", e);
            }
        }
        log.info("Listening on " + properties.getBindAddress() + ":" + port() + " (" + properties.getMode() + " mode, "
                + (properties.getTls().isEnabled() ? "TLS, " : "")
                + (IoThreads.virtualThreadsAvailable() ? "virtual" : "platform") + " threads)");
    }

    /** The bound port (the real one when configured as 0). */
    public int port() {
        return factory.getPort();
    }

    public boolean isListening() {
        return isRunning() && factory.isListening();
    }

    @Override
    void stopAcceptingSessions() {
        factory.beforeShutdown(); // accepted connections are closed at once from here on
    }

    /**
     * Spring Integration's factory, minus its sweep of every connection (and a list of all their ids) on
     * every accept: O(n) garbage and time per accept, O(n^2) to fill a server. The dispatcher sweeps
     * instead, once a second while sessions close and when the last one has gone.
     */
    static final class ServerFactory extends TcpNetServerConnectionFactory {

        ServerFactory(int port) {
            super(port);
        }

        @Override
        protected void harvestClosedConnections() {
        }
    }
}
