package dev.servercore.core;

import java.util.Map;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.LoopbackServerTest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/** Limits, churn, faults in session code, and shutdown, on listeners of the test's own. */
@LoopbackServerTest
class SessionLifecycleTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Autowired
    ApplicationContext context;
    @Autowired
    MeterRegistry meters;

    /** Welcomes, echoes frames, throws on packet 13; counts its callbacks. */
    static class EchoSession extends PacketSession {
        static final byte[] WELCOME = Frames.encode(1, "hi".getBytes(StandardCharsets.UTF_8));
        final AtomicInteger disconnects = new AtomicInteger();

        @Override
        protected void onConnected(InetSocketAddress endpoint) {
            send(WELCOME);
        }

        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
            if (packetId == 13) {
                throw new IllegalStateException("a bug in game code");
            }
            send(Frames.encode(packetId, body));
        }

        @Override
        protected void onDisconnected(InetSocketAddress endpoint) {
            disconnects.incrementAndGet();
        }
    }

    /** A listener whose sessions are recorded (weakly, so that the test can see them collected). */
    class TestListener implements AutoCloseable {
        final Listener listener;
        final Queue<EchoSession> strong = new ConcurrentLinkedQueue<>();
        final Queue<WeakReference<EchoSession>> weak = new ConcurrentLinkedQueue<>();

        TestListener(String name, ServerCoreProperties properties, boolean keepStrong) {
            listener = Endpoints.listener(context, name, properties, () -> {
                EchoSession session = new EchoSession();
                weak.add(new WeakReference<>(session));
                if (keepStrong) {
                    strong.add(session);
                }
                return session;
            });
        }

        double counter(String name, String... tags) {
            return Search.in(meters).name(name).tag("endpoint", listener.name()).tags(tags).counters().stream()
                    .mapToDouble(c -> c.count()).sum();
        }

        double active() {
            return meters.get("servercore.sessions.active").tag("endpoint", listener.name()).gauge().value();
        }

        @Override
        public void close() {
            listener.stop();
        }
    }

    @Test
    void beyondTheSessionLimitConnectionsAreRefusedAndCountedAndTheRestAreServed() throws Exception {
        ServerCoreProperties properties = ServerCoreProperties.of(Map.<String, Object>of("listener.max-sessions", 100));
        try (TestListener server = new TestListener("test-limit", properties, false)) {
            List<FrameClient> clients = new ArrayList<>();
            int served = 0;
            int refused = 0;
            try {
                for (int i = 0; i < 150; i++) {
                    FrameClient client = FrameClient.connect(server.listener.port());
                    clients.add(client);
                    try {
                        client.readFrame();
                        served++;
                    } catch (java.io.IOException closedAtOnce) {
                        refused++;
                    }
                }
                assertThat(served).isEqualTo(100);
                assertThat(refused).isEqualTo(50);
                assertThat(server.counter("servercore.sessions.refused")).isEqualTo(50);
                assertThat(server.active()).isEqualTo(100);
                // the served ones still work
                FrameClient first = clients.get(0);
                first.sendFrame(2, new byte[] {42});
                assertThat(first.readFrame().body()).containsExactly(42);
            } finally {
                for (FrameClient client : clients) {
                    client.close();
                }
            }
            Await.until("all closed", WAIT, () -> server.active() == 0);
        }
    }

    @Test
    void afterAThousandCyclesAndTwoHundredResetsMidFrameNothingOfTheClientsRemains() throws Exception {
        var threads = ManagementFactory.getThreadMXBean();
        int threadsBefore = threads.getThreadCount();
        try (TestListener server = new TestListener("test-churn", ServerCoreProperties.defaults(), false)) {
            for (int i = 0; i < 1_000; i++) {
                try (FrameClient client = FrameClient.connect(server.listener.port())) {
                    client.readFrame();
                    if (i % 2 == 0) {
                        client.sendFrame(2, new byte[i % 100]);
                        client.readFrame();
                    }
                }
            }
            for (int i = 0; i < 200; i++) {
                FrameClient client = FrameClient.connect(server.listener.port());
                client.readFrame();
                client.write(new byte[] {(byte) 200, 0, 2, 0, 1, 2, 3}); // a frame cut mid-body...
                client.socket().setSoLinger(true, 0);
                client.close(); // ...and a reset (RST), not a FIN
            }

            Await.until("every session closed", WAIT, () -> server.active() == 0);
            double opened = server.counter("servercore.sessions.opened");
            double closed = server.counter("servercore.sessions.closed");
            assertThat(opened).isEqualTo(1_200);
            assertThat(closed).isEqualTo(opened);
            assertThat(server.counter("servercore.sessions.closed", "reason", "error")
                    + server.counter("servercore.sessions.closed", "reason", "peer_closed")).isEqualTo(1_200);
            assertThat(server.listener.sessions().count()).isZero();

            // No session stays reachable (nor, with it, its buffers), and the I/O threads go back to the baseline.
            Await.until("every session collected", WAIT, () -> {
                System.gc();
                return server.weak.stream().allMatch(ref -> ref.get() == null);
            });
            Await.until("threads back to the baseline", WAIT, () -> threads.getThreadCount() <= threadsBefore + 2);
            System.out.printf("churn: 1200 sessions opened and closed; threads %d before, %d after%n", threadsBefore,
                    threads.getThreadCount());
        }
    }

    @Test
    void aSessionWhoseCallbackThrowsIsClosedAloneAndTheListenerKeepsServing() throws Exception {
        try (TestListener server = new TestListener("test-throws", ServerCoreProperties.defaults(), false);
                FrameClient faulty = FrameClient.connect(server.listener.port());
                FrameClient bystander = FrameClient.connect(server.listener.port())) {
            faulty.readFrame();
            bystander.readFrame();

            faulty.sendFrame(13, new byte[0]);
            assertThat(faulty.closedByPeerWithin(5_000)).isTrue();
            Await.until("counted as a handler error", WAIT,
                    () -> server.counter("servercore.sessions.closed", "reason", "handler_error") == 1);

            bystander.sendFrame(2, new byte[] {7});
            assertThat(bystander.readFrame().body()).containsExactly(7);
            try (FrameClient newcomer = FrameClient.connect(server.listener.port())) {
                newcomer.readFrame();
                newcomer.sendFrame(2, new byte[] {8});
                assertThat(newcomer.readFrame().body()).containsExactly(8);
            }
        }
    }

    @Test
    void stoppingWithAThousandOpenSessionsClosesEachOnceWithinTheBound() throws Exception {
        ServerCoreProperties properties = ServerCoreProperties.of(Map.<String, Object>of(
                "session.shutdown-drain-timeout", Duration.ofSeconds(2)));
        TestListener server = new TestListener("test-stop", properties, true);
        List<FrameClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 1_000; i++) {
                FrameClient client = FrameClient.connect(server.listener.port());
                client.readFrame();
                clients.add(client);
            }
            assertThat(server.active()).isEqualTo(1_000);

            long start = System.nanoTime();
            server.close();
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("stop with 1000 open sessions took %d ms%n", millis);

            assertThat(millis).isLessThan(2_000 + 5_000); // drain bound + the I/O threads' bound
            assertThat(server.strong).hasSize(1_000).allSatisfy(session -> {
                assertThat(session.disconnects.get()).isEqualTo(1);
                assertThat(session.closeReason()).isEqualTo(CloseReason.SHUTDOWN);
            });
            assertThat(server.counter("servercore.sessions.closed", "reason", "shutdown")).isEqualTo(1_000);
            assertThat(server.active()).isZero();
            for (FrameClient client : clients) {
                assertThat(client.closedByPeerWithin(2_000)).isTrue();
            }
        } finally {
            for (FrameClient client : clients) {
                client.close();
            }
        }
    }
}
