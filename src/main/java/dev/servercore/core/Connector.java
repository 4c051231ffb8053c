package dev.servercore.core;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.integration.ip.tcp.connection.TcpConnectionSupport;
import org.springframework.integration.ip.tcp.connection.TcpNetClientConnectionFactory;

/**
 * Opens sessions to one remote endpoint, any number of them: a Spring Integration
 * {@link TcpNetClientConnectionFactory} in single-use mode, so each {@code getConnection()} is a new
 * connection carrying a new session from the session factory. Metrics are tagged {@code role=client}.
 */
public final class Connector extends Endpoint {

    private static final Log log = LogFactory.getLog(Connector.class);

    private final TcpNetClientConnectionFactory factory;
    private final String target;
    private volatile boolean accepting;

    public Connector(String name, ServerCoreProperties.ConnectorProperties connector, ServerCoreProperties.SessionProperties session,
            Supplier<? extends Session> sessionFactory, SessionRegistry registry, MeterRegistry meters,
            BeanFactory beanFactory, ApplicationEventPublisher events) {
        super("client", name, session, Integer.MAX_VALUE, registry, meters);
        this.target = connector.getHost() + ":" + connector.getPort();
        this.factory = new TcpNetClientConnectionFactory(connector.getHost(), connector.getPort());
        factory.setBeanName(name);
        factory.setSingleUse(true);
        // Spring Integration takes whole seconds here
        factory.setConnectTimeout((int) Math.max(1, connector.getConnectTimeout().toSeconds()));
        factory.setTcpNetConnectionSupport(new SessionConnectionSupport(sessionFactory));
        configure(factory, connector.isTcpNoDelay(), session.getMaxFrameSize(), beanFactory, events);
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
        CompletableFuture<Session> result = new CompletableFuture<>();
        if (!accepting) {
            result.completeExceptionally(new IllegalStateException("connector to " + target + " is not running"));
            return result;
        }
        ioThreads.execute(() -> {
            try {
                TcpConnectionSupport connection = factory.getConnection();
                result.complete(((SessionConnection) connection).session());
            } catch (Exception e) {
                metrics().connectFailed();
                log.warn("Connect to " + target + " failed: " + e.getMessage());
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    public String target() {
        return target;
    }

    @Override
    void stopAcceptingSessions() {
        accepting = false;
    }

    @Override
    void stopFactory() {
        factory.stop();
    }
}
