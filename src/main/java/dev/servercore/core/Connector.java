package dev.servercore.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.integration.ip.tcp.connection.DefaultTcpSocketSupport;
import org.springframework.integration.ip.tcp.connection.TcpNetClientConnectionFactory;

/**
 * Opens sessions to one remote endpoint, any number of them: a Spring Integration
 * {@link TcpNetClientConnectionFactory} in single-use mode, so each {@code getConnection()} is a new
 * connection carrying a new session from the session factory. Metrics are tagged {@code role=client}.
 */
public final class Connector extends Endpoint {

    private static final Log log = LogFactory.getLog(Connector.class);

    private final TcpNetClientConnectionFactory factory;
    private final ServerCoreProperties.ConnectorProperties properties;
    private final String target;
    private final Counter retries;
    private final List<SessionKeeper> keepers = new ArrayList<>();
    private volatile boolean accepting;

    public Connector(String name, ServerCoreProperties.ConnectorProperties connector,
            ServerCoreProperties.SessionProperties session, Supplier<? extends Session> sessionFactory,
            SessionRegistry registry, MeterRegistry meters, BeanFactory beanFactory, ApplicationEventPublisher events) {
        this(name, new ClientFactory(connector.getHost(), connector.getPort()), connector, session, sessionFactory,
                registry, meters, beanFactory, events);
    }

    private Connector(String name, TcpNetClientConnectionFactory factory,
            ServerCoreProperties.ConnectorProperties connector, ServerCoreProperties.SessionProperties session,
            Supplier<? extends Session> sessionFactory, SessionRegistry registry, MeterRegistry meters,
            BeanFactory beanFactory, ApplicationEventPublisher events) {
        super("client", name, factory, session, Integer.MAX_VALUE, connector.isTcpNoDelay(), registry, meters,
                beanFactory, events);
        this.factory = factory;
        this.properties = connector;
        this.target = connector.getHost() + ":" + connector.getPort();
        this.retries = Counter.builder("servercore.connect.retries")
                .description("Reconnect attempts of kept sessions, after a loss or a failed attempt")
                .tags("role", "client", "endpoint", name).register(meters);
        factory.setSingleUse(true);
        // Spring Integration takes whole seconds here
        factory.setConnectTimeout((int) Math.max(1, connector.getConnectTimeout().toSeconds()));
        if (connector.getTls().isEnabled()) {
            factory.setTcpSocketFactorySupport(
                    TlsSockets.socketFactory(connector.getTls(), "servercore.connector.tls", false));
            factory.setTcpSocketSupport(new DefaultTcpSocketSupport(connector.getTls().isVerifyHost()));
        }
        factory.setTcpNetConnectionSupport(
                new SessionConnectionSupport(sessionFactory, (int) session.getReadBufferSize().toBytes()));
        initialize();
    }

    @Override
    void doStart() {
        factory.start();
        accepting = true;
    }

    /**
     * Opens one session, on an I/O thread. A failed connect is logged and counted
     * ({@code servercore.connect.failures}); the future then completes exceptionally, never the caller.
     */
    public CompletableFuture<Session> connect() {
        return attempt().whenComplete((session, failure) -> {
            if (failure != null) {
                log.warn("Connect to " + target + " failed: " + failure.getMessage());
            }
        });
    }

    /**
     * Keeps {@code count} sessions connected: each one lost for any reason but {@link Session#disconnect()}
     * or shutdown is replaced by a new one, and a failed connect is tried again, after an exponential
     * backoff with jitter ({@code servercore.connector.reconnect.*}). Every retry is counted in
     * {@code servercore.connect.retries}.
     */
    public void keepConnected(int count) {
        synchronized (keepers) {
            for (int i = 0; i < count; i++) {
                SessionKeeper keeper = new SessionKeeper(this, properties.getReconnect(), keepers.size());
                keepers.add(keeper);
                keeper.start();
            }
        }
    }

    /** One connect attempt; counted when it fails, logged by the caller. */
    CompletableFuture<Session> attempt() {
        CompletableFuture<Session> result = new CompletableFuture<>();
        if (!accepting) {
            result.completeExceptionally(new IllegalStateException("connector to " + target + " is not running"));
            return result;
        }
        ioThreads.execute(() -> {
            try {
                result.complete(((SessionConnection) factory.getConnection()).session());
            } catch (Exception e) {
                metrics().connectFailed();
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    void retried() {
        retries.increment();
    }

    boolean isAccepting() {
        return accepting;
    }

    public String target() {
        return target;
    }

    @Override
    void stopAcceptingSessions() {
        accepting = false;
        synchronized (keepers) {
            keepers.forEach(SessionKeeper::stop);
        }
    }

    /** Like {@link Listener.ServerFactory}: no sweep of every connection on every connect. */
    static final class ClientFactory extends TcpNetClientConnectionFactory {

        ClientFactory(String host, int port) {
            super(host, port);
        }

        @Override
        protected void harvestClosedConnections() {
        }
    }
}
