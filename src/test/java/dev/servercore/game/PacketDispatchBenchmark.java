package dev.servercore.game;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import dev.servercore.core.PacketSession;
import dev.servercore.core.Session;
import dev.servercore.protocol.Move;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What {@link PacketHandler} dispatch costs over a hand-written {@code switch} on the packet id calling
 * the same method: the table lookup and the method-handle call, with a ByteBuffer body and with a body
 * decoded by a codec. Run: {@code bench/jmh.sh PacketDispatchBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PacketDispatchBenchmark {

    public static final class Target extends PacketSession {
        long sum;

        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
        }
    }

    public static final class Handlers {
        @PacketHandler(2)
        void echo(Target session, ByteBuffer body) {
            session.sum += body.remaining();
        }

        @PacketHandler(Move.ID)
        void move(Target session, Move move) {
            session.sum += move.x();
        }
    }

    private PacketHandlers table;
    private Handlers handlers;
    private Target session;
    private ByteBuffer echoBody;
    private ByteBuffer moveBody;

    @Setup
    public void setUp() throws Exception {
        handlers = new Handlers();
        table = new PacketHandlers(new SimpleMeterRegistry());
        for (Method method : Handlers.class.getDeclaredMethods()) {
            if (method.isAnnotationPresent(PacketHandler.class)) {
                table.add(handlers, method, method, PacketTypes.declared());
            }
        }
        session = new Target();
        echoBody = ByteBuffer.wrap(new byte[32]);
        moveBody = ByteBuffer.wrap(new Move(1, 2).encode(), 4, 8).slice();
    }

    private void byHand(Session s, int packetId, ByteBuffer body) {
        switch (packetId) {
            case 2 -> handlers.echo((Target) s, body);
            case Move.ID -> handlers.move((Target) s, Move.TYPE.decode(body));
            default -> {
            }
        }
    }

    @Benchmark
    public void echoByTable(Blackhole hole) {
        hole.consume(table.dispatch(session, 2, echoBody));
    }

    @Benchmark
    public void echoBySwitch() {
        byHand(session, 2, echoBody);
    }

    @Benchmark
    public void moveByTable(Blackhole hole) {
        hole.consume(table.dispatch(session, Move.ID, moveBody));
    }

    @Benchmark
    public void moveBySwitch() {
        byHand(session, Move.ID, moveBody);
    }
}
