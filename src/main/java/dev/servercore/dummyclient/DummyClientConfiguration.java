package dev.servercore.dummyclient;

import java.util.ArrayList;
import java.util.List;

import dev.servercore.core.Connector;
import dev.servercore.core.Frames;
import dev.servercore.core.ServerCoreProperties;
import dev.servercore.core.Session;
import dev.servercore.core.SessionRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.context.annotation.Scope;

/** The dummy client profile: a connector whose sessions echo, and the driver that opens them. */
@Configuration(proxyBeanMethods = false)
@Profile("dummyclient")
public class DummyClientConfiguration {

    @Bean
    LoadReport loadReport(MeterRegistry meters) {
        return new LoadReport(meters);
    }

    /** Every session logs in first, with a token of its own (servercore.dummyclient.login.hmac-secret). */
    @Bean
    @ConditionalOnProperty(prefix = "servercore.dummyclient.login", name = "hmac-secret")
    DummyLogin dummyLogin(DummyClientProperties dummyClient) {
        DummyClientProperties.Login login = dummyClient.getLogin();
        return new DummyLogin(login.getHmacSecret(), login.getPrincipalPrefix());
    }

    @Bean
    RoomTraffic roomTraffic(DummyClientProperties dummyClient, MeterRegistry meters) {
        return new RoomTraffic(dummyClient.getRooms(), meters);
    }

    /** The session factory: by scenario, and framed or raw as the connector is set. */
    @Bean
    @Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
    Session dummySession(ServerCoreProperties properties, DummyClientProperties dummyClient, LoadReport loadReport,
            RoomTraffic roomTraffic, ObjectProvider<DummyLogin> dummyLogin) {
        DummyLogin login = dummyLogin.getIfAvailable();
        if (dummyClient.getScenario() != DummyClientProperties.Scenario.ECHO) {
            return new RoomDummySession(roomTraffic, login);
        }
        return switch (properties.getConnector().getMode()) {
            case FRAMED -> new DummySession(loadReport, dummyClient, login);
            case RAW -> new RawDummySession(loadReport, dummyClient);
        };
    }

    /** A connector to servercore.connector.port, or one to each of servercore.dummyclient.ports. */
    @Bean
    DummyClientConnectors dummyClientConnectors(ServerCoreProperties properties, DummyClientProperties dummyClient,
            @Qualifier("dummySession") ObjectProvider<Session> dummySession, MeterRegistry meters,
            BeanFactory beanFactory, ApplicationEventPublisher events) {
        List<Integer> ports = dummyClient.getPorts().isEmpty() ? List.of(properties.getConnector().getPort())
                : dummyClient.getPorts();
        List<Connector> connectors = new ArrayList<>();
        for (int port : ports) {
            String name = connectors.isEmpty() ? "dummyclient" : "dummyclient-" + port;
            connectors.add(new Connector(name, properties.getConnector().withPort(port), properties.getSession(),
                    dummySession::getObject, new SessionRegistry(), meters, beanFactory, events));
        }
        boolean rooms = dummyClient.getScenario() != DummyClientProperties.Scenario.ECHO;
        return new DummyClientConnectors(connectors, rooms ? dummyClient.getRooms() : 1);
    }

    @Bean
    DummyClient dummyClient(DummyClientConnectors dummyClientConnectors, ServerCoreProperties engine,
            DummyClientProperties properties, LoadReport loadReport, MeterRegistry meters, RoomTraffic roomTraffic) {
        int bodySize = properties.getBodySize();
        if (engine.getConnector().getMode() == ServerCoreProperties.Mode.RAW && properties.isLoad() && bodySize == 0) {
            throw new IllegalStateException("servercore.dummyclient.body-size must be above 0 in raw mode: "
                    + "an empty raw message has no echo");
        }
        if (engine.getConnector().getMode() == ServerCoreProperties.Mode.FRAMED
                && bodySize + Frames.HEADER_SIZE > engine.getSession().getMaxFrameSize()) {
            throw new IllegalStateException("servercore.dummyclient.body-size " + bodySize
                    + " does not fit in servercore.session.max-frame-size " + engine.getSession().getMaxFrameSize());
        }
        return new DummyClient(dummyClientConnectors, properties, loadReport, meters,
                new RoomScenario(properties, roomTraffic));
    }
}
