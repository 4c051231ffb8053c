package dev.servercore.game;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import dev.servercore.core.PacketSession;
import dev.servercore.protocol.Move;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link PacketHandler} without an id: the id of the packet type the handler takes, from its TYPE or a bean. */
class TypedPacketHandlersTest {

    static class PlayerSession extends PacketSession {
        final List<String> seen = new ArrayList<>();

        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
        }
    }

    /** A packet type of the application's own, without a TYPE field: declared as a bean. */
    record Ping(int sequence) {
    }

    static class Handlers {
        @PacketHandler
        void move(PlayerSession session, Move move) {
            session.seen.add("move " + move.x() + "," + move.y());
        }

        @PacketHandler
        void ping(PlayerSession session, Ping ping) {
            session.seen.add("ping " + ping.sequence());
        }
    }

    /** Packet 10 again, by its number. */
    static class MoveById {
        @PacketHandler(Move.ID)
        void again(PlayerSession session, ByteBuffer body) {
        }
    }

    static class NoType {
        @PacketHandler
        void raw(PlayerSession session, ByteBuffer body) {
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class App {
        @Bean
        Handlers handlers() {
            return new Handlers();
        }

        @Bean
        PacketType<Ping> pingType() {
            return PacketType.of(42, in -> new Ping(in.u16()), (ping, out) -> out.u16(ping.sequence()));
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(dev.servercore.autoconfigure.ServerCoreAutoConfiguration.class))
            .withPropertyValues("servercore.listener.enabled=false");

    @Test
    void aHandlerWithoutAnIdGetsTheIdOfItsPacketType() {
        runner.withUserConfiguration(App.class).run(context -> {
            assertThat(context).hasNotFailed();
            PacketHandlers handlers = context.getBean(PacketHandlers.class);
            PlayerSession session = new PlayerSession();
            assertThat(handlers.dispatch(session, Move.ID, body(new Move(7, -8).encode()))).isTrue();
            assertThat(handlers.dispatch(session, 42, ByteBuffer.wrap(new byte[] {5, 1}))).isTrue();
            assertThat(session.seen).containsExactly("move 7,-8", "ping 261");
            assertThat(handlers.describe()).anyMatch(line -> line.startsWith("10 -> ") && line.endsWith("Handlers.move"))
                    .anyMatch(line -> line.startsWith("42 -> ") && line.endsWith("Handlers.ping"));
        });
    }

    @Test
    void anIdTakenFromATypeThatAnotherHandlerHasStopsTheStartup() {
        runner.withUserConfiguration(App.class).withBean(MoveById.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("Two @PacketHandler(10)")
                    .hasStackTraceContaining("Handlers.move").hasStackTraceContaining("MoveById.again");
        });
    }

    @Test
    void aHandlerWithoutAnIdAndWithoutAPacketTypeStopsTheStartup() {
        runner.withBean(NoType.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("NoType.raw")
                    .hasStackTraceContaining("needs an id");
        });
    }

    @Test
    void aBadBodyIsAProtocolErrorOfTheSenderNotAnotherException() {
        runner.withUserConfiguration(App.class).run(context -> {
            PacketHandlers handlers = context.getBean(PacketHandlers.class);
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> handlers.dispatch(new PlayerSession(), Move.ID, ByteBuffer.wrap(new byte[5])))
                    .isInstanceOf(dev.servercore.core.ProtocolException.class).hasMessageContaining("packet 10");
        });
    }

    /** A packet in the session layer's ids (0xFF00..): the engine's, never a game's to send. */
    record Forged() implements Packet {
        static final PacketType<Forged> TYPE = PacketType.of(0xFF01, in -> new Forged(), (p, out) -> {
        });

        @Override
        public PacketType<Forged> type() {
            return TYPE;
        }
    }

    /** Its TYPE is another packet's: a copy-paste slip, found at startup. */
    public record Misdeclared(int x, int y) {
        public static final PacketType<Move> TYPE = Move.TYPE;
    }

    static class TakesMisdeclared {
        @PacketHandler
        void wrong(PlayerSession session, Misdeclared packet) {
        }
    }

    @Test
    void aTypeFieldOfAnotherTypeStopsTheStartup() {
        runner.withBean(TakesMisdeclared.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("Misdeclared.TYPE is a PacketType of "
                    + Move.class.getName());
        });
    }

    @Test
    void aHandlerSessionSendsGamePacketsOnly() {
        HandlerSession session = new HandlerSession();
        assertThat(session.send(new Move(1, 2))).as("not connected").isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> session.send(new Forged()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("session layer");
    }

    private static ByteBuffer body(byte[] frame) {
        return ByteBuffer.wrap(frame, 4, frame.length - 4).slice();
    }
}
