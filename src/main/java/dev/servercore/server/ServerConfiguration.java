package dev.servercore.server;

import dev.servercore.core.ServerCoreProperties;
import dev.servercore.core.Session;
import dev.servercore.game.Rooms;
import dev.servercore.login.LoginProperties;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.context.annotation.Scope;

/**
 * The server profile: the demo game. Its session type, its packet handlers and its room logic; the
 * listener, metrics, health and shutdown come from ServerCore's auto-configuration.
 */
@Configuration(proxyBeanMethods = false)
@Profile("server")
public class ServerConfiguration {

    /** A new session per connection, framed or raw as the listener is set. */
    @Bean
    @Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
    Session gameSession(ServerCoreProperties properties, LoginProperties login, Rooms rooms) {
        return switch (properties.getListener().getMode()) {
            case FRAMED -> new GameSession(rooms, login.isRequired());
            case RAW -> new RawGameSession();
        };
    }

    @Bean
    DemoHandlers demoHandlers(Rooms rooms, Movement movement) {
        return new DemoHandlers(rooms, movement);
    }

    @Bean
    Movement movement(ServerCoreProperties properties) {
        return new Movement(properties.getSession().getMaxFrameSize());
    }
}
