package dev.servercore.core;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.FaultProxy;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.LoopbackServerTest;
import dev.servercore.testsupport.Meters;
import dev.servercore.testsupport.ResumingClient;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PROTOCOL.md v3's Resume on one listener, over real sockets and a fault proxy that resets connections on command: a
 * drop detaches a resumable session, a resume moves it to the new connection, and every frame either way arrives
 * exactly once, in order.
 */
@LoopbackServerTest
class ResumeTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    static final int ECHO = 7;
    static final int PUSH = 8;
    static final int KICK_ME = 9;

    @Autowired
    ApplicationContext context;
    @Autowired
    MeterRegistry meters;

    /** Welcomes, echoes ECHO, kicks itself on KICK_ME; records its callbacks and what reached it. */
    static class Player extends PacketSession {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Integer> bodies = new CopyOnWriteArrayList<>();
        /** What reached onRecvPacket while the session was detached (nothing may). */
        final List<Integer> whileDetached = new CopyOnWriteArrayList<>();

        @Override
        protected void onConnected(InetSocketAddress endpoint) {
            events.add("connected");
            send(Frames.encode(1, "welcome".getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        protected void onLogin() {
            events.add("login");
        }

        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
            if (packetId == KICK_ME) {
                kick("asked for");
                return;
            }
            int n = body.duplicate().getInt(body.position());
            if (isDetached()) {
                whileDetached.add(n);
            }
            bodies.add(n);
            send(Frames.encode(ECHO, body));
        }

        @Override
        protected void onDetached() {
            events.add("detached");
        }

        @Override
        protected void onResumed() {
            events.add("resumed");
        }

        @Override
        protected void onDisconnected(InetSocketAddress endpoint) {
            events.add("disconnected " + closeReason().tag());
        }
    }

    static Listener listener(ApplicationContext context, String name, Queue<Player> made, Map<String, Object> settings) {
        return Endpoints.listener(context, name, ServerCoreProperties.of(settings), () -> {
            Player player = new Player();
            made.add(player);
            return player;
        });
    }

    private Listener listener(String name, Queue<Player> made, Map<String, Object> settings) {
        return listener(context, name, made, settings);
    }

    static byte[] number(int n) {
        return ByteBuffer.allocate(4).putInt(n).array();
    }

    static int numberIn(FrameClient.Frame frame) {
        return ByteBuffer.wrap(frame.body()).getInt();
    }

    @Test
    void aDropInTheMiddleOfAFrameEachWayIsResumedWithEveryFrameOnceInOrder() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("resume-torn", made, Map.of());
        try (FaultProxy proxy = FaultProxy.start(listener.port());
                ResumingClient client = ResumingClient.open(proxy.port())) {
            Player player = made.peek();
            FaultProxy.Connection link = proxy.awaitConnections(1, WAIT).get(0);
            link.stallDownstream();
            for (int i = 1; i <= 10; i++) {
                client.send(ECHO, number(i));
            }
            Await.until("ten frames in", WAIT, () -> player.bodies.size() == 10);
            client.sendPartly(ECHO, number(11), 3); // torn: its header and a byte of its body reach the server
            // three echoes and two bytes of the fourth reach the client, then both ends are reset
            link.resetAfterDownstreamBytes(3 * 8 + 2);
            link.resume();
            for (int i = 1; i <= 3; i++) {
                assertThat(numberIn(client.read())).isEqualTo(i);
            }
            Await.until("detached", WAIT, () -> player.events.contains("detached"));
            assertThat(player.isDetached()).isTrue();
            assertThat(player.send(Frames.encode(PUSH, number(100)))).isTrue(); // kept while detached
            assertThat(player.send(Frames.encode(PUSH, number(101)))).isTrue();

            ResumingClient.Outcome outcome = client.resume(listener.port());
            assertThat(outcome.resumed()).isTrue();
            assertThat(outcome.sessionId()).isEqualTo(player.id());
            assertThat(outcome.serverReceived()).isEqualTo(10); // the torn eleventh frame is not counted
            for (int i = 4; i <= 10; i++) {
                FrameClient.Frame echo = client.read();
                assertThat(echo.packetId()).isEqualTo(ECHO);
                assertThat(numberIn(echo)).isEqualTo(i);
            }
            assertThat(numberIn(client.read())).isEqualTo(100);
            assertThat(numberIn(client.read())).isEqualTo(101);
            assertThat(numberIn(client.read())).isEqualTo(11); // the torn frame, sent again whole after S_Resumed
            assertThat(player.bodies).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
            assertThat(player.events).containsExactly("connected", "detached", "resumed");
            assertThat(player.isConnected()).isTrue();
            Player fresh = made.stream().skip(1).findFirst().orElseThrow();
            Await.until("the fresh session ended", WAIT, () -> fresh.closeReason() != null);
            assertThat(fresh.closeReason()).isEqualTo(CloseReason.RESUMED);
            assertThat(fresh.bodies).isEmpty();
            assertThat(Meters.counter(meters, "servercore.sessions.resumes", "endpoint", "resume-torn",
                    "outcome", "resumed")).isEqualTo(1);
            assertThat(Meters.counter(meters, "servercore.sessions.replayed.frames", "endpoint", "resume-torn"))
                    .isEqualTo(9);
        } finally {
            listener.stop();
        }
        Player player = made.peek();
        Await.until("ended by the stop", WAIT, () -> player.closeReason() != null);
        // the client's close at the end of the try was a drop too: detached again, then ended by the stop
        assertThat(player.events).containsExactly("connected", "detached", "resumed", "detached",
                "disconnected shutdown");
    }

    @Test
    void aBroadcastArrayCutInItsMiddleIsReplayedFromTheFirstFrameTheClientLacks() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("resume-batch", made, Map.of());
        try (FaultProxy proxy = FaultProxy.start(listener.port());
                ResumingClient client = ResumingClient.open(proxy.port())) {
            Player player = made.peek();
            FaultProxy.Connection link = proxy.awaitConnections(1, WAIT).get(0);
            link.stallDownstream();
            byte[] batch = new byte[5 * 8]; // one array, five frames: a tick's batch
            for (int i = 0; i < 5; i++) {
                System.arraycopy(Frames.encode(PUSH, number(i + 1)), 0, batch, i * 8, 8);
            }
            assertThat(Sessions.sendAll(List.of(player), batch)).isEqualTo(1);
            Thread.sleep(100); // written to the proxy, held there
            link.resetAfterDownstreamBytes(2 * 8 + 5);
            link.resume();
            assertThat(numberIn(client.read())).isEqualTo(1);
            assertThat(numberIn(client.read())).isEqualTo(2);
            Await.until("detached", WAIT, player::isDetached);
            assertThat(client.resume(listener.port()).resumed()).isTrue();
            assertThat(numberIn(client.read())).isEqualTo(3);
            assertThat(numberIn(client.read())).isEqualTo(4);
            assertThat(numberIn(client.read())).isEqualTo(5);
            client.send(ECHO, number(6));
            assertThat(numberIn(client.read())).isEqualTo(6);
        } finally {
            listener.stop();
        }
    }

    @Test
    void aResumeBeforeTheServerNoticedTheDropClosesTheOldConnectionAndMovesTheSession() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("resume-half-open", made, Map.of());
        try (ResumingClient client = ResumingClient.open(listener.port())) {
            Player player = made.peek();
            FrameClient old = client.connection();
            client.send(ECHO, number(1));
            assertThat(numberIn(client.read())).isEqualTo(1);
            // the old connection is alive as far as the server knows: the client simply resumes elsewhere
            ResumingClient.Outcome outcome = client.resume(listener.port());
            assertThat(outcome.resumed()).isTrue();
            assertThat(outcome.serverReceived()).isEqualTo(1);
            assertThat(old.closedByPeerWithin(5_000)).isTrue();
            client.send(ECHO, number(2));
            assertThat(numberIn(client.read())).isEqualTo(2);
            assertThat(player.events).containsExactly("connected", "detached", "resumed");
            assertThat(player.bodies).containsExactly(1, 2);
        } finally {
            listener.stop();
        }
    }

    /** The reset and the resume race: whichever the server sees first, the session moves once and loses nothing. */
    @Test
    void aResumeRacingTheDetectionOfTheDropLosesNothing() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("resume-race", made, Map.of());
        try (FaultProxy proxy = FaultProxy.start(listener.port());
                ResumingClient client = ResumingClient.open(proxy.port())) {
            Player player = made.peek();
            for (int round = 1; round <= 30; round++) {
                client.send(ECHO, number(round));
                assertThat(numberIn(client.read())).isEqualTo(round);
                proxy.connections().get(round - 1).reset();
                ResumingClient.Outcome outcome = client.resume(proxy.port()); // at once: no wait for the detach
                assertThat(outcome.resumed()).as("round %d", round).isTrue();
                assertThat(outcome.serverReceived()).isEqualTo(round);
                proxy.awaitConnections(round + 1, WAIT);
            }
            client.send(ECHO, number(99));
            assertThat(numberIn(client.read())).isEqualTo(99);
            List<Integer> expected = new java.util.ArrayList<>();
            for (int i = 1; i <= 30; i++) {
                expected.add(i);
            }
            expected.add(99);
            assertThat(player.bodies).containsExactlyElementsOf(expected);
            assertThat(player.events.stream().filter("resumed"::equals).count()).isEqualTo(30);
            assertThat(player.closeReason()).isNull();
        } finally {
            listener.stop();
        }
    }

    /** PROTOCOL.md: S_Ack at least once a second while numbered frames arrive, and after every 256 of them. */
    @Test
    void theServerAcknowledgesWithinASecondAndAfterEvery256Frames() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("resume-s-ack", made, Map.of());
        try (ResumingClient client = ResumingClient.open(listener.port())) {
            FrameClient raw = client.connection();
            for (int i = 1; i <= 3; i++) {
                client.send(ECHO, number(i));
            }
            long start = System.nanoTime();
            long acked = -1;
            while (acked != 3) {
                FrameClient.Frame frame = raw.readFrame(); // read raw: the S_Ack is the test's to see
                if (frame.packetId() == SessionLayer.S_ACK) {
                    acked = ByteBuffer.wrap(frame.body()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
                }
            }
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1_600);
            byte[] many = new byte[256 * 8];
            for (int i = 0; i < 256; i++) {
                System.arraycopy(Frames.encode(ECHO, number(100 + i)), 0, many, i * 8, 8);
            }
            raw.write(many); // 256 more in one write: acknowledged at once, not after a second
            start = System.nanoTime();
            while (acked != 259) {
                FrameClient.Frame frame = raw.readFrame();
                if (frame.packetId() == SessionLayer.S_ACK) {
                    acked = ByteBuffer.wrap(frame.body()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
                }
            }
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(500);
        } finally {
            listener.stop();
        }
    }

    @Test
    void aForgedTokenOrACountOutsideWhatTheServerHoldsFailsAndTheConnectionGoesOnAsANewSession() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("resume-refused", made, Map.of());
        try (ResumingClient client = ResumingClient.open(listener.port())) {
            client.send(ECHO, number(1));
            assertThat(numberIn(client.read())).isEqualTo(1);
            // claims two frames where the server sent one: a gap
            ResumingClient.Outcome gap = client.resume(listener.port(), 2);
            assertThat(gap.resumed()).isFalse();
            assertThat(gap.failure()).isEqualTo(KickReason.RESUME_GAP);
            // the failed connection is a new session: it echoes as one
            client.connection().sendFrame(ECHO, number(5));
            assertThat(numberIn(client.connection().readFrame())).isEqualTo(5);
            assertThat(made).hasSize(2);
            assertThat(made.peek().isConnected()).isTrue(); // the session asked for is untouched
        } finally {
            listener.stop();
        }
        Listener other = listener("resume-forged", made, Map.of());
        try (FrameClient forged = FrameClient.connect(other.port())) {
            forged.readFrame();
            forged.write(SessionLayer.resume(new byte[16], 0));
            FrameClient.Frame failed = forged.readFrame();
            assertThat(failed.packetId()).isEqualTo(SessionLayer.S_RESUME_FAILED);
            assertThat(SessionLayer.reasonOf(ByteBuffer.wrap(failed.body()))).isEqualTo(KickReason.RESUME_UNKNOWN);
            forged.sendFrame(ECHO, number(6));
            assertThat(numberIn(forged.readFrame())).isEqualTo(6);
            forged.write(SessionLayer.resume(new byte[16], 0)); // not as the first frame
            FrameClient.Frame kick = forged.readFrame();
            assertThat(kick.packetId()).isEqualTo(SessionLayer.S_KICK);
            assertThat(SessionLayer.reasonOf(ByteBuffer.wrap(kick.body()))).isEqualTo(KickReason.PROTOCOL_ERROR);
        } finally {
            other.stop();
        }
    }

    @Test
    void aDetachedSessionEndsWhenItsWindowPassesAndItsTokenIsUselessAfter() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("resume-window", made, Map.of("session.resume.window", "300ms"));
        try (FaultProxy proxy = FaultProxy.start(listener.port());
                ResumingClient client = ResumingClient.open(proxy.port())) {
            assertThat(client.windowMs()).isEqualTo(300);
            Player player = made.peek();
            proxy.awaitConnections(1, WAIT).get(0).reset();
            Await.until("detached", WAIT, player::isDetached);
            Await.until("ended", WAIT, () -> player.closeReason() != null);
            assertThat(player.closeReason()).isEqualTo(CloseReason.RESUME_EXPIRED);
            assertThat(player.events).containsExactly("connected", "detached", "disconnected resume_expired");
            ResumingClient.Outcome late = client.resume(listener.port());
            assertThat(late.resumed()).isFalse();
            assertThat(late.failure()).isEqualTo(KickReason.RESUME_UNKNOWN);
        } finally {
            listener.stop();
        }
    }

    /** HELP.md, "Threads": while detached, kick() ends the session at once (onDisconnected with its reason). */
    @Test
    void aKickWhileDetachedEndsTheSessionAtOnceAndItsTokenWithIt() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("resume-kick-detached", made, Map.of());
        try (FaultProxy proxy = FaultProxy.start(listener.port());
                ResumingClient client = ResumingClient.open(proxy.port())) {
            Player player = made.peek();
            proxy.awaitConnections(1, WAIT).get(0).reset();
            Await.until("detached", WAIT, player::isDetached);
            player.kick("gone for good");
            Await.until("ended", WAIT, () -> player.closeReason() != null);
            assertThat(player.closeReason()).isEqualTo(CloseReason.KICKED);
            assertThat(player.events).containsExactly("connected", "detached", "disconnected kicked");
            assertThat(player.send(Frames.encode(PUSH, number(1)))).isFalse();
            assertThat(client.resume(listener.port()).failure()).isEqualTo(KickReason.RESUME_UNKNOWN);
            assertThat(Meters.gauge(meters, "servercore.sessions.detached", "endpoint", "resume-kick-detached")).isZero();
        } finally {
            listener.stop();
        }
    }

    @Test
    void aClientThatNeverAcknowledgesIsASlowConsumer() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("resume-no-acks", made, Map.of("session.send-queue-limit", "64KB"));
        try (ResumingClient client = ResumingClient.open(listener.port())) {
            Player player = made.peek();
            byte[] chunk = Frames.encode(PUSH, new byte[1000]);
            int sent = 0;
            // the client reads everything and never acknowledges: what it read still counts against the limit
            while (player.send(chunk)) {
                client.read();
                sent++;
                assertThat(sent).isLessThan(200);
            }
            assertThat(sent).isBetween(50, 70);
            Await.until("ended", WAIT, () -> player.closeReason() != null);
            assertThat(player.closeReason()).isEqualTo(CloseReason.SLOW_CONSUMER);
            assertThat(player.events).doesNotContain("detached");
        } finally {
            listener.stop();
        }
    }

    @Test
    void acknowledgedFramesAreForgottenSoAnAckingClientIsNotASlowConsumer() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("resume-acks", made, Map.of("session.send-queue-limit", "64KB"));
        try (ResumingClient client = ResumingClient.open(listener.port())) {
            Player player = made.peek();
            byte[] chunk = Frames.encode(PUSH, new byte[1000]);
            for (int i = 0; i < 500; i++) {
                assertThat(player.send(chunk)).isTrue();
                client.read();
                if (i % 20 == 19) {
                    client.ack();
                    Await.until("forgotten", WAIT, () -> player.queuedBytes() < 8_000);
                }
            }
            client.send(ECHO, number(1));
            assertThat(numberIn(client.read())).isEqualTo(1);
            assertThat(player.isConnected()).isTrue();
        } finally {
            listener.stop();
        }
    }

    @Test
    void aDropDuringAKickEndsTheSessionAsTheKickSaid() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("resume-kick", made, Map.of());
        try (FaultProxy proxy = FaultProxy.start(listener.port());
                ResumingClient client = ResumingClient.open(proxy.port())) {
            Player player = made.peek();
            FaultProxy.Connection link = proxy.awaitConnections(1, WAIT).get(0);
            link.stallDownstream(); // the kick's frame cannot reach the client: the drain waits
            client.send(KICK_ME, new byte[0]);
            Thread.sleep(100);
            link.reset();
            Await.until("ended", WAIT, () -> player.closeReason() != null);
            assertThat(player.closeReason()).isEqualTo(CloseReason.KICKED);
            assertThat(player.events).containsExactly("connected", "disconnected kicked");
            assertThat(client.resume(listener.port()).failure()).isEqualTo(KickReason.RESUME_UNKNOWN);
        } finally {
            listener.stop();
        }
    }

    @Test
    void aDropDuringAWriteThatWouldBlockLosesNothing() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("resume-blocked", made, Map.of("session.send-queue-limit", "16MB"));
        try (FaultProxy proxy = FaultProxy.start(listener.port());
                ResumingClient client = ResumingClient.open(proxy.port())) {
            Player player = made.peek();
            FaultProxy.Connection link = proxy.awaitConnections(1, WAIT).get(0);
            link.stallDownstream();
            int frames = 4_000; // 4 MB: more than the socket buffers on both sides of the proxy take
            for (int i = 1; i <= frames; i++) {
                byte[] body = new byte[1000];
                ByteBuffer.wrap(body).putInt(i);
                assertThat(player.send(Frames.encode(PUSH, body))).isTrue();
            }
            Await.until("the server's write waits", WAIT, () -> player.queuedBytes() > 1_000_000);
            link.resetAfterDownstreamBytes(100_000 + 17);
            link.resume();
            int read = 0;
            try {
                while (true) {
                    assertThat(numberIn(client.read())).isEqualTo(++read);
                }
            } catch (java.io.IOException reset) {
                // the cut
            }
            Await.until("detached", WAIT, player::isDetached);
            assertThat(client.resume(listener.port()).resumed()).isTrue();
            for (int i = read + 1; i <= frames; i++) {
                assertThat(numberIn(client.read())).isEqualTo(i);
                if (i % 256 == 0) {
                    client.ack();
                }
            }
            client.send(ECHO, number(-1));
            assertThat(numberIn(client.read())).isEqualTo(-1);
        } finally {
            listener.stop();
        }
    }

    @Test
    void aResumedSessionKeepsItsPrincipal() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = Endpoints.listener(context, "resume-login", ServerCoreProperties.defaults(), () -> {
            Player player = new Player();
            made.add(player);
            return player;
        }, l -> l.setLogin(new LoginSettings(true, Duration.ofSeconds(5), LoginTest.BY_NAME, null)));
        try (FrameClient first = FrameClient.connect(listener.port())) {
            first.readFrame();
            first.write(LoginTest.login("user:fay"));
            assertThat(first.readFrame().packetId()).isEqualTo(SessionLayer.S_LOGIN_OK);
            ResumingClient client = ResumingClient.over(first);
            client.send(ECHO, number(1));
            assertThat(numberIn(client.read())).isEqualTo(1);
            first.socket().setSoLinger(true, 0);
            first.close(); // a reset
            Player player = made.peek();
            Await.until("detached", WAIT, player::isDetached);
            assertThat(client.resume(listener.port()).resumed()).isTrue(); // no C_Login on the new connection
            assertThat(player.principal()).isEqualTo("fay");
            client.send(ECHO, number(2));
            assertThat(numberIn(client.read())).isEqualTo(2);
            client.close();
        } finally {
            listener.stop();
        }
    }

    @Test
    void aThousandResumableSessionsDroppedAtOnceAllResumeWithNothingLost() throws Exception {
        int sessions = 1_000;
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("resume-thousand", made, Map.of());
        List<ResumingClient> clients = new java.util.ArrayList<>();
        try (FaultProxy proxy = FaultProxy.start(listener.port())) {
            for (int i = 0; i < sessions; i++) {
                ResumingClient client = ResumingClient.open(proxy.port());
                clients.add(client);
                client.send(ECHO, number(i));
                assertThat(numberIn(client.read())).isEqualTo(i);
            }
            proxy.awaitConnections(sessions, WAIT);
            proxy.resetAll();
            Await.until("all detached", WAIT, () -> made.stream().filter(Player::isDetached).count() == sessions);
            assertThat(Meters.gauge(meters, "servercore.sessions.detached", "endpoint", "resume-thousand"))
                    .isEqualTo(sessions);
            assertThat(listener.sessions().broadcast(Frames.encode(PUSH, number(-7)))).isEqualTo(sessions);
            for (int i = 0; i < sessions; i++) {
                ResumingClient client = clients.get(i);
                ResumingClient.Outcome outcome = client.resume(listener.port());
                assertThat(outcome.resumed()).as("session %d", i).isTrue();
                assertThat(numberIn(client.read())).isEqualTo(-7);
                client.send(ECHO, number(i + sessions));
                assertThat(numberIn(client.read())).isEqualTo(i + sessions);
            }
            assertThat(Meters.gauge(meters, "servercore.sessions.detached", "endpoint", "resume-thousand")).isZero();
            assertThat(made.stream().limit(1).findFirst().orElseThrow().events)
                    .containsExactly("connected", "detached", "resumed");
        } finally {
            for (ResumingClient client : clients) {
                client.close();
            }
            listener.stop();
        }
    }
}
