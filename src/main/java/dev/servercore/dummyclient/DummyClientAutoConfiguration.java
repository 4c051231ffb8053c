package dev.servercore.dummyclient;

import java.util.ArrayList;
import java.util.List;

import dev.servercore.core.Connector;
import dev.servercore.core.Frames;
import dev.servercore.core.ServerCoreProperties;
import dev.servercore.core.SessionRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Profile;

/**
 * The dummy client profile, in any application on ServerCore ({@code --spring.profiles.active=dummyclient}): a
 * connector per target port and the driver that opens its sessions. The sessions come from the application's
 * {@link DummySessionFactory} bean if it declares one, else they speak the demo protocol.
 */
@AutoConfiguration
@Profile("dummyclient")
@EnableConfigurationProperties({ServerCoreProperties.class, DummyClientProperties.class})
public class DummyClientAutoConfiguration {

    @Bean
    LoadReport loadReport(MeterRegistry meters) {
        return new LoadReport(meters);
    }

    /** What the application's own sessions report, for the summary. */
    @Bean
    @ConditionalOnMissingBean
    SessionReport sessionReport() {
        return new SessionReport();
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

    /** The demo protocol's sessions, unless the application declares a {@link DummySessionFactory} of its own. */
    @Bean
    @ConditionalOnMissingBean
    DummySessionFactory dummySessionFactory(ServerCoreProperties properties, DummyClientProperties dummyClient,
            LoadReport loadReport, RoomTraffic roomTraffic, ObjectProvider<DummyLogin> dummyLogin) {
        return new DemoSessions(properties, dummyClient, loadReport, roomTraffic, dummyLogin.getIfAvailable());
    }

    /** A connector to servercore.connector.port, or one to each of servercore.dummyclient.ports. */
    @Bean
    DummyClientConnectors dummyClientConnectors(ServerCoreProperties properties, DummyClientProperties dummyClient,
            DummySessionFactory sessions, MeterRegistry meters, BeanFactory beanFactory,
            ApplicationEventPublisher events) {
        List<Integer> ports = dummyClient.getPorts().isEmpty() ? List.of(properties.getConnector().getPort())
                : dummyClient.getPorts();
        List<Connector> connectors = new ArrayList<>();
        for (int port : ports) {
            String name = connectors.isEmpty() ? "dummyclient" : "dummyclient-" + port;
            connectors.add(new Connector(name, properties.getConnector().withPort(port), properties.getSession(),
                    sessions::newSession, new SessionRegistry(), meters, beanFactory, events));
        }
        boolean rooms = sessions instanceof DemoSessions && dummyClient.getScenario() != DummyClientProperties.Scenario.ECHO;
        return new DummyClientConnectors(connectors, rooms ? dummyClient.getRooms() : 1);
    }

    /** The resumable players of the chat and move scenarios (servercore.dummyclient.resume). */
    @Bean
    @ConditionalOnProperty(prefix = "servercore.dummyclient", name = "resume", havingValue = "true")
    ResumeFleet resumeFleet(DummyClientConnectors dummyClientConnectors, DummyClientProperties dummyClient,
            RoomTraffic roomTraffic, ObjectProvider<DummyLogin> dummyLogin, MeterRegistry meters) {
        return new ResumeFleet(dummyClientConnectors, roomTraffic, dummyLogin.getIfAvailable(),
                dummyClient.getChaos().getDropRate(), meters);
    }

    @Bean
    DummyClient dummyClient(DummyClientConnectors dummyClientConnectors, ServerCoreProperties engine,
            DummyClientProperties properties, LoadReport loadReport, MeterRegistry meters, RoomTraffic roomTraffic,
            DummySessionFactory sessions, SessionReport sessionReport, ObjectProvider<ResumeFleet> resumeFleet) {
        OwnSessionsScenario own = null;
        if (!(sessions instanceof DemoSessions)) {
            own = new OwnSessionsScenario(properties, new SessionFigures(meters, dummyClientConnectors.names()),
                    sessionReport);
        } else {
            int bodySize = properties.getBodySize();
            if (engine.getConnector().getMode() == ServerCoreProperties.Mode.RAW && properties.isLoad()
                    && bodySize == 0) {
                throw new IllegalStateException("servercore.dummyclient.body-size must be above 0 in raw mode: "
                        + "an empty raw message has no echo");
            }
            if (engine.getConnector().getMode() == ServerCoreProperties.Mode.FRAMED
                    && bodySize + Frames.HEADER_SIZE > engine.getSession().getMaxFrameSize()) {
                throw new IllegalStateException("servercore.dummyclient.body-size " + bodySize
                        + " does not fit in servercore.session.max-frame-size " + engine.getSession().getMaxFrameSize());
            }
        }
        ResumeFleet fleet = resumeFleet.getIfAvailable();
        if (fleet != null && own != null) {
            throw new IllegalStateException("servercore.dummyclient.resume applies to the demo's chat and move "
                    + "sessions, not to a DummySessionFactory of the application's");
        }
        return new DummyClient(dummyClientConnectors, properties, loadReport, meters,
                new RoomScenario(properties, roomTraffic), own, fleet);
    }
}
