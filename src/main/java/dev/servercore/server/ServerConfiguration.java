package dev.servercore.server;

import dev.servercore.core.ServerCoreProperties;
import dev.servercore.core.Session;
import dev.servercore.game.RoomType;
import dev.servercore.game.Rooms;
import dev.servercore.login.LoginProperties;
import dev.servercore.protocol.JoinedRoom;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.context.annotation.Scope;

/**
 * The server profile: the demo game. Its session type, its packet handlers and its room type; the
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
    DemoHandlers demoHandlers(Rooms rooms, ServerCoreProperties properties) {
        return new DemoHandlers(rooms, demoFrameSize(properties));
    }

    /** Every room of the demo is a Movement room (the lobby too): a new one per room. */
    @Bean
    @Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
    @RoomType(pattern = "*")
    Movement movement(ServerCoreProperties properties) {
        return new Movement(demoFrameSize(properties));
    }

    /** The demo's largest fixed frame (S_JoinedRoom with the longest name) must fit the maximum frame. */
    private static int demoFrameSize(ServerCoreProperties properties) {
        int maxFrameSize = properties.getSession().getMaxFrameSize();
        if (maxFrameSize < JoinedRoom.MAX_FRAME_SIZE) {
            throw new IllegalStateException("servercore.session.max-frame-size must be at least "
                    + JoinedRoom.MAX_FRAME_SIZE + " for the demo game (an S_JoinedRoom with a 32-byte room name), not "
                    + maxFrameSize);
        }
        return maxFrameSize;
    }
}
