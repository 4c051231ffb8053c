package dev.servercore.core;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.EchoSession;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.LoopbackServerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found in the review of issue 15 (the test failed before the fix): {@code SessionConnection.kick}: "Nothing if an end was asked for already" is a check-then-act.
 * {@code kick} reads {@code close.get() == null}, builds the frame, queues it ahead ({@code queueAhead}) and only then
 * claims the close ({@code requestClose}, a CAS). Two kicks from two threads (a duplicate login from another loop, a
 * room worker refusing a join, a game thread, the shutdown's kick on the loop) both pass the check and both queue an
 * {@code S_Kick}: the client gets two kicks with different reasons, and the reason the server counts
 * ({@code servercore.sessions.closed}) may be the first while the last frame the client reads says the other. The same
 * window lets a {@code send()} that checked {@code close} before the CAS put a game frame behind the S_Kick, which
 * PROTOCOL.md and HELP.md say is the last frame.
 */
@LoopbackServerTest
class KickRaceTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    ApplicationContext context;

    private static Session sessionOf(Listener listener, FrameClient client) throws Exception {
        Session[] found = new Session[1];
        Await.until("its session", WAIT, () -> {
            for (Session s : listener.sessions().all()) {
                if (s.remoteAddress() != null && s.remoteAddress().getPort() == client.localPort()) {
                    found[0] = s;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /** Every frame until the server closes: ids, and the reason of each S_Kick. */
    private static List<String> readUntilClosed(FrameClient client) throws IOException {
        List<String> frames = new ArrayList<>();
        client.socket().setSoTimeout(5_000);
        try {
            while (true) {
                FrameClient.Frame f = client.readFrame();
                if (f.packetId() == SessionLayer.S_KICK) {
                    int code = ByteBuffer.wrap(f.body()).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF;
                    frames.add("S_Kick(" + KickReason.ofCode(code).tag() + ")");
                } else {
                    frames.add(Integer.toString(f.packetId()));
                }
            }
        } catch (java.io.EOFException | SocketException closed) {
            return frames;
        } catch (SocketTimeoutException stuck) {
            frames.add("<not closed within 5 s>");
            return frames;
        }
    }

    @Test
    void twoKicksAtOnceSendTwoKickFrames() throws Exception {
        Listener listener = Endpoints.listener(context, "review-kick2", ServerCoreProperties.defaults(),
                EchoSession::new);
        List<String> bad = new ArrayList<>();
        int trials = 60;
        try {
            for (int i = 0; i < trials; i++) {
                try (FrameClient client = FrameClient.connect(listener.port())) {
                    client.readFrame();
                    Session session = sessionOf(listener, client);
                    CyclicBarrier together = new CyclicBarrier(2);
                    Thread a = new Thread(() -> {
                        await(together);
                        session.kick(KickReason.DUPLICATE_LOGIN, "logged in elsewhere");
                    });
                    Thread b = new Thread(() -> {
                        await(together);
                        session.kick(KickReason.RATE_LIMITED, "join refused");
                    });
                    a.start();
                    b.start();
                    a.join();
                    b.join();
                    List<String> frames = readUntilClosed(client);
                    Await.until("ended", WAIT, () -> session.closeReason() != null);
                    long kicks = frames.stream().filter(f -> f.startsWith("S_Kick")).count();
                    String last = frames.isEmpty() ? "" : frames.get(frames.size() - 1);
                    if (kicks != 1 || !last.equals("S_Kick(" + session.closeReason().tag() + ")")) {
                        bad.add("trial " + i + ": read " + frames + ", counted as " + session.closeReason().tag());
                    }
                }
            }
        } finally {
            listener.stop();
        }
        assertThat(bad).as("of %s sessions kicked by two threads at once, those whose client did not get exactly one "
                + "S_Kick, the last frame, of the counted reason", trials).isEmpty();
    }

    @Test
    void aSendRacingAKickFromAnotherThreadCanFollowTheKickFrame() throws Exception {
        Listener listener = Endpoints.listener(context, "review-kick-send", ServerCoreProperties.defaults(),
                EchoSession::new);
        List<String> bad = new ArrayList<>();
        int trials = 100;
        byte[] game = Frames.encode(9, new byte[4000]); // large: the queue fills after a few hundred frames
        try {
            for (int i = 0; i < trials; i++) {
                try (FrameClient client = FrameClient.connect(listener.port())) {
                    client.readFrame();
                    Session session = sessionOf(listener, client);
                    AtomicBoolean started = new AtomicBoolean();
                    Thread sender = new Thread(() -> { // a room worker broadcasting to the session
                        while (session.send(game)) {
                            started.set(true);
                        }
                    });
                    sender.start();
                    while (!started.get()) {
                        Thread.onSpinWait();
                    }
                    session.kick(KickReason.KICKED, "bye");
                    sender.join();
                    List<String> frames = readUntilClosed(client);
                    Await.until("ended", WAIT, () -> session.closeReason() != null);
                    int kickAt = frames.indexOf("S_Kick(kicked)");
                    if (session.closeReason() == CloseReason.KICKED && kickAt != frames.size() - 1) {
                        bad.add("trial " + i + ": " + frames.size() + " frames, S_Kick at index " + kickAt + ", then "
                                + (frames.size() - 1 - kickAt) + " game frames after it");
                    }
                }
            }
        } finally {
            listener.stop();
        }
        assertThat(bad).as("of %s kicks raced by a sender on another thread, those where S_Kick was not the last frame",
                trials).isEmpty();
    }

    /** Kicks itself from its callback when packet 8 arrives (as the engine's own kicks come from the loop). */
    static class SelfKicking extends EchoSession {
        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
            if (packetId == 8) {
                kick("from the loop");
            }
        }
    }

    @Test
    void aSendFromAnotherThreadCanFollowAKickMadeOnTheLoop() throws Exception {
        Listener listener = Endpoints.listener(context, "review-kick-loop", ServerCoreProperties.defaults(),
                SelfKicking::new);
        List<String> bad = new ArrayList<>();
        int trials = 40;
        int kicked = 0;
        byte[] game = Frames.encode(9, new byte[] {9});
        try {
            for (int i = 0; i < trials; i++) {
                try (FrameClient client = FrameClient.connect(listener.port())) {
                    client.readFrame();
                    Session session = sessionOf(listener, client);
                    java.util.concurrent.CompletableFuture<List<String>> read = new java.util.concurrent.CompletableFuture<>();
                    Thread reader = new Thread(() -> { // reads all along: the session never becomes a slow consumer
                        try {
                            read.complete(readUntilClosed(client));
                        } catch (IOException e) {
                            read.completeExceptionally(e);
                        }
                    });
                    reader.start();
                    AtomicBoolean started = new AtomicBoolean();
                    Thread sender = new Thread(() -> { // a room worker broadcasting to the session
                        while (session.send(game)) {
                            started.set(true);
                        }
                    });
                    sender.start();
                    while (!started.get()) {
                        Thread.onSpinWait();
                    }
                    client.sendFrame(8, new byte[0]); // the session kicks itself, on its loop
                    sender.join();
                    List<String> frames = read.get(10, java.util.concurrent.TimeUnit.SECONDS);
                    Await.until("ended", WAIT, () -> session.closeReason() != null);
                    if (session.closeReason() != CloseReason.KICKED) {
                        continue; // ended otherwise (not this race)
                    }
                    kicked++;
                    int kickAt = frames.indexOf("S_Kick(kicked)");
                    if (kickAt != frames.size() - 1) {
                        bad.add("trial " + i + ": " + frames.size() + " frames, S_Kick at index " + kickAt + ", then "
                                + (frames.size() - 1 - kickAt) + " game frames after it");
                    }
                }
            }
        } finally {
            listener.stop();
        }
        assertThat(kicked).as("sessions that ended kicked").isPositive();
        assertThat(bad).as("of %s sessions kicked on their loop while another thread sends, those where S_Kick was not "
                + "the last frame", kicked).isEmpty();
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
