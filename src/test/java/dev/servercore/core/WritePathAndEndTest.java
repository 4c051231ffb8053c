package dev.servercore.core;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.LoopbackServerTest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The write path and the end of a session, from an adversarial review (three of these failed on the code
 * reviewed): packets.sent equals the frames a peer received, partial writes and an abort included; end
 * hooks run after onDisconnected; a loop a callback still blocks is not started a second time.
 */
@LoopbackServerTest
class WritePathAndEndTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Autowired
    ApplicationContext context;
    @Autowired
    MeterRegistry meters;

    private Listener listener(String name, Map<String, Object> settings, Supplier<? extends Session> sessions) {
        return Endpoints.listener(context, name, ServerCoreProperties.of(settings), sessions);
    }

    private double packetsSent(String endpoint) {
        return Search.in(meters).name("servercore.packets.sent").tag("endpoint", endpoint).functionCounters()
                .stream().mapToDouble(c -> c.count()).sum();
    }

    private static Socket smallClient(int port) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(2048);
        socket.setSoTimeout(10_000);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return socket;
    }

    /** Sends the given arrays from onConnected; records what it was given. */
    static class Sender extends PacketSession {
        final byte[][] arrays;

        Sender(byte[][] arrays) {
            this.arrays = arrays;
        }

        @Override
        protected void onConnected(InetSocketAddress endpoint) {
            for (byte[] a : arrays) {
                send(a);
            }
        }

        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
        }
    }

    /** Arrays of 1..6 frames each (some bigger than the write batch), bodies holding a running sequence. */
    private static byte[][] batches(int arrays, long seed, int maxBody) {
        Random random = new Random(seed);
        byte[][] out = new byte[arrays][];
        int seq = 0;
        for (int i = 0; i < arrays; i++) {
            int frames = 1 + random.nextInt(6);
            ByteBuffer b = ByteBuffer.allocate(frames * (Frames.HEADER_SIZE + maxBody));
            for (int f = 0; f < frames; f++) {
                int body = 4 + random.nextInt(maxBody - 3);
                byte[] frame = Frames.newFrame(Frames.HEADER_SIZE + body, 5);
                ByteBuffer.wrap(frame, Frames.HEADER_SIZE, 4).putInt(seq++);
                b.put(frame);
            }
            out[i] = java.util.Arrays.copyOf(b.array(), b.position());
        }
        return out;
    }

    private static int framesIn(byte[][] arrays) {
        int n = 0;
        for (byte[] a : arrays) {
            for (int at = 0; at < a.length; at += Frames.getUInt16(a, at)) {
                n++;
            }
        }
        return n;
    }

    /** Reads frames until EOF; checks the sequence; returns complete frames read. */
    private static int readAll(Socket socket, long pauseEveryBytes, int expectAtMost) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        int frames = 0;
        long bytes = 0;
        long nextPause = pauseEveryBytes;
        try {
            while (frames < expectAtMost) {
                int size = in.readUnsignedByte() | in.readUnsignedByte() << 8;
                in.readUnsignedByte();
                in.readUnsignedByte();
                byte[] body = new byte[size - Frames.HEADER_SIZE];
                in.readFully(body);
                int seq = ByteBuffer.wrap(body).getInt();
                assertThat(seq).as("sequence (lost, duplicated or reordered bytes)").isEqualTo(frames);
                frames++;
                bytes += size;
                if (pauseEveryBytes > 0 && bytes > nextPause) {
                    nextPause += pauseEveryBytes;
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                }
            }
        } catch (EOFException | SocketException end) {
            // the server closed
        }
        return frames;
    }

    /** Many partial writes in a row, heads that are continuations, buffers of several arrays. */
    @Test
    void packetsSentEqualsFramesReceivedUnderPartialWrites() throws Exception {
        for (int batch : new int[] {1000, 4097, 65536}) {
            String name = "review-partial-" + batch;
            byte[][] arrays = batches(6000, batch, 1500);
            int expected = framesIn(arrays);
            Queue<Sender> sessions = new ConcurrentLinkedQueue<>();
            Listener listener = listener(name, Map.of("session.write-batch-size", batch + "B",
                    "session.send-queue-limit", "64MB"), () -> {
                        Sender s = new Sender(arrays);
                        sessions.add(s);
                        return s;
                    });
            try (Socket client = smallClient(listener.port())) {
                Await.until("connected", WAIT, () -> !sessions.isEmpty());
                Await.until("a partial write (bytes left queued)", WAIT, () -> sessions.peek().queuedBytes() > 0);
                int received = readAll(client, 32 * 1024, expected);
                assertThat(received).isEqualTo(expected);
                Await.until("queue drained", WAIT, () -> sessions.peek().queuedBytes() == 0);
                assertThat(packetsSent(name)).as("servercore.packets.sent, batch " + batch).isEqualTo(expected);
            } finally {
                listener.stop();
            }
        }
    }

    /** Frames copied into a write that was only partly written count as sent, even when they never are. */
    @Test
    void packetsSentCountsFramesThatWereNeverWritten() throws Exception {
        String name = "review-abort";
        byte[] frame = Frames.newFrame(100, 5);
        byte[][] arrays = new byte[30_000][];
        for (int i = 0; i < arrays.length; i++) {
            arrays[i] = Frames.newFrame(100, 5);
            ByteBuffer.wrap(arrays[i], Frames.HEADER_SIZE, 4).putInt(i);
        }
        Queue<Sender> sessions = new ConcurrentLinkedQueue<>();
        Listener listener = listener(name, Map.of("session.send-queue-limit", "64MB"), () -> {
            Sender s = new Sender(arrays);
            sessions.add(s);
            return s;
        });
        try (Socket client = smallClient(listener.port())) {
            Await.until("connected", WAIT, () -> !sessions.isEmpty());
            Await.until("a partial write", WAIT, () -> sessions.peek().queuedBytes() > 0);
            Thread.sleep(300);
            sessions.peek().abort();
            Await.until("ended", WAIT, () -> sessions.peek().closeReason() != null);
            int received = readAll(client, 0, arrays.length);
            assertThat(packetsSent(name)).as("servercore.packets.sent vs complete frames received")
                    .isEqualTo((double) received);
        } finally {
            listener.stop();
        }
    }

    static class SlowDisconnect extends PacketSession {
        final AtomicBoolean disconnectedDone = new AtomicBoolean();
        final long sleepMillis;

        SlowDisconnect(long sleepMillis) {
            this.sleepMillis = sleepMillis;
        }

        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
        }

        @Override
        protected void onDisconnected(InetSocketAddress endpoint) {
            try {
                Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            disconnectedDone.set(true);
        }
    }

    /** whenEnded's contract: the hook runs after onDisconnected. */
    @Test
    void aHookAddedWhileOnDisconnectedRunsRunsAfterIt() throws Exception {
        Queue<SlowDisconnect> sessions = new ConcurrentLinkedQueue<>();
        Listener listener = listener("review-hook", Map.of(), () -> {
            SlowDisconnect s = new SlowDisconnect(1_000);
            sessions.add(s);
            return s;
        });
        try (Socket client = smallClient(listener.port())) {
            Await.until("connected", WAIT, () -> !sessions.isEmpty() && sessions.peek().isConnected());
            SlowDisconnect session = sessions.peek();
            session.abort();
            Await.until("ended", WAIT, () -> session.closeReason() != null);
            AtomicReference<Boolean> afterOnDisconnected = new AtomicReference<>();
            AtomicReference<String> thread = new AtomicReference<>();
            session.whenEnded(() -> {
                afterOnDisconnected.set(session.disconnectedDone.get());
                thread.set(Thread.currentThread().getName());
            });
            Await.until("hook ran", WAIT, () -> afterOnDisconnected.get() != null);
            assertThat(afterOnDisconnected.get()).as("hook ran on " + thread.get() + " after onDisconnected returned")
                    .isTrue();
        } finally {
            listener.stop();
        }
    }

    /**
     * A stop whose loop thread outlives its join (a callback blocks it), then a start: refused while the old
     * thread runs (a second thread would share its state), and fine once it has ended.
     */
    @Test
    void aLoopStillBlockedAfterAStopIsNotStartedTwiceAndStartsOnceItEnded() throws Exception {
        Queue<SlowDisconnect> sessions = new ConcurrentLinkedQueue<>();
        Listener listener = listener("review-restart", Map.of("listener.event-loops", 1,
                "session.shutdown-drain-timeout", "0s"), () -> {
            SlowDisconnect s = new SlowDisconnect(sessions.isEmpty() ? 7_000 : 0);
            sessions.add(s);
            return s;
        });
        try {
            try (Socket first = smallClient(listener.port())) {
                Await.until("connected", WAIT, () -> !sessions.isEmpty() && sessions.peek().isConnected());
                listener.stop(); // onDisconnected blocks the loop thread past the 5 s join
                assertThatThrownBy(listener::start).hasMessageContaining("still running");
                assertThat(listener.isRunning()).isFalse();
            }
            Await.until("the old loop thread done", WAIT, () -> sessions.peek().disconnectedDone.get());
            Thread.sleep(500);
            listener.start();
            try (Socket second = smallClient(listener.port())) {
                Await.until("second connected", WAIT, () -> sessions.size() == 2 && last(sessions).isConnected());
                Session session = last(sessions);
                boolean sent = session.send(Frames.encode(5, new byte[] {0, 0, 0, 0}));
                assertThat(sent).as("a send from another thread to a session of the restarted loop").isTrue();
                assertThat(readAll(second, 0, 1)).isEqualTo(1);
            }
        } finally {
            listener.stop();
        }
    }

    private static <T> T last(Queue<T> q) {
        T last = null;
        for (T t : q) {
            last = t;
        }
        return last;
    }
}
