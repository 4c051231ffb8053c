package dev.servercore.autoconfigure;

import java.util.function.Supplier;

import dev.servercore.cluster.ClusterProperties;
import dev.servercore.core.Authenticator;
import dev.servercore.core.Listener;
import dev.servercore.core.ListenerHealthIndicator;
import dev.servercore.core.LoginDirectory;
import dev.servercore.core.LoginSettings;
import dev.servercore.core.ServerCoreProperties;
import dev.servercore.core.Session;
import dev.servercore.core.SessionFactory;
import dev.servercore.core.SessionIds;
import dev.servercore.core.SessionRegistry;
import dev.servercore.game.HandlerSession;
import dev.servercore.game.PacketHandlerRegistrar;
import dev.servercore.game.PacketHandlers;
import dev.servercore.game.RoomBackplane;
import dev.servercore.game.RoomType;
import dev.servercore.game.Rooms;
import dev.servercore.game.RoomsProperties;
import dev.servercore.login.LoginProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;

/**
 * ServerCore as a Spring Boot auto-configuration: an application declares its session type (a
 * prototype-scoped {@link Session} bean or a {@link SessionFactory} bean) and/or {@code @PacketHandler}
 * methods and {@link RoomType}s, and gets the listener, its metrics and health, rooms, and an orderly
 * shutdown, all set from {@code servercore.*}. Every bean here steps aside for one of the application's.
 */
@AutoConfiguration
// ClusterProperties too: a single node still refuses a bad servercore.cluster.* (a misspelt backplane would
// otherwise leave the cluster off without a word)
@EnableConfigurationProperties({ServerCoreProperties.class, RoomsProperties.class, ClusterProperties.class,
        LoginProperties.class})
public class ServerCoreAutoConfiguration {

    @Bean
    @ConditionalOnProperty(prefix = "servercore.shutdown", name = "exit-zero-on-sigterm", matchIfMissing = true)
    ExitZeroOnSigterm servercoreExitZeroOnSigterm(org.springframework.context.ConfigurableApplicationContext context) {
        return new ExitZeroOnSigterm(context);
    }

    @Bean
    @ConditionalOnMissingBean
    PacketHandlers packetHandlers(ObjectProvider<MeterRegistry> meters) {
        return new PacketHandlers(meters.getIfAvailable(SimpleMeterRegistry::new));
    }

    @Bean
    @ConditionalOnMissingBean
    PacketHandlerRegistrar packetHandlerRegistrar(ListableBeanFactory beans, PacketHandlers handlers) {
        return new PacketHandlerRegistrar(beans, handlers);
    }

    @Bean
    @ConditionalOnMissingBean
    Rooms rooms(ServerCoreProperties properties, RoomsProperties settings, ConfigurableListableBeanFactory beans,
            ObjectProvider<MeterRegistry> meters, ObjectProvider<RoomBackplane> backplane) {
        RoomBudgets.requireWithinTheSessionLimits(settings, properties.getSession());
        Rooms rooms = new Rooms(settings, (int) properties.getSession().getWriteBatchSize().toBytes(),
                RoomTypeBeans.of(beans), meters.getIfAvailable(SimpleMeterRegistry::new));
        rooms.setBatching(settings.batching());
        backplane.ifAvailable(rooms::setBackplane);
        return rooms;
    }

    /**
     * The game port, when the application has something to serve: a {@link SessionFactory} bean, else its
     * prototype {@link Session} bean, else a {@link HandlerSession} for its packet handlers. Sessions
     * that are {@link HandlerSession}s are bound to the handler table as they are made.
     */
    @Bean
    @ConditionalOnMissingBean(Listener.class)
    @ConditionalOnProperty(prefix = "servercore.listener", name = "enabled", matchIfMissing = true)
    Listener listener(ServerCoreProperties properties, ConfigurableListableBeanFactory beans,
            ObjectProvider<SessionFactory> factories, PacketHandlers handlers, ObjectProvider<MeterRegistry> meters,
            ObjectProvider<SessionIds> ids, LoginProperties login, ObjectProvider<Authenticator> authenticators,
            ObjectProvider<LoginDirectory> directory, ApplicationEventPublisher events) {
        Supplier<Session> sessions = sessionSource(beans, factories);
        SessionFactory bound = () -> {
            Session session = sessions.get();
            if (session instanceof HandlerSession handled) {
                handled.bind(handlers);
            }
            return session;
        };
        Listener listener = new Listener("listener", properties.getListener(), properties.getSession(),
                bound::newSession, new SessionRegistry(), meters.getIfAvailable(SimpleMeterRegistry::new),
                (BeanFactory) beans, events);
        ids.ifAvailable(listener::setSessionIds); // a cluster node's own ids
        listener.setLogin(new LoginSettings(login.isRequired(), login.getTimeout(), authenticators.getIfUnique(),
                directory.getIfAvailable()));
        return listener;
    }

    private static Supplier<Session> sessionSource(ConfigurableListableBeanFactory beans,
            ObjectProvider<SessionFactory> factories) {
        SessionFactory factory = factories.getIfUnique();
        if (factory != null) {
            return factory::newSession;
        }
        String[] names = beans.getBeanNamesForType(Session.class, true, false);
        if (names.length > 1) {
            throw new IllegalStateException("Several Session beans (" + String.join(", ", names) + "): declare a "
                    + "SessionFactory bean to say which the listener makes");
        }
        if (names.length == 1) {
            if (!beans.isPrototype(names[0])) {
                throw new IllegalStateException("The Session bean '" + names[0] + "' must be prototype-scoped "
                        + "(@Scope(\"prototype\")): each connection needs a session of its own");
            }
            String name = names[0];
            return () -> beans.getBean(name, Session.class);
        }
        return HandlerSession::new;
    }

    /** {@code local.servercore.listener.port}, the bound port, for {@code @LocalGamePort}. */
    @Bean
    @ConditionalOnBean(Listener.class)
    @ConditionalOnMissingBean
    LocalGamePortPublisher localGamePortPublisher(Listener listener) {
        return new LocalGamePortPublisher(listener);
    }

    @Bean
    @ConditionalOnBean(Listener.class)
    @ConditionalOnMissingBean
    ListenerHealthIndicator listenerHealthIndicator(Listener listener) {
        return new ListenerHealthIndicator(listener);
    }
}
