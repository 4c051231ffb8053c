package dev.servercore.core;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The event loop's per-read path without the selector around it: one read's worth of echo frames handed
 * to a session, decoded, answered, and the replies flushed in one write to a real loopback socket whose
 * peer discards. Run: {@code bench/jmh.sh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EchoPathBenchmark {

    /** Frames in one read: 1 (a session with one request in flight) or 8 (a pipelined client). */
    @Param({"1", "8"})
    int framesPerRead;

    private ServerSocketChannel server;
    private SocketChannel peer;
    private Thread drain;
    private EventLoop loop;
    private SessionConnection connection;
    private byte[] read;

    static final class EchoingSession extends PacketSession {
        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
            send(Frames.encode(packetId, body));
        }
    }

    @Setup(Level.Trial)
    public void connect() throws Exception {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        peer = SocketChannel.open(server.getLocalAddress());
        SocketChannel accepted = server.accept();
        accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
        drain = new Thread(() -> {
            ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
            try {
                while (peer.read(sink.clear()) >= 0) {
                    // discard
                }
            } catch (Exception closed) {
                // the benchmark is over
            }
        }, "drain");
        drain.setDaemon(true);
        drain.start();

        ServerCoreProperties properties = ServerCoreProperties.defaults();
        EndpointContext endpoint = new EndpointContext("jmh", true,
                properties.getSession().toSettings(Duration.ZERO, Integer.MAX_VALUE), new SessionRegistry());
        loop = new EventLoop("jmh-loop", endpoint);
        endpoint.metrics(new SessionMetrics(new SimpleMeterRegistry(), "server", endpoint, List.of(loop)));
        loop.driveFromCurrentThread(); // the benchmark's thread plays the loop
        connection = new SessionConnection(accepted, true, null, "jmh", new EchoingSession(), loop,
                (InetSocketAddress) accepted.getRemoteAddress(), null, () -> { });
        connection.open(null);

        java.io.ByteArrayOutputStream frames = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < framesPerRead; i++) {
            frames.writeBytes(Frames.encode(2, new byte[32]));
        }
        read = frames.toByteArray();
    }

    /** What the loop does for one readable connection, and its flush at the end of the pass. */
    @Benchmark
    public void receiveDecodeReplyWrite() {
        ByteBuffer buffer = loop.readBuffer;
        buffer.clear();
        buffer.put(read).flip();
        connection.deliver(buffer);
        connection.flush();
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        connection.abort(CloseReason.SHUTDOWN);
        peer.close();
        server.close();
        drain.join(1_000);
    }
}
