package dev.servercore.core;

import java.util.Map;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.LoopbackServerTest;
import dev.servercore.testsupport.Meters;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The session contract of HELP.md ("Threads"), each clause on a listener of its own: callback order,
 * the welcome first, disconnect after send, faults in session code, accepting while a callback blocks,
 * the frame timeout, and what 0 means for a timeout.
 */
@LoopbackServerTest
class SessionContractTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final byte[] WELCOME = Frames.encode(1, "hi".getBytes(StandardCharsets.UTF_8));

    @Autowired
    ApplicationContext context;
    @Autowired
    MeterRegistry meters;

    private Listener listener(String name, ServerCoreProperties properties, Supplier<? extends Session> sessions) {
        return Endpoints.listener(context, name, properties, sessions);
    }

    private double closed(String endpoint, String reason) {
        return Meters.closed(meters, endpoint, reason);
    }

    /**
     * Records the order of its callbacks and whether any two overlapped. Packet 7 disconnects, packet 8
     * kicks (a reason packet, then disconnect), packet 9 sleeps in the callback for 300 ms.
     */
    static class ContractSession extends PacketSession {
        final Queue<String> events = new ConcurrentLinkedQueue<>();
        final AtomicBoolean inside = new AtomicBoolean();
        final AtomicBoolean overlapped = new AtomicBoolean();

        private void enter(String event) {
            if (!inside.compareAndSet(false, true)) {
                overlapped.set(true);
            }
            events.add(event);
        }

        private void leave() {
            inside.set(false);
        }

        @Override
        protected void onConnected(InetSocketAddress endpoint) {
            enter("connected");
            send(WELCOME);
            leave();
        }

        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
            enter("recv " + packetId);
            try {
                switch (packetId) {
                    case 7 -> disconnect();
                    case 8 -> {
                        send(Frames.encode(8, "kicked".getBytes(StandardCharsets.UTF_8)));
                        disconnect();
                    }
                    case 9 -> sleep(300);
                    default -> send(Frames.encode(packetId, body));
                }
            } finally {
                leave();
            }
        }

        @Override
        protected void onDisconnected(InetSocketAddress endpoint) {
            enter("disconnected");
            leave();
        }
    }

    @Test
    void callbacksComeInOrderNeverOverlapAndFramesAfterADisconnectInTheSameReadAreNotDelivered() throws Exception {
        Queue<ContractSession> sessions = new ConcurrentLinkedQueue<>();
        Listener listener = listener("contract-order", ServerCoreProperties.defaults(), () -> {
            ContractSession session = new ContractSession();
            sessions.add(session);
            return session;
        });
        try (FrameClient client = FrameClient.connect(listener.port())) {
            client.readFrame();
            // one write: an echo, a disconnect, then two frames that must never reach the session
            byte[] batch = concat(FrameClient.frame(2, new byte[] {1}), FrameClient.frame(7, new byte[0]),
                    FrameClient.frame(2, new byte[] {2}), FrameClient.frame(2, new byte[] {3}));
            client.write(batch);
            assertThat(client.readFrame().body()).containsExactly(1);
            assertThat(client.closedByPeerWithin(5_000)).isTrue();
            ContractSession session = sessions.peek();
            Await.until("the session ended", WAIT, () -> session.events.contains("disconnected"));
            assertThat(List.copyOf(session.events)).containsExactly("connected", "recv 2", "recv 7", "disconnected");
            assertThat(session.overlapped).isFalse();
            assertThat(session.closeReason()).isEqualTo(CloseReason.LOCAL);
        } finally {
            listener.stop();
        }
    }

    @Test
    void onDisconnectedWaitsForTheRunningCallbackWhateverThreadClosesTheSession() throws Exception {
        Queue<ContractSession> sessions = new ConcurrentLinkedQueue<>();
        Listener listener = listener("contract-overlap", ServerCoreProperties.defaults(), () -> {
            ContractSession session = new ContractSession();
            sessions.add(session);
            return session;
        });
        try {
            for (int round = 0; round < 20; round++) {
                try (FrameClient client = FrameClient.connect(listener.port())) {
                    client.readFrame();
                    ContractSession session = sessions.poll();
                    client.sendFrame(9, new byte[0]); // the callback sleeps 300 ms...
                    Await.until("inside the callback", WAIT, () -> session.inside.get());
                    if (round % 2 == 0) {
                        session.abort(); // ...while another thread closes the session
                    } else {
                        client.socket().setSoLinger(true, 0);
                        client.close(); // ...or the peer resets it
                    }
                    Await.until("the session ended", WAIT, () -> session.events.contains("disconnected"));
                    assertThat(session.overlapped).as("round " + round).isFalse();
                    assertThat(List.copyOf(session.events)).containsExactly("connected", "recv 9", "disconnected");
                }
            }
        } finally {
            listener.stop();
        }
    }

    @Test
    void theWelcomeIsTheFirstFrameEvenWhileBroadcastsRaceTheConnect() throws Exception {
        SessionRegistry registry = new SessionRegistry();
        ServerCoreProperties properties = ServerCoreProperties.of(Map.<String, Object>of(
                "listener.bind-address", "127.0.0.1",
                "listener.port", 0));
        Listener listener = new Listener("contract-welcome", properties.getListener(), properties.getSession(),
                ContractSession::new, registry, meters, context, context);
        listener.start();
        AtomicBoolean broadcasting = new AtomicBoolean(true);
        byte[] chat = Frames.encode(4, new byte[] {0, 0, 0, 0, 'x'});
        Thread broadcaster = new Thread(() -> {
            while (broadcasting.get()) {
                registry.broadcast(chat);
                Thread.onSpinWait();
            }
        }, "test-broadcaster");
        broadcaster.start();
        List<FrameClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 400; i++) {
                clients.add(FrameClient.connect(listener.port()));
            }
            int chatFirst = 0;
            for (FrameClient client : clients) {
                if (client.readFrame().packetId() != 1) {
                    chatFirst++;
                }
            }
            assertThat(chatFirst).as("clients whose first frame was not S_Welcome").isZero();
        } finally {
            broadcasting.set(false);
            broadcaster.join();
            for (FrameClient client : clients) {
                client.close();
            }
            listener.stop();
        }
    }

    @Test
    void aKickWithAReasonPacketArrivesBeforeTheCloseFromACallbackAndFromAnotherThread() throws Exception {
        Queue<ContractSession> sessions = new ConcurrentLinkedQueue<>();
        Listener listener = listener("contract-kick", ServerCoreProperties.defaults(), () -> {
            ContractSession session = new ContractSession();
            sessions.add(session);
            return session;
        });
        try {
            for (int i = 0; i < 50; i++) {
                try (FrameClient client = FrameClient.connect(listener.port())) {
                    client.readFrame();
                    client.sendFrame(8, new byte[0]); // the session sends its reason, then disconnects
                    FrameClient.Frame reason = client.readFrame();
                    assertThat(reason.packetId()).isEqualTo(8);
                    assertThat(client.closedByPeerWithin(5_000)).isTrue();
                }
            }
            for (int i = 0; i < 50; i++) {
                try (FrameClient client = FrameClient.connect(listener.port())) {
                    client.readFrame();
                    ContractSession session = sessions.stream().filter(s -> s.isConnected()).findFirst().orElseThrow();
                    byte[] big = new byte[3000]; // and from a game thread, after a burst
                    for (int k = 0; k < 20; k++) {
                        assertThat(session.send(Frames.encode(2, big))).isTrue();
                    }
                    assertThat(session.send(Frames.encode(8, "kicked".getBytes(StandardCharsets.UTF_8)))).isTrue();
                    session.disconnect();
                    assertThat(session.send(Frames.encode(2, big))).as("a send after disconnect()").isFalse();
                    for (int k = 0; k < 20; k++) {
                        assertThat(client.readFrame().packetId()).isEqualTo(2);
                    }
                    assertThat(new String(client.readFrame().body(), StandardCharsets.UTF_8)).isEqualTo("kicked");
                    assertThat(client.closedByPeerWithin(5_000)).isTrue();
                }
            }
        } finally {
            listener.stop();
        }
    }

    @Test
    void abortClosesAtOnceDroppingWhatIsQueued() throws Exception {
        Queue<ContractSession> sessions = new ConcurrentLinkedQueue<>();
        Listener listener = listener("contract-abort", ServerCoreProperties.defaults(), () -> {
            ContractSession session = new ContractSession();
            sessions.add(session);
            return session;
        });
        try (FrameClient client = FrameClient.connect(listener.port())) {
            client.readFrame();
            ContractSession session = sessions.peek();
            session.abort();
            assertThat(client.closedByPeerWithin(5_000)).isTrue();
            Await.until("ended", WAIT, () -> session.closeReason() == CloseReason.LOCAL);
        } finally {
            listener.stop();
        }
    }

    /** Throws an Error (not an Exception) from the callback named by its packet id. */
    static class ErrorSession extends PacketSession {
        static final AtomicInteger connects = new AtomicInteger();

        @Override
        protected void onConnected(InetSocketAddress endpoint) {
            if (connects.incrementAndGet() == 1) {
                throw new AssertionError("an Error from onConnected");
            }
            send(WELCOME);
        }

        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
            if (packetId == 13) {
                throw new StackOverflowError("an Error from onRecv");
            }
            send(Frames.encode(packetId, body));
        }
    }

    @Test
    void anErrorThrownByGameCodeClosesThatSessionOnlyAndTheLoopsKeepAccepting() throws Exception {
        // one loop: had it died, nothing would be served
        ServerCoreProperties properties = ServerCoreProperties.of(Map.<String, Object>of("listener.event-loops", 1));
        Listener listener = listener("contract-error", properties, ErrorSession::new);
        try {
            try (FrameClient first = FrameClient.connect(listener.port())) {
                assertThat(first.closedByPeerWithin(5_000)).isTrue(); // onConnected threw
            }
            try (FrameClient faulty = FrameClient.connect(listener.port());
                    FrameClient bystander = FrameClient.connect(listener.port())) {
                faulty.readFrame();
                bystander.readFrame();
                faulty.sendFrame(13, new byte[0]);
                assertThat(faulty.closedByPeerWithin(5_000)).isTrue();
                bystander.sendFrame(2, new byte[] {5});
                assertThat(bystander.readFrame().body()).containsExactly(5);
            }
            try (FrameClient newcomer = FrameClient.connect(listener.port())) {
                assertThat(newcomer.readFrame().packetId()).isEqualTo(1);
            }
            Await.until("both counted", WAIT, () -> closed("contract-error", "handler_error") == 2);
            assertThat(listener.isListening()).isTrue();
        } finally {
            listener.stop();
        }
    }

    /** The first session's onConnected blocks its loop for two seconds. */
    static class SlowFirstSession extends PacketSession {
        static final AtomicInteger made = new AtomicInteger();
        private final boolean slow = made.incrementAndGet() == 1;

        @Override
        protected void onConnected(InetSocketAddress endpoint) {
            if (slow) {
                sleep(2_000);
            }
            send(WELCOME);
        }

        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
        }
    }

    @Test
    void aBlockingOnConnectedHoldsOnlyItsOwnLoopAndIsReported() throws Exception {
        ServerCoreProperties properties = ServerCoreProperties.of(Map.<String, Object>of(
                "listener.event-loops", 4,
                "session.blocked-callback-warning", Duration.ofMillis(200)));
        Listener listener = listener("contract-accept", properties, SlowFirstSession::new);
        List<FrameClient> clients = new ArrayList<>();
        try {
            FrameClient slow = FrameClient.connect(listener.port());
            clients.add(slow);
            Thread.sleep(100); // its onConnected is now blocking one loop
            long start = System.nanoTime();
            int welcomedAtOnce = 0;
            for (int i = 0; i < 40; i++) {
                FrameClient client = FrameClient.connect(listener.port());
                clients.add(client);
                client.socket().setSoTimeout(1_000);
                try {
                    client.readFrame();
                    welcomedAtOnce++;
                } catch (java.net.SocketTimeoutException onTheBlockedLoop) {
                    // the kernel gave this one to the blocked loop's socket
                }
            }
            System.out.printf("while one loop of 4 was blocked: %d of 40 welcomed within 1 s (%d ms)%n",
                    welcomedAtOnce, (System.nanoTime() - start) / 1_000_000);
            assertThat(welcomedAtOnce).isGreaterThanOrEqualTo(10);
            slow.socket().setSoTimeout(5_000);
            assertThat(slow.readFrame().packetId()).isEqualTo(1);
            Await.until("the blocked loop reported", WAIT, () -> meters.get("servercore.callbacks.blocked")
                    .tag("endpoint", "contract-accept").functionCounter().count() >= 1);
        } finally {
            for (FrameClient client : clients) {
                client.close();
            }
            listener.stop();
        }
    }

    @Test
    void aHeaderTrickledForeverIsCutByTheFrameTimeoutThoughEachByteResetsTheIdleTimeout() throws Exception {
        ServerCoreProperties properties = ServerCoreProperties.of(Map.<String, Object>of(
                "listener.idle-timeout", Duration.ofSeconds(2),
                "session.frame-timeout", Duration.ofMillis(600)));
        Listener listener = listener("contract-slowloris", properties, ContractSession::new);
        try (FrameClient client = FrameClient.connect(listener.port())) {
            client.readFrame();
            client.write(new byte[] {(byte) 200, 0}); // a 200-byte frame, then a byte every 100 ms
            long start = System.nanoTime();
            boolean cut = false;
            for (int i = 0; i < 40 && !cut; i++) {
                Thread.sleep(100);
                try {
                    client.write(new byte[] {1});
                } catch (IOException closed) {
                    cut = true;
                }
                cut = cut || closed("contract-slowloris", "protocol_error") == 1;
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(cut).isTrue();
            assertThat(millis).isBetween(500L, 2_000L);
            Await.until("counted", WAIT, () -> closed("contract-slowloris", "protocol_error") == 1);
            assertThat(closed("contract-slowloris", "idle_timeout")).isZero();
        } finally {
            listener.stop();
        }
    }

    /** On packet 5, sends 16 MB from a game thread. */
    static class BulkSession extends PacketSession {
        static final int FRAMES = 4000;

        @Override
        protected void onConnected(InetSocketAddress endpoint) {
            send(WELCOME);
        }

        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
            new Thread(() -> {
                byte[] chunk = Frames.encode(2, new byte[4000]);
                for (int i = 0; i < FRAMES; i++) {
                    send(chunk);
                }
            }, "test-bulk-sender").start();
        }
    }

    @Test
    void aWriteTimeoutOfZeroIsOffAndAWriteThatWaitsLongIsNotCut() throws Exception {
        ServerCoreProperties properties = ServerCoreProperties.of(Map.<String, Object>of(
                "session.write-timeout", Duration.ZERO,
                "session.send-queue-limit", org.springframework.util.unit.DataSize.ofMegabytes(32)));
        Queue<BulkSession> sessions = new ConcurrentLinkedQueue<>();
        Listener listener = listener("contract-zero", properties, () -> {
            BulkSession session = new BulkSession();
            sessions.add(session);
            return session;
        });
        try (FrameClient client = FrameClient.connect(listener.port())) {
            client.readFrame();
            client.sendFrame(5, new byte[0]);
            Thread.sleep(1_500); // not reading: the server's writes wait on a full socket
            assertThat(sessions.peek().queuedBytes()).as("bytes waiting for the peer").isPositive();
            for (int frames = 0; frames < BulkSession.FRAMES; frames++) {
                assertThat(client.readFrame().size()).isEqualTo(4004);
            }
            assertThat(closed("contract-zero", "slow_consumer")).isZero();
            assertThat(sessions.peek().isConnected()).isTrue();
        } finally {
            listener.stop();
        }
    }

    @Test
    void aNegativeDurationIsRefusedAtStartupAndZeroMeansOff() {
        ServerCoreProperties properties = ServerCoreProperties.of(Map.<String, Object>of(
                "session.frame-timeout", Duration.ofSeconds(-1)));
        assertThatThrownBy(() -> properties.getSession().toSettings(Duration.ZERO, 1))
                .hasMessageContaining("frame-timeout");
        assertThat(properties.getSession().isDurationsValid()).isFalse();
        ServerCoreProperties off = ServerCoreProperties.of(Map.<String, Object>of("session.frame-timeout", "0s"));
        assertThat(off.getSession().toSettings(Duration.ZERO, 1).shortestTimeoutNanos())
                .isEqualTo(Duration.ofSeconds(10).toNanos()); // the write timeout's default
        ServerCoreProperties negativeIdle = ServerCoreProperties.of(Map.<String, Object>of(
                "listener.idle-timeout", "-5ms"));
        assertThat(negativeIdle.getListener().isIdleTimeoutValid()).isFalse();
    }

    @Test
    void bytesAfterADisconnectInTheSameReadDoNotTurnTheKickIntoAnAbort() throws Exception {
        Listener listener = listener("contract-kick-garbage", ServerCoreProperties.defaults(), ContractSession::new);
        try (FrameClient client = FrameClient.connect(listener.port())) {
            assertThat(client.readFrame().packetId()).isEqualTo(1);
            // the kick, then a header claiming size 0: never to be read, so never a protocol error
            client.write(concat(FrameClient.frame(8, new byte[0]), new byte[2]));
            FrameClient.Frame reason = client.readFrame();
            assertThat(new String(reason.body(), StandardCharsets.UTF_8)).isEqualTo("kicked");
            assertThat(client.closedByPeerWithin(5_000)).isTrue();
            Await.until("closed as asked", WAIT, () -> closed("contract-kick-garbage", "local") == 1);
            assertThat(closed("contract-kick-garbage", "protocol_error")).isZero();
        } finally {
            listener.stop();
        }
    }

    @Test
    void afterAStopAndAStartSendsFromOtherThreadsAndTimeoutsStillWork() throws Exception {
        Queue<ContractSession> sessions = new ConcurrentLinkedQueue<>();
        ServerCoreProperties properties = ServerCoreProperties.of(Map.<String, Object>of(
                "listener.event-loops", 1,
                "listener.idle-timeout", Duration.ofMillis(800)));
        Listener listener = listener("contract-restart", properties, () -> {
            ContractSession session = new ContractSession();
            sessions.add(session);
            return session;
        });
        try {
            listener.stop();
            listener.start();
            try (FrameClient client = FrameClient.connect(listener.port())) {
                assertThat(client.readFrame().packetId()).isEqualTo(1);
                Await.until("the session", WAIT, () -> !sessions.isEmpty());
                ContractSession session = sessions.poll();
                assertThat(session.send(Frames.encode(5, new byte[] {42}))).isTrue(); // from the test thread
                client.socket().setSoTimeout(3_000);
                assertThat(client.readFrame().packetId()).isEqualTo(5);
                assertThat(client.closedByPeerWithin(5_000)).as("closed by the idle timeout").isTrue();
                Await.until("counted", WAIT, () -> closed("contract-restart", "idle_timeout") == 1);
            }
        } finally {
            listener.stop();
        }
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        ByteBuffer joined = ByteBuffer.allocate(length);
        for (byte[] part : parts) {
            joined.put(part);
        }
        return joined.array();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
