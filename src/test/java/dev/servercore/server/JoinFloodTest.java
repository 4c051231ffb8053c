package dev.servercore.server;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import dev.servercore.core.Listener;
import dev.servercore.game.Rooms;
import dev.servercore.protocol.Echo;
import dev.servercore.protocol.JoinRoom;
import dev.servercore.protocol.JoinedRoom;
import dev.servercore.protocol.Welcome;
import dev.servercore.testsupport.Actuator;
import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.LoopbackServerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review finding: C_JoinRoom with a fresh name each time made rooms without limit (1.49M rooms and 0.97M room
 * jobs queued in 20 s, an honest join taking seconds). With the default settings, a few clients joining fresh
 * rooms at the review's rate (about 100,000 joins a second in all) keep the rooms to a few per session, an honest
 * join is answered at once, an honest echo too, and nothing is left behind once they are gone. (Faster than that,
 * the flooders' reads themselves fill the event loops: the sessions' packet budgets bound that, not the rooms.)
 */
@LoopbackServerTest
class JoinFloodTest {

    private static final int FLOODERS = 4;
    private static final Duration FLOOD = Duration.ofSeconds(3);
    /** Joins a second of each flooder: 100,000 in all, the review's rate (1.72M in 20 s). */
    private static final int RATE = 25_000;
    private static final int BURST = 500;

    @Autowired
    Listener listener;
    @Autowired
    Rooms rooms;
    @Autowired
    Environment environment;

    /** One write of {@code count} joins of fresh rooms. */
    private static byte[] joins(int flooder, long round, int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            out.writeBytes(new JoinRoom("f" + flooder + "-" + round + "-" + i).encode());
        }
        return out.toByteArray();
    }

    /** Connects, joins {@code room}, and returns how long the answer took (ms). */
    private long honestJoin(String room) throws Exception {
        try (FrameClient client = FrameClient.connect(listener.port())) {
            client.socket().setSoTimeout(10_000);
            assertThat(client.readFrame().packetId()).isEqualTo(Welcome.ID);
            long start = System.nanoTime();
            client.write(new JoinRoom(room).encode());
            while (client.readFrame().packetId() != JoinedRoom.ID) {
                // lobby traffic before the answer
            }
            return (System.nanoTime() - start) / 1_000_000;
        }
    }

    @Test
    void aJoinFloodWithFreshNamesKeepsRoomsBoundedAndHonestJoinsFastAndLeavesNothingBehind() throws Exception {
        Actuator actuator = Actuator.of(environment);
        int roomsBefore = rooms.count();
        long deadline = System.nanoTime() + FLOOD.toNanos();
        List<FrameClient> flooders = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        AtomicLong joinsSent = new AtomicLong();
        for (int f = 0; f < FLOODERS; f++) {
            FrameClient flooder = FrameClient.connect(listener.port());
            flooders.add(flooder);
            int id = f;
            Thread writer = new Thread(() -> {
                try {
                    long start = System.nanoTime();
                    for (long round = 0; System.nanoTime() < deadline; round++) {
                        flooder.write(joins(id, round, BURST));
                        joinsSent.addAndGet(BURST);
                        java.util.concurrent.locks.LockSupport.parkNanos(
                                start + (round + 1) * BURST * 1_000_000_000L / RATE - System.nanoTime());
                    }
                } catch (Exception closed) {
                    // dropped by the server: fine for a flooder
                }
            }, "join-flooder-" + f);
            Thread reader = new Thread(() -> { // reads whatever it is answered, so it is never a slow consumer
                try (InputStream in = flooder.socket().getInputStream()) {
                    byte[] sink = new byte[65536];
                    while (in.read(sink) >= 0) {
                        // discarded
                    }
                } catch (Exception closed) {
                    // the test closed it
                }
            }, "join-flooder-reader-" + f);
            threads.add(writer);
            threads.add(reader);
        }
        threads.forEach(Thread::start);
        long worstJoin = 0;
        long worstEcho = 0;
        int maxRooms = 0;
        try (FrameClient echo = FrameClient.connect(listener.port())) {
            echo.socket().setSoTimeout(10_000);
            assertThat(echo.readFrame().packetId()).isEqualTo(Welcome.ID);
            Thread.sleep(300);
            for (int i = 0; System.nanoTime() < deadline; i++) {
                maxRooms = Math.max(maxRooms, rooms.count());
                worstJoin = Math.max(worstJoin, honestJoin(i % 2 == 0 ? "honest-a" : "honest-b"));
                long start = System.nanoTime();
                echo.sendFrame(Echo.ID, new byte[] {(byte) i});
                while (echo.readFrame().packetId() != Echo.ID) {
                    // lobby traffic
                }
                worstEcho = Math.max(worstEcho, (System.nanoTime() - start) / 1_000_000);
                maxRooms = Math.max(maxRooms, rooms.count());
                Thread.sleep(50);
            }
        }
        for (FrameClient flooder : flooders) {
            flooder.close();
        }
        for (Thread thread : threads) {
            thread.join(10_000);
        }
        System.out.printf("[join flood] %d flooders wrote %d joins of fresh rooms in %d s: at most %d rooms at once "
                + "(%d before); worst honest join %d ms, worst honest echo %d ms%n", FLOODERS, joinsSent.get(),
                FLOOD.toSeconds(), maxRooms, roomsBefore, worstJoin, worstEcho);
        assertThat(maxRooms - roomsBefore).as("rooms made by the flood at once").isLessThanOrEqualTo(3 * FLOODERS + 2);
        assertThat(worstJoin).as("worst honest join (ms)").isLessThan(250);
        assertThat(worstEcho).as("worst honest echo (ms)").isLessThan(250);
        Await.until("the flood's rooms gone", Duration.ofSeconds(10), () -> rooms.count() <= roomsBefore);
        Await.until("no room job left", Duration.ofSeconds(10),
                () -> actuator.metric("servercore.rooms.jobs.queued") == 0);
    }
}
