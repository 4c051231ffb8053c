package dev.servercore.testsupport;

import java.util.function.Supplier;

import dev.servercore.core.Connector;
import dev.servercore.core.Listener;
import dev.servercore.core.ServerCoreProperties;
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
        ServerCoreProperties properties = new ServerCoreProperties();
        properties.getConnector().setHost("127.0.0.1");
        properties.getConnector().setPort(port);
        Connector connector = new Connector(name, properties.getConnector(), properties.getSession(), sessions,
                new SessionRegistry(), context.getBean(MeterRegistry.class), context, context);
        connector.start();
        return connector;
    }

    public static Listener listener(ApplicationContext context, String name, ServerCoreProperties properties,
            Supplier<? extends Session> sessions) {
        properties.getListener().setBindAddress("127.0.0.1");
        properties.getListener().setPort(0);
        Listener listener = new Listener(name, properties.getListener(), properties.getSession(), sessions,
                new SessionRegistry(), context.getBean(MeterRegistry.class), context, context);
        listener.start();
        return listener;
    }
}
