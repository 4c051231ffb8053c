package dev.servercore.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Accepts sessions: the C# ServerCore {@code Listener}. One Spring Integration NIO server factory per event
 * loop, all bound to the same port with {@code SO_REUSEPORT} (the kernel spreads connections over them);
 * where the OS lacks it, one loop. Each accepted connection carries a new session from the session
 * factory. Metrics are tagged {@code role=server}.
 */
public final class Listener extends Endpoint {

    private static final Log log = LogFactory.getLog(Listener.class);
    private static final long BIND_TIMEOUT_MILLIS = 10_000;

    private final List<LoopServerFactory> factories = new ArrayList<>();
    private final ServerCoreProperties.ListenerProperties properties;
    private final OpeningRules opening;

    public Listener(String name, ServerCoreProperties.ListenerProperties listener,
            ServerCoreProperties.SessionProperties session, Supplier<? extends Session> sessionFactory,
            SessionRegistry registry, MeterRegistry meters, BeanFactory beanFactory, ApplicationEventPublisher events) {
        super("server", name, listenerLoops(listener), session.toSettings(listener.getIdleTimeout(),
                listener.getMaxSessions()), registry, meters, session.getShutdownDrainTimeout());
        this.properties = listener;
        SessionConnections sessions = new SessionConnections(sessionFactory, events);
        this.opening = new OpeningRules(listener.isProxyProtocol(), listener.getProxyProtocolTimeout().toNanos(),
                TlsSockets.transports(listener.getTls(), "servercore.listener.tls", true, name),
                listener.getTls().getHandshakeTimeout().toNanos());
        AddressLimits limits = AddressLimits.of(listener.getPerAddress(), listener.getMaxSessions());
        for (EventLoop loop : loops) {
            LoopServerFactory factory = new LoopServerFactory(listener.getPort(), loop, sessions, opening, limits,
                    loops.size() > 1);
            factory.setLocalAddress(listener.getBindAddress());
            factory.setBacklog(listener.getBacklog());
            configure(factory, name + "-" + factories.size(), listener.isTcpNoDelay(), beanFactory, events);
            factories.add(factory);
        }
    }

    private static int listenerLoops(ServerCoreProperties.ListenerProperties listener) {
        int loops = loopCount(listener.getEventLoops());
        if (loops > 1 && !LoopServerFactory.reusePortAvailable()) {
            log.warn("SO_REUSEPORT is not available: the listener runs one event loop, not " + loops);
            return 1;
        }
        return loops;
    }

    /**
     * How its sessions log in (before it starts): PROTOCOL.md v3's {@code C_Login}, verified by the settings'
     * authenticator; by default no login is required and none is taken.
     */
    public void setLogin(LoginSettings login) {
        if (login.required() && properties.getMode() == ServerCoreProperties.Mode.RAW) {
            throw new IllegalStateException("servercore.login.required needs servercore.listener.mode=framed: a raw "
                    + "session has no frames to log in with");
        }
        context.logins(login);
    }

    /** The first factory binds (a free port when 0 is configured); the others join it on that port. */
    @Override
    void doStart() {
        try {
            for (LoopServerFactory factory : factories) {
                if (factory != factories.get(0)) {
                    factory.setPort(port());
                }
                factory.start();
                awaitListening(factory);
            }
        } catch (RuntimeException e) {
            factories.forEach(LoopServerFactory::stop);
            throw e;
        }
        log.info("Listening on " + properties.getBindAddress() + ":" + port() + " (" + properties.getMode() + " mode, "
                + (properties.getTls().isEnabled() ? "TLS, " : "")
                + (properties.isProxyProtocol() ? "PROXY protocol, " : "")
                + factories.size() + " event loops)");
    }

    @Override
    OpeningRules opening() {
        return opening;
    }

    private void awaitListening(LoopServerFactory factory) {
        long deadline = System.currentTimeMillis() + BIND_TIMEOUT_MILLIS;
        while (!factory.isListening()) {
            if (!factory.isRunning() || System.currentTimeMillis() > deadline) {
                factories.forEach(LoopServerFactory::stop);
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
    }

    /** The bound port (the real one when configured as 0). */
    public int port() {
        return factories.get(0).getPort();
    }

    public boolean isListening() {
        return isRunning() && factories.stream().allMatch(LoopServerFactory::isListening);
    }

    @Override
    void stopAcceptingSessions() {
        factories.forEach(LoopServerFactory::beforeShutdown); // accepted connections are closed at once from here on
    }

    @Override
    void stopFactories() {
        factories.forEach(LoopServerFactory::stop);
    }
}
