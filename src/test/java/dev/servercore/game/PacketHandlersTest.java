package dev.servercore.game;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.servercore.core.PacketSession;
import dev.servercore.core.Session;
import dev.servercore.protocol.Move;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Discovery, binding, dispatch by id, and the startup errors of {@link PacketHandler} methods. */
class PacketHandlersTest {

    /** A session that is never connected: handlers only see its type here. */
    static class PlayerSession extends PacketSession {
        final List<String> seen = new ArrayList<>();

        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
        }
    }

    static class OtherSession extends PacketSession {
        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
        }
    }

    static class Handlers {
        @PacketHandler(1)
        void raw(PlayerSession session, ByteBuffer body) {
            session.seen.add("raw " + StandardCharsets.UTF_8.decode(body));
        }

        @PacketHandler(2)
        void copied(PlayerSession session, byte[] body) {
            session.seen.add("bytes " + body.length);
        }

        @PacketHandler(Move.ID)
        void typed(PlayerSession session, Move move) {
            session.seen.add("move " + move.x() + "," + move.y());
        }

        @PacketHandler(4)
        private void sessionOnly(Session session) {
            ((PlayerSession) session).seen.add("ping");
        }
    }

    private static PacketHandlers table(SimpleMeterRegistry meters, Object... beans) {
        PacketHandlers handlers = new PacketHandlers(meters);
        for (Object bean : beans) {
            for (var method : bean.getClass().getDeclaredMethods()) {
                if (method.isAnnotationPresent(PacketHandler.class)) {
                    handlers.add(bean, method, method, PacketTypes.declared());
                }
            }
        }
        return handlers;
    }

    @Test
    void eachIdReachesItsMethodWithTheBodyAsItAsks() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        PacketHandlers handlers = table(meters, new Handlers());
        PlayerSession session = new PlayerSession();
        assertThat(handlers.dispatch(session, 1, ByteBuffer.wrap("hi".getBytes(StandardCharsets.UTF_8)))).isTrue();
        assertThat(handlers.dispatch(session, 2, ByteBuffer.wrap(new byte[7]))).isTrue();
        ByteBuffer move = ByteBuffer.wrap(new Move(3, -4).encode(), 4, 8).slice();
        assertThat(handlers.dispatch(session, Move.ID, move)).isTrue();
        assertThat(handlers.dispatch(session, 4, ByteBuffer.allocate(0))).isTrue();
        assertThat(session.seen).containsExactly("raw hi", "bytes 7", "move 3,-4", "ping");
        assertThat(handlers.describe()).hasSize(4);
    }

    @Test
    void unknownIdsAreCountedPerIdAndIgnored() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        PacketHandlers handlers = table(meters, new Handlers());
        PlayerSession session = new PlayerSession();
        assertThat(handlers.dispatch(session, 999, ByteBuffer.allocate(0))).isFalse();
        assertThat(handlers.dispatch(session, 999, ByteBuffer.allocate(0))).isFalse();
        assertThat(handlers.dispatch(session, 77, ByteBuffer.allocate(0))).isFalse();
        assertThat(meters.get("servercore.packets.unknown").tag("id", "999").counter().count()).isEqualTo(2);
        assertThat(meters.get("servercore.packets.unknown").tag("id", "77").counter().count()).isEqualTo(1);
        for (int id = 1000; id < 1000 + PacketHandlers.COUNTED_IDS; id++) {
            handlers.dispatch(session, id, ByteBuffer.allocate(0));
        }
        assertThat(meters.find("servercore.packets.unknown").counters()).hasSize(PacketHandlers.COUNTED_IDS + 1);
        assertThat(meters.get("servercore.packets.unknown").tag("id", "other").counter().count()).isPositive();
        assertThat(session.seen).isEmpty();
    }

    @Test
    void aHandlerForAnotherSessionTypeFailsItsPacketNotTheTable() {
        PacketHandlers handlers = table(new SimpleMeterRegistry(), new Handlers());
        assertThatThrownBy(() -> handlers.dispatch(new OtherSession(), 1, ByteBuffer.allocate(0)))
                .isInstanceOf(ClassCastException.class);
    }

    static class Duplicate {
        @PacketHandler(1)
        void again(PlayerSession session, ByteBuffer body) {
        }
    }

    static class Unbindable {
        @PacketHandler(9)
        void wrong(PlayerSession session, String body) {
        }
    }

    static class NoSession {
        @PacketHandler(9)
        void wrong(ByteBuffer body) {
        }
    }

    static class WrongCodec {
        @PacketHandler(12)
        void wrong(PlayerSession session, Move move) {
        }
    }

    static class Returns {
        @PacketHandler(13)
        byte[] wrong(PlayerSession session) {
            return new byte[0];
        }
    }

    @Test
    void handlersThatCannotBeBoundFailWithAMessageNamingTheMethod() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        assertThatThrownBy(() -> table(meters, new Handlers(), new Duplicate()))
                .hasMessageContaining("Two @PacketHandler(1)").hasMessageContaining("Handlers.raw")
                .hasMessageContaining("Duplicate.again");
        assertThatThrownBy(() -> table(meters, new Unbindable())).hasMessageContaining("Unbindable.wrong")
                .hasMessageContaining("java.lang.String has no PacketType");
        assertThatThrownBy(() -> table(meters, new NoSession())).hasMessageContaining("NoSession.wrong")
                .hasMessageContaining("parameters must be");
        assertThatThrownBy(() -> table(meters, new WrongCodec())).hasMessageContaining("WrongCodec.wrong")
                .hasMessageContaining("is packet 10, not 12");
        assertThatThrownBy(() -> table(meters, new Returns())).hasMessageContaining("Returns.wrong")
                .hasMessageContaining("must return void");
    }

    @Configuration(proxyBeanMethods = false)
    static class App {
        @Bean
        Handlers handlers() {
            return new Handlers();
        }

    }

    /** The application above, plus a second handler for packet 1. */
    @Configuration(proxyBeanMethods = false)
    @org.springframework.context.annotation.Import(App.class)
    static class BrokenApp {

        @Bean
        Duplicate duplicate() {
            return new Duplicate();
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(dev.servercore.autoconfigure.ServerCoreAutoConfiguration.class))
            .withPropertyValues("servercore.listener.enabled=false");

    @Test
    void theAutoConfigurationFindsTheHandlersOfTheApplicationsBeans() {
        runner.withUserConfiguration(App.class).run(context -> {
            assertThat(context).hasNotFailed();
            PacketHandlers handlers = context.getBean(PacketHandlers.class);
            assertThat(handlers.hasHandler(1)).isTrue();
            assertThat(handlers.hasHandler(Move.ID)).isTrue();
            assertThat(handlers.hasHandler(5)).isFalse();
        });
    }

    /** Packet 20 at most 5 a second and 3 at once (from the settings); packet 21 unlimited. */
    static class Limited {
        @PacketHandler(20)
        @RateLimit(perSecond = "${game.shout-rate:1}", burst = "${game.shout-burst:1}")
        void shout(LimitedSession session) {
            session.seen.add("shout");
        }

        @PacketHandler(21)
        void talk(LimitedSession session) {
            session.seen.add("talk");
        }
    }

    static class BadLimit {
        @PacketHandler(22)
        @RateLimit(perSecond = "often")
        void wrong(PlayerSession session) {
        }
    }

    /** A HandlerSession bound to the table, never connected. */
    static class LimitedSession extends HandlerSession {
        final List<String> seen = new ArrayList<>();
    }

    @Test
    void aRateLimitedHandlerDropsAndCountsWhatIsOverBudgetPerSessionAndItsBudgetComesBack() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        runner.withBean(Limited.class).withBean(SimpleMeterRegistry.class, () -> meters)
                .withPropertyValues("game.shout-rate=5", "game.shout-burst=3").run(context -> {
            assertThat(context).hasNotFailed();
            PacketHandlers handlers = context.getBean(PacketHandlers.class);
            LimitedSession one = new LimitedSession();
            LimitedSession two = new LimitedSession();
            one.bind(handlers);
            two.bind(handlers);
            for (int i = 0; i < 20; i++) {
                handlers.dispatch(one, 20, ByteBuffer.allocate(0));
                handlers.dispatch(one, 21, ByteBuffer.allocate(0));
            }
            handlers.dispatch(two, 20, ByteBuffer.allocate(0)); // a budget of its own
            assertThat(one.seen.stream().filter("shout"::equals).count()).isEqualTo(3);
            assertThat(one.seen.stream().filter("talk"::equals).count()).isEqualTo(20);
            assertThat(two.seen).containsExactly("shout");
            assertThat(meters.get("servercore.packets.limited").tag("id", "20").counter().count()).isEqualTo(17);
            assertThat(handlers.describe()).anyMatch(line -> line.startsWith("20 -> ") && line.contains("5.0/s"));
            Thread.sleep(250); // one packet's worth (200 ms) is back
            handlers.dispatch(one, 20, ByteBuffer.allocate(0));
            handlers.dispatch(one, 20, ByteBuffer.allocate(0));
            assertThat(one.seen.stream().filter("shout"::equals).count()).isEqualTo(4);
        });
        runner.withBean(BadLimit.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("BadLimit.wrong")
                    .hasStackTraceContaining("is not a number");
        });
    }

    @Test
    void twoHandlersForOneIdStopTheStartup() {
        runner.withUserConfiguration(BrokenApp.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("Two @PacketHandler(1)");
        });
    }
}
