package dev.servercore.server;

import dev.servercore.core.Listener;
import dev.servercore.core.ListenerHealthIndicator;
import dev.servercore.core.ServerCoreProperties;
import dev.servercore.core.Session;
import dev.servercore.core.SessionRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.context.annotation.Scope;

/** The server profile: a listener whose sessions are the demo game's. */
@Configuration(proxyBeanMethods = false)
@Profile("server")
public class ServerConfiguration {

    /** Every connected player: the demo's one room, the target of chat broadcasts. */
    @Bean
    SessionRegistry gameSessions() {
        return new SessionRegistry();
    }

    @Bean
    Counter unknownPackets(MeterRegistry meters) {
        return Counter.builder("servercore.server.unknown.packets")
                .description("Packets with an id the demo server does not know (ignored)").register(meters);
    }

    /** The session factory: a new session per accepted connection, framed or raw as the listener is set. */
    @Bean
    @Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
    Session gameSession(ServerCoreProperties properties, SessionRegistry gameSessions, Counter unknownPackets) {
        return switch (properties.getListener().getMode()) {
            case FRAMED -> new GameSession(gameSessions, unknownPackets);
            case RAW -> new RawGameSession();
        };
    }

    @Bean
    Listener listener(ServerCoreProperties properties, @Qualifier("gameSession") ObjectProvider<Session> gameSession,
            SessionRegistry gameSessions, MeterRegistry meters, BeanFactory beanFactory,
            ApplicationEventPublisher events) {
        return new Listener("listener", properties.getListener(), properties.getSession(), gameSession::getObject, gameSessions,
                meters, beanFactory, events);
    }

    @Bean
    ListenerHealthIndicator listenerHealthIndicator(Listener listener) {
        return new ListenerHealthIndicator(listener);
    }
}
