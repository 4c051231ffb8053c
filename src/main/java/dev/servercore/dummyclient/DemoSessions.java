package dev.servercore.dummyclient;

import dev.servercore.core.ServerCoreProperties;
import dev.servercore.core.Session;

/** The dummy client's default sessions: the demo protocol's, by scenario, framed or raw as the connector is set. */
final class DemoSessions implements DummySessionFactory {

    private final ServerCoreProperties engine;
    private final DummyClientProperties properties;
    private final LoadReport report;
    private final RoomTraffic traffic;
    /** Null: no login. */
    private final DummyLogin login;

    DemoSessions(ServerCoreProperties engine, DummyClientProperties properties, LoadReport report, RoomTraffic traffic,
            DummyLogin login) {
        this.engine = engine;
        this.properties = properties;
        this.report = report;
        this.traffic = traffic;
        this.login = login;
    }

    @Override
    public Session newSession() {
        if (properties.getScenario() != DummyClientProperties.Scenario.ECHO) {
            // resumable: the connection is a link's, which carries the player over its connections
            return properties.isResume() ? new LinkConnection() : new RoomDummySession(traffic, login);
        }
        return switch (engine.getConnector().getMode()) {
            case FRAMED -> new DummySession(report, properties, login);
            case RAW -> new RawDummySession(report, properties);
        };
    }
}
