package dev.servercore.core;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
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
 * The engine's per-read path without the JDK's blocking I/O around it: one read's worth of echo frames
 * handed to a session ({@code received}), decoded, answered, and the replies written in one write to a
 * real loopback socket whose peer discards. Run: {@code bench/jmh.sh}.
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

    private ServerSocket server;
    private Socket peer;
    private Thread drain;
    private Session session;
    private byte[] read;

    static final class EchoingSession extends PacketSession {
        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
            send(Frames.encode(packetId, body));
        }
    }

    @Setup(Level.Trial)
    public void connect() throws Exception {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        peer = new Socket();
        peer.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
        Socket accepted = server.accept();
        accepted.setTcpNoDelay(true);
        drain = new Thread(() -> {
            byte[] sink = new byte[64 * 1024];
            try (InputStream in = peer.getInputStream()) {
                while (in.read(sink) >= 0) {
                    // discard
                }
            } catch (Exception closed) {
                // the benchmark is over
            }
        }, "drain");
        drain.setDaemon(true);
        drain.start();

        ServerCoreProperties properties = new ServerCoreProperties();
        SessionRegistry registry = new SessionRegistry();
        SessionDispatcher dispatcher = new SessionDispatcher("jmh", registry,
                new SessionMetrics(new SimpleMeterRegistry(), "server", "jmh", registry),
                properties.getSession().toSettings(), Runnable::run, Integer.MAX_VALUE, () -> { });
        session = new EchoingSession();
        new SessionConnection(accepted, true, false, null, "jmh", session, 1024);
        session.opened(dispatcher);

        java.io.ByteArrayOutputStream frames = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < framesPerRead; i++) {
            frames.writeBytes(Frames.encode(2, new byte[32]));
        }
        read = frames.toByteArray();
    }

    @Benchmark
    public void receiveDecodeReplyWrite() {
        session.received(read, read.length);
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        session.disconnect();
        peer.close();
        server.close();
        drain.join(1_000);
    }
}
