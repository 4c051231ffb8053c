package dev.servercore.core;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.servercore.core.ResumeTest.Player;
import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.Endpoints;
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
 * A review of PROTOCOL.md v3's Resume (c4131c1, c510576): each test is a defect found, over real sockets on
 * loopback, and fails against the code it was written for.
 */
@LoopbackServerTest
class ResumeReviewTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    static final int ECHO = ResumeTest.ECHO;
    static final int PUSH = ResumeTest.PUSH;

    @Autowired
    ApplicationContext context;
    @Autowired
    MeterRegistry meters;

    private Listener listener(String name, Queue<Player> made, Map<String, Object> settings) {
        return ResumeTest.listener(context, name, made, settings);
    }

    static byte[] number(int n) {
        return ResumeTest.number(n);
    }

    static int numberIn(FrameClient.Frame frame) {
        return ResumeTest.numberIn(frame);
    }

    static void reset(FrameClient client) throws IOException {
        client.socket().setSoLinger(true, 0);
        client.close();
    }

    // ------------------------------------------------------------------------------------------------ findings

    /**
     * An honest client acks what it has read (PROTOCOL.md: after every 256 frames). When the server sent those frames
     * inside one array that the socket has only partly taken (a big batch to a client whose socket is full), the
     * server counts none of that array as written and kicks the client: "C_Ack counts frames the server never sent".
     */
    @Test
    void anAckOfFramesOfAnArrayTheSocketHasOnlyPartlyTakenIsNotAProtocolError() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("review-ack-partial", made, Map.of("session.send-queue-limit", "64MB"));
        try (ResumingClient client = ResumingClient.open(listener.port())) {
            Player player = made.peek();
            int frames = 16_000; // 16 MB in one array: more than loopback's socket buffers take at once
            byte[] batch = new byte[frames * 1000];
            for (int i = 0; i < frames; i++) {
                byte[] body = new byte[996];
                ByteBuffer.wrap(body).putInt(i + 1);
                System.arraycopy(Frames.encode(PUSH, body), 0, batch, i * 1000, 1000);
            }
            assertThat(player.send(batch)).isTrue();
            Thread.sleep(300); // the server writes until the socket is full, then waits
            for (int i = 1; i <= frames; i++) {
                FrameClient.Frame frame;
                try {
                    frame = client.read();
                } catch (IOException e) {
                    Await.until("ended", WAIT, () -> player.closeReason() != null);
                    throw new AssertionError("the connection ended at frame " + i + " of " + frames + " (" + e
                            + "): the server closed the session, " + player.closeReason(), e);
                }
                assertThat(frame.packetId()).as("frame %d (0x%s)", i, Integer.toHexString(frame.packetId()))
                        .isEqualTo(PUSH);
                assertThat(numberIn(frame)).isEqualTo(i);
                if (i % 256 == 0) {
                    client.ack(); // what PROTOCOL.md asks of a client
                }
            }
            client.ack();
            client.send(ECHO, number(-1));
            FrameClient.Frame echo = client.read();
            assertThat(echo.packetId()).as("the echo, not %s", echo.packetId() == SessionLayer.S_KICK
                    ? "S_Kick: " + new String(echo.body(), 2, echo.body().length - 2, StandardCharsets.UTF_8)
                    : "0x" + Integer.toHexString(echo.packetId())).isEqualTo(ECHO);
            assertThat(numberIn(echo)).isEqualTo(-1);
            assertThat(player.closeReason()).isNull();
        } finally {
            listener.stop();
        }
    }

    /**
     * max-detached-bytes is the gateway's bound on what detached sessions hold together. A send to a detached session
     * made on its loop (another session's callback on the same loop, a broadcast from a handler, onDetached itself)
     * is kept but never counted: the bound (and the detached-bytes gauge) only sees what goes through another thread.
     */
    @Test
    void sendsToADetachedSessionFromItsOwnLoopCountAgainstMaxDetachedBytes() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("review-detached-bytes", made, Map.of("session.resume.max-detached-bytes", "8KB"));
        try {
            ResumingClient client = ResumingClient.open(listener.port());
            Player player = made.peek();
            reset(client.connection());
            Await.until("detached", WAIT, player::isDetached);
            CompletableFuture<Integer> kept = new CompletableFuture<>();
            player.connection().loop().execute(() -> {
                int n = 0;
                for (int i = 0; i < 40; i++) { // 40 KB, five times the bound
                    if (player.send(Frames.encode(PUSH, new byte[996]))) {
                        n++;
                    }
                }
                kept.complete(n);
            });
            assertThat(kept.get(5, java.util.concurrent.TimeUnit.SECONDS)).isPositive();
            Thread.sleep(200);
            double gauge = Meters.gauge(meters, "servercore.sessions.detached.bytes", "endpoint", "review-detached-bytes");
            Await.until("the session over the gateway's bound ends (gauge says " + gauge + " bytes)",
                    Duration.ofSeconds(5), () -> player.closeReason() != null);
            assertThat(player.closeReason()).isEqualTo(CloseReason.SLOW_CONSUMER);
        } finally {
            listener.stop();
        }
    }

    /**
     * per-address.max-sessions counts sessions of one address ("sessions, and connections still opening"), but a
     * detached session gives its address' place back at once: one address cycles connect, C_ResumeEnable, reset and
     * holds as many sessions as it likes (256 + 32/s x 30 s by default, so a handful of addresses fill max-detached and
     * every other player's drop then ends their session), and each still holds one of the listener's max-sessions.
     */
    @Test
    void detachedSessionsStillCountAgainstTheirAddressesCap() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("review-per-address", made, Map.of("listener.per-address.max-sessions", 2,
                "listener.per-address.connect-rate", 0));
        try {
            int welcomed = 0;
            for (int i = 0; i < 6; i++) {
                FrameClient attacker = FrameClient.connectFrom("127.0.0.2", listener.port());
                try {
                    attacker.readFrame(); // the welcome: admitted
                } catch (IOException refused) {
                    attacker.close();
                    continue;
                }
                welcomed++;
                ResumingClient.over(attacker);
                int before = welcomed;
                reset(attacker);
                Await.until("detached", WAIT, () -> made.stream().filter(Player::isDetached).count() == before);
            }
            long detached = made.stream().filter(Player::isDetached).count();
            assertThat(detached).as("detached sessions of one address with a cap of 2").isLessThanOrEqualTo(2);
            assertThat(welcomed).isLessThanOrEqualTo(2);
        } finally {
            listener.stop();
        }
    }

    /**
     * Optional login (an authenticator, login not required): C_ResumeEnable, then C_Login with a game frame in the
     * same read; the frame waits for the verdict. The connection drops; the client resumes (S_Resumed says 0 of its
     * frames arrived) and sends the frame again, as PROTOCOL.md says. Then the verdict comes: the old connection's
     * session layer (still "accepting": a detached or handed-off connection is never told it is not) runs onLogin and
     * delivers the frame that waited, a second time.
     */
    @Test
    void aLoginVerdictAfterTheResumeDoesNotDeliverAClientFrameTwice() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        CompletableFuture<String> verdict = new CompletableFuture<>();
        CompletableFuture<Void> asked = new CompletableFuture<>();
        Authenticator slow = credential -> {
            asked.complete(null);
            return verdict;
        };
        Listener listener = Endpoints.listener(context, "review-late-verdict", ServerCoreProperties.defaults(), () -> {
            Player player = new Player();
            made.add(player);
            return player;
        }, l -> l.setLogin(new LoginSettings(false, Duration.ofSeconds(10), slow, null)));
        try (FrameClient first = FrameClient.connect(listener.port())) {
            first.readFrame();
            byte[] token = enable(first);
            Player player = made.peek();
            first.write(concat(LoginTest.login("user:fay"), Frames.encode(ECHO, number(1)))); // one read
            asked.get(5, java.util.concurrent.TimeUnit.SECONDS);
            reset(first); // the server does not notice (it reads nothing during a login): the resume closes it

            FrameClient next = FrameClient.connect(listener.port());
            long serverHas = resume(next, token, 0);
            assertThat(serverHas).isZero();
            next.write(Frames.encode(ECHO, number(1))); // the client's frame 1, again: the server has none
            assertThat(numberIn(next.readFrame())).isEqualTo(1);
            verdict.complete("fay"); // the verdict on the first connection's login, late
            Thread.sleep(500);
            next.write(Frames.encode(ECHO, number(2)));
            FrameClient.Frame echo = next.readFrame();
            assertThat(numberIn(echo)).as("the next echo (not a second echo of frame 1)").isEqualTo(2);
            assertThat(player.bodies).as("each client frame once").containsExactly(1, 2);
            next.close();
        } finally {
            listener.stop();
        }
    }

    /**
     * As above, the verdict while the session is detached (the idle timeout noticed the drop): no onRecvPacket comes
     * while detached (HELP.md), and no onLogin either.
     */
    @Test
    void aLoginVerdictWhileDetachedDeliversNothingToTheDetachedSession() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        CompletableFuture<String> verdict = new CompletableFuture<>();
        CompletableFuture<Void> asked = new CompletableFuture<>();
        Authenticator slow = credential -> {
            asked.complete(null);
            return verdict;
        };
        Listener listener = Endpoints.listener(context, "review-verdict-detached",
                ServerCoreProperties.of(Map.of("listener.idle-timeout", "500ms")),
                () -> {
                    Player player = new Player();
                    made.add(player);
                    return player;
                }, l -> l.setLogin(new LoginSettings(false, Duration.ofSeconds(10), slow, null)));
        try (FrameClient first = FrameClient.connect(listener.port())) {
            first.readFrame();
            enable(first);
            Player player = made.peek();
            first.write(concat(LoginTest.login("user:fay"), Frames.encode(ECHO, number(1))));
            asked.get(5, java.util.concurrent.TimeUnit.SECONDS);
            reset(first); // unnoticed while the login holds reading: the idle timeout detaches the session
            Await.until("detached", WAIT, player::isDetached);
            verdict.complete("fay");
            Thread.sleep(500);
            assertThat(player.whileDetached).as("onRecvPacket while detached").isEmpty();
            assertThat(player.events).as("callbacks while detached").containsExactly("connected", "detached");
        } finally {
            listener.stop();
        }
    }

    /**
     * abortWithReset() is the server's choice (game code, or the chaos of a test), like abort(): PROTOCOL.md says a close
     * the server chose ends the session. On a resumable session it detaches it instead (it is counted as ERROR, a
     * drop), so the session the server meant to end lingers for the window and its client may resume it.
     */
    @Test
    void abortWithResetOfAResumableSessionEndsIt() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("review-reset", made, Map.of());
        try (ResumingClient client = ResumingClient.open(listener.port())) {
            Player player = made.peek();
            client.send(ECHO, number(1));
            assertThat(numberIn(client.read())).isEqualTo(1);
            player.abortWithReset();
            Await.until("ended", Duration.ofSeconds(5), () -> player.closeReason() != null);
            assertThat(player.events).doesNotContain("detached");
        } finally {
            listener.stop();
        }
    }

    /**
     * HELP.md: while detached, send() from any thread is kept (it says true). Between the drop's close request and the
     * detach (the socket's close, Spring Integration's close event), the connection's close is set, so a send from
     * another thread is refused: send() says false, the frame is never numbered nor kept, and the session then
     * resumes without it. Game code was told the session was gone; the client never learns a frame is missing.
     */
    @Test
    void aSendFromAnotherThreadDuringTheDetachIsKeptNotRefused() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("review-send-detach", made, Map.of("session.send-queue-limit", "32MB"));
        try {
            for (int round = 1; round <= 40; round++) {
                ResumingClient client = ResumingClient.open(listener.port());
                Player player = made.stream().skip(round - 1).findFirst().orElseThrow();
                java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
                java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
                byte[] frame = Frames.encode(PUSH, number(round));
                Thread sender = new Thread(() -> {
                    while (!stop.get() && player.closeReason() == null) {
                        if (player.send(frame)) {
                            sent.incrementAndGet();
                        } else {
                            refused.incrementAndGet();
                        }
                        for (int spin = 0; spin < 50; spin++) {
                            Thread.onSpinWait();
                        }
                    }
                });
                sender.start();
                Thread.sleep(10);
                reset(client.connection());
                Await.until("detached", WAIT, player::isDetached);
                Thread.sleep(5);
                stop.set(true);
                sender.join(5_000);
                assertThat(player.closeReason()).as("round %d", round).isNull();
                assertThat(refused.get()).as("round %d: sends refused of %d, though the session never ended",
                        round, sent.get() + refused.get()).isZero();
                player.abort();
            }
        } finally {
            listener.stop();
        }
    }


    /**
     * A game frame that arrives after C_Resume and before the client could see S_Resumed (a client that pipelines its
     * next frame) is delivered to the resumed session after S_Resumed's count was taken: it gets the number of the
     * client's first missing frame. The client then sends its frames after that count, as PROTOCOL.md says, and the
     * session gets them out of order and one of them twice. Such a frame should be refused (or held until the count is
     * settled), not numbered into the gap.
     */
    @Test
    void aGameFrameBetweenCResumeAndSResumedIsNotNumberedIntoTheGap() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("review-pipelined", made, Map.of());
        try (ResumingClient client = ResumingClient.open(listener.port())) {
            Player player = made.peek();
            client.send(ECHO, number(1));
            assertThat(numberIn(client.read())).isEqualTo(1);
            client.send(ECHO, number(2));
            assertThat(numberIn(client.read())).isEqualTo(2);
            Thread.sleep(50);
            client.sendPartly(ECHO, number(3), 5); // torn: the server has 2 of the client's frames
            Thread.sleep(50);
            reset(client.connection());
            Await.until("detached", WAIT, player::isDetached);

            try (FrameClient next = FrameClient.connect(listener.port())) {
                next.readFrame();
                next.write(concat(SessionLayer.resume(client.token(), 2), Frames.encode(ECHO, number(4))));
                long serverHas = resume(next, null, 0);
                assertThat(serverHas).isEqualTo(2);
                next.write(Frames.encode(ECHO, number(3))); // the client's frames after the server's count
                next.write(Frames.encode(ECHO, number(4)));
                next.write(Frames.encode(ECHO, number(5)));
                List<Integer> echoes = new ArrayList<>();
                while (echoes.isEmpty() || echoes.get(echoes.size() - 1) != 5) {
                    FrameClient.Frame frame = next.readFrame();
                    if (frame.packetId() == ECHO) {
                        echoes.add(numberIn(frame));
                    }
                }
                assertThat(player.bodies).as("what the session got, in order").containsExactly(1, 2, 3, 4, 5);
            }
        } finally {
            listener.stop();
        }
    }

    /**
     * A resume that arrives before the server noticed the old connection died (the half-open case) needs no place among
     * the detached: the session moves at once. But the old connection is closed as a drop, which must first be
     * admitted as detached; with max-detached reached (by anyone: see the per-address finding) the session is ended
     * instead and the resume refused: a client that resumes its live session loses it.
     */
    @Test
    void aHalfOpenResumeMovesTheSessionEvenWhenMaxDetachedIsReached() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("review-half-open-full", made, Map.of("session.resume.max-detached", 1));
        try (ResumingClient filler = ResumingClient.open(listener.port());
                ResumingClient client = ResumingClient.open(listener.port())) {
            Player other = made.peek();
            Player player = made.stream().skip(1).findFirst().orElseThrow();
            reset(filler.connection());
            Await.until("the other session detached", WAIT, other::isDetached);
            client.send(ECHO, number(1));
            assertThat(numberIn(client.read())).isEqualTo(1);
            ResumingClient.Outcome outcome = client.resume(listener.port()); // the old connection still open
            assertThat(outcome.failure()).as("the resume's failure").isNull();
            assertThat(outcome.resumed()).isTrue();
            assertThat(player.closeReason()).isNull();
        } finally {
            listener.stop();
        }
    }

    /**
     * kick() "with PROTOCOL.md's S_Kick as the last frame". A kick of a detached session that a resume is taking over
     * (its claimant set, the new connection on its way to the session's loop) is built without a frame (the session
     * has no connection) and applied on the new connection as a plain graceful close: the client gets S_Resumed, the
     * replay, then an end of stream that looks like a drop, and no reason. It resumes again and learns nothing.
     */
    @Test
    void aKickRacingAResumeStillEndsWithSKick() throws Exception {
        Queue<Player> made = new ConcurrentLinkedQueue<>();
        Listener listener = listener("review-kick-resume", made, Map.of());
        int silent = 0;
        int resumedThenKicked = 0;
        try {
            for (int round = 1; round <= 60 && silent == 0; round++) {
                FrameClient first = FrameClient.connect(listener.port());
                first.readFrame();
                byte[] token = enable(first);
                Player player = made.stream().skip(made.size() - 1).findFirst().orElseThrow();
                reset(first);
                Await.until("detached", WAIT, player::isDetached);
                try (FrameClient next = FrameClient.connect(listener.port())) {
                    next.readFrame();
                    next.write(SessionLayer.resume(token, 0));
                    long until = System.nanoTime() + (round % 20) * 50_000L;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    player.kick(KickReason.KICKED, "by game code");
                    boolean resumed = false;
                    boolean kicked = false;
                    try {
                        while (true) {
                            FrameClient.Frame frame = next.readFrame();
                            if (frame.packetId() == SessionLayer.S_RESUMED) {
                                resumed = true;
                            } else if (frame.packetId() == SessionLayer.S_KICK) {
                                kicked = true;
                            } else if (frame.packetId() == SessionLayer.S_RESUME_FAILED) {
                                break; // the kick came first: nothing to resume
                            }
                        }
                    } catch (IOException endOfStream) {
                        // the close
                    }
                    if (resumed && !kicked) {
                        silent++;
                    } else if (resumed) {
                        resumedThenKicked++;
                    }
                }
                Await.until("ended", WAIT, () -> player.closeReason() != null);
            }
            assertThat(silent).as("resumed sessions closed without S_Kick (%d with it)", resumedThenKicked).isZero();
        } finally {
            listener.stop();
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** C_ResumeEnable on a welcomed connection; the token. */
    private static byte[] enable(FrameClient connection) throws IOException {
        connection.sendFrame(SessionLayer.C_RESUME_ENABLE, new byte[0]);
        while (true) {
            FrameClient.Frame frame = connection.readFrame();
            if (frame.packetId() == SessionLayer.S_RESUME_TOKEN) {
                return java.util.Arrays.copyOf(frame.body(), 16);
            }
        }
    }

    /** C_Resume on a new connection; S_Resumed's count of the client's frames (or an AssertionError). */
    private static long resume(FrameClient next, byte[] token, long received) throws IOException {
        if (token != null) { // else C_Resume is written already
            next.readFrame(); // the fresh session's welcome
            next.write(SessionLayer.resume(token, received));
        }
        while (true) {
            FrameClient.Frame frame = next.readFrame();
            ByteBuffer body = ByteBuffer.wrap(frame.body()).order(ByteOrder.LITTLE_ENDIAN);
            if (frame.packetId() == SessionLayer.S_RESUME_FAILED) {
                throw new AssertionError("resume failed: " + KickReason.ofCode(body.getShort() & 0xFFFF));
            }
            if (frame.packetId() == SessionLayer.S_RESUMED) {
                body.getInt();
                return body.getLong();
            }
        }
    }

    private static byte[] concat(byte[]... arrays) {
        int length = 0;
        for (byte[] a : arrays) {
            length += a.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] a : arrays) {
            System.arraycopy(a, 0, all, at, a.length);
            at += a.length;
        }
        return all;
    }
}
