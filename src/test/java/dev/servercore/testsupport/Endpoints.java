package dev.servercore.testsupport;

import java.util.Map;
import java.util.function.Supplier;

import dev.servercore.core.Connector;
import dev.servercore.core.Listener;
import dev.servercore.core.ServerCoreProperties;
import dev.servercore.core.ServerCoreProperties.ListenerProperties;
import dev.servercore.core.Session;
import dev.servercore.core.SessionRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.ApplicationContext;

/** Builds extra listeners and connectors inside a test's application context, on loopback, free ports. */
public final class Endpoints {

    private Endpoints() {
    }

    public static Connector connector(ApplicationContext context, String name, int port,
            Supplier<? extends Session> sessions) {
        ServerCoreProperties properties = ServerCoreProperties.of(Map.of("connector.host", "127.0.0.1",
                "connector.port", port));
        Connector connector = new Connector(name, properties.getConnector(), properties.getSession(), sessions,
                new SessionRegistry(), context.getBean(MeterRegistry.class), context, context);
        connector.start();
        return connector;
    }

    /** A listener with the given settings, but on 127.0.0.1 and a free port whatever they say. */
    public static Listener listener(ApplicationContext context, String name, ServerCoreProperties properties,
            Supplier<? extends Session> sessions) {
        return listener(context, name, properties, sessions, listener -> { });
    }

    /** As above, with {@code beforeStart} given the listener before it starts (its login, its ids). */
    public static Listener listener(ApplicationContext context, String name, ServerCoreProperties properties,
            Supplier<? extends Session> sessions, java.util.function.Consumer<Listener> beforeStart) {
        ListenerProperties l = properties.getListener();
        ListenerProperties loopback = new ListenerProperties(l.isEnabled(), "127.0.0.1", 0, l.getMode(),
                l.getBacklog(), l.isTcpNoDelay(), l.getMaxSessions(), l.getIdleTimeout(), l.getEventLoops(), l.getTls(),
                l.isProxyProtocol(), l.getProxyProtocolTimeout(), l.getPerAddress());
        Listener listener = new Listener(name, loopback, properties.getSession(), sessions,
                new SessionRegistry(), context.getBean(MeterRegistry.class), context, context);
        beforeStart.accept(listener);
        listener.start();
        return listener;
    }
}
