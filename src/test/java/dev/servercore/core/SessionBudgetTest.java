package dev.servercore.core;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.EchoSession;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.LoopbackServerTest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-session budget of {@code servercore.session.rate-limit}: a session that sends more than it may is
 * read no faster than its budget (TCP pushes back on it), and one that keeps pushing is kicked with
 * {@code S_Kick(rate_limited)}; a session beside it on the same event loop is served as if it were alone.
 */
@LoopbackServerTest
class SessionBudgetTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    ApplicationContext context;
    @Autowired
    MeterRegistry meters;

    private Listener listener(String name, Map<String, Object> settings) {
        java.util.HashMap<String, Object> all = new java.util.HashMap<>(settings);
        all.put("listener.event-loops", 1); // the flooder and its neighbour share one loop
        return Endpoints.listener(context, name, ServerCoreProperties.of(all), EchoSession::new);
    }

    private double counter(String name, String endpoint) {
        return Search.in(meters).name(name).tag("endpoint", endpoint).functionCounters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    /** Writes small frames as fast as the socket takes them, and reads (and counts) what comes back. */
    static final class Flooder implements AutoCloseable {
        final Socket socket = new Socket();
        final AtomicLong echoes = new AtomicLong();
        final AtomicBoolean kicked = new AtomicBoolean();
        final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread writer;
        private final Thread reader;

        Flooder(int port, byte[] frame) throws IOException {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            byte[] batch = new byte[frame.length * Math.max(1, 8192 / frame.length)];
            for (int at = 0; at + frame.length <= batch.length; at += frame.length) {
                System.arraycopy(frame, 0, batch, at, frame.length);
            }
            OutputStream out = socket.getOutputStream();
            writer = new Thread(() -> {
                try {
                    while (running.get()) {
                        out.write(batch);
                    }
                } catch (IOException closed) {
                    // kicked, or closed by the test
                }
            }, "test-flooder-writer");
            DataInputStream in = new DataInputStream(socket.getInputStream());
            reader = new Thread(() -> {
                try {
                    while (true) {
                        int size = in.readUnsignedByte() | in.readUnsignedByte() << 8;
                        int id = in.readUnsignedByte() | in.readUnsignedByte() << 8;
                        in.skipNBytes(size - Frames.HEADER_SIZE);
                        if (id == SessionLayer.S_KICK) {
                            kicked.set(true);
                        } else if (id != 1) {
                            echoes.incrementAndGet();
                        }
                    }
                } catch (IOException closed) {
                    // the end of the stream
                }
            }, "test-flooder-reader");
            writer.setDaemon(true);
            reader.setDaemon(true);
            writer.start();
            reader.start();
        }

        @Override
        public void close() throws Exception {
            running.set(false);
            socket.close();
            writer.join(5_000);
            reader.join(5_000);
        }
    }

    @Test
    void aFlooderIsReadNoFasterThanItsBudgetThenKickedWhileItsNeighbourIsServedAtOnce() throws Exception {
        Listener listener = listener("budget-flood", Map.of("session.rate-limit.packets-per-second", 2000,
                "session.rate-limit.packet-burst", 2000, "session.rate-limit.kick-after", "1500ms"));
        try (FrameClient neighbour = FrameClient.connect(listener.port());
                Flooder flooder = new Flooder(listener.port(), Frames.encode(2, new byte[4]))) {
            neighbour.readFrame();
            long start = System.nanoTime();
            double pausesBefore = counter("servercore.reads.paused", "budget-flood");
            long worstMicros = 0;
            while (!flooder.kicked.get() && System.nanoTime() - start < WAIT.toNanos()) {
                long sent = System.nanoTime();
                neighbour.sendFrame(2, new byte[] {7});
                assertThat(neighbour.readFrame().body()).containsExactly(7);
                worstMicros = Math.max(worstMicros, (System.nanoTime() - sent) / 1_000);
                Thread.sleep(5);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(flooder.kicked).as("S_Kick(rate_limited) reached the flooder").isTrue();
            // it sent millions of frames a second; what was read of them is bounded by the burst and the rate
            // (plus one read's worth: a read's frames are delivered before they are paid for)
            assertThat((double) flooder.echoes.get()).isLessThan(2000 + 2000 * seconds + 2048 + 1000);
            assertThat(counter("servercore.reads.paused", "budget-flood")).isGreaterThan(pausesBefore);
            assertThat(seconds).as("kicked after about 1.5 s of paused reading").isLessThan(10);
            Await.until("counted as rate_limited", WAIT, () -> Search.in(meters).name("servercore.sessions.closed")
                    .tag("endpoint", "budget-flood").tag("reason", "rate_limited").counter().count() == 1);
            System.out.printf("flooder: %d echoes in %.2f s, kicked; neighbour's worst echo %d us%n",
                    flooder.echoes.get(), seconds, worstMicros);
            assertThat(worstMicros).as("the neighbour's slowest echo during the flood").isLessThan(200_000);
        } finally {
            listener.stop();
        }
    }

    @Test
    void theByteBudgetBoundsLargeFramesAndABurstThenSilenceIsNeverKicked() throws Exception {
        Listener listener = listener("budget-bytes", Map.of("session.rate-limit.bytes-per-second", "64KB",
                "session.rate-limit.byte-burst", "64KB", "session.rate-limit.kick-after", "1s"));
        try (Flooder flooder = new Flooder(listener.port(), Frames.encode(2, new byte[4000]))) {
            Thread.sleep(2_000);
            long echoes = flooder.echoes.get();
            // 64 KB of burst and 64 KB/s for ~2 s: about 48 frames of 4004 bytes, far from what was offered
            assertThat(echoes).isBetween(10L, 64L);
        } finally {
            listener.stop();
        }
        Listener quiet = listener("budget-burst", Map.of("session.rate-limit.packets-per-second", 100,
                "session.rate-limit.packet-burst", 100, "session.rate-limit.kick-after", "3s"));
        try (FrameClient client = FrameClient.connect(quiet.port())) {
            client.readFrame();
            for (int round = 0; round < 3; round++) {
                byte[] burst = new byte[0];
                for (int i = 0; i < 300; i++) { // three times the burst at once: paused, then read as the budget allows
                    burst = concat(burst, Frames.encode(2, new byte[] {(byte) i}));
                }
                client.write(burst);
                for (int i = 0; i < 300; i++) {
                    assertThat(client.readFrame().body()).containsExactly((byte) i);
                }
                // each round reads paused for about 2 s; the stretch would pass kick-after in the second round
                // if silence did not end it: both buckets full again
                Thread.sleep(1_200);
            }
            assertThat(client.socket().isClosed()).isFalse();
            client.sendFrame(2, new byte[] {42});
            assertThat(client.readFrame().body()).containsExactly(42);
        } finally {
            quiet.stop();
        }
    }

    @Test
    void aClientSessionHasNoBudget() throws Exception {
        Listener listener = listener("budget-none", Map.of("session.rate-limit.packets-per-second", 10,
                "session.rate-limit.packet-burst", 10));
        Connector connector = Endpoints.connector(context, "budget-client", listener.port(), EchoSession::new);
        try {
            Session client = connector.connect().get();
            // the listener's session echoes; the connector's echoes back: a ping-pong bounded only by the server's
            // budget, so the client side must read all that the server lets through
            assertThat(client.send(Frames.encode(2, new byte[1]))).isTrue();
            Thread.sleep(1_500);
            double read = Search.in(meters).name("servercore.packets.received").tag("endpoint", "budget-client")
                    .functionCounters().stream().mapToDouble(c -> c.count()).sum();
            double serverPauses = counter("servercore.reads.paused", "budget-none");
            double clientPauses = counter("servercore.reads.paused", "budget-client");
            assertThat(serverPauses).isGreaterThan(0);
            assertThat(clientPauses).isZero();
            assertThat(read).isGreaterThan(10);
        } finally {
            connector.stop();
            listener.stop();
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
