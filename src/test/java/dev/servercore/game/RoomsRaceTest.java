package dev.servercore.game;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.servercore.core.Frames;
import dev.servercore.core.Listener;
import dev.servercore.core.PacketSession;
import dev.servercore.core.ServerCoreProperties;
import dev.servercore.core.Session;
import dev.servercore.testsupport.Closer;
import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.HeldRoom;
import dev.servercore.testsupport.LoopbackServerTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Races of Rooms.join / leave / stop, from an adversarial review: each test failed on the code reviewed
 * (joins chained after the room asked for last, not the one the session was in; stop holding the monitor
 * the jobs need).
 */
@LoopbackServerTest
class RoomsRaceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    static final int JOINED = 60; // marker frame sent in onJoin, body = room name (like S_JoinedRoom)
    static final int OLD_ROOM = 77; // a frame broadcast by the old room

    @Autowired
    ApplicationContext context;

    private final Closer closer = new Closer();

    @AfterEach
    void close() throws Exception {
        closer.close();
    }

    static class Plain extends PacketSession {
        @Override
        protected void onConnected(InetSocketAddress endpoint) {
            send(Frames.encode(1, new byte[0]));
        }

        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
        }
    }

    /** Records the calls of every room's logic, and answers a join like Movement.onJoin does. */
    static class Recorder {
        final Queue<String> events = new ConcurrentLinkedQueue<>();

        /** Every room is of this type. */
        RoomTypes types() {
            return RoomTypes.of(RoomTypes.Type.of("*", Logic.class, Logic::new));
        }

        class Logic extends RoomLogic {
            @Override
            protected void onJoin(Session session) {
                events.add("join " + room().name());
                session.send(Frames.encode(JOINED, room().name().getBytes(StandardCharsets.UTF_8)));
            }

            @Override
            protected void onLeave(Session session) {
                events.add("leave " + room().name());
            }
        }
    }

    private Session session(FrameClient[] client) throws Exception {
        Queue<Session> sessions = new ConcurrentLinkedQueue<>();
        Listener listener = Endpoints.listener(context, "review-" + System.nanoTime(), ServerCoreProperties.defaults(), () -> {
            Plain s = new Plain();
            sessions.add(s);
            return s;
        });
        closer.add(listener::stop);
        client[0] = FrameClient.connect(listener.port());
        client[0].socket().setSoTimeout(5_000);
        closer.add(client[0]);
        assertThat(client[0].readFrame().packetId()).isEqualTo(1);
        Await.until("session open", WAIT, () -> sessions.size() == 1);
        return sessions.peek();
    }

    private Rooms rooms(Recorder recorder) {
        Rooms rooms = new Rooms(20, 4, recorder.types(), new SimpleMeterRegistry());
        rooms.start();
        closer.add(rooms::stop);
        return rooms;
    }

    /** Members of the room of that name now: 0 if it does not exist (yet). */
    private static int members(Rooms rooms, String name) {
        Room room = rooms.room(name);
        return room == null ? 0 : room.size();
    }

    private static String readJoined(FrameClient client) throws Exception {
        FrameClient.Frame f = client.readFrame();
        assertThat(f.packetId()).isEqualTo(JOINED);
        return new String(f.body(), StandardCharsets.UTF_8);
    }

    /**
     * s is in A; A is busy. join(s, B) then join(s, C): s must not be in C while it is still in A, and what A
     * sent while s was its member comes before C's join answer, nothing of A after it. (Before the joins and
     * leaves of a session were made one step after another, B's no-op leave handed C its join at once.)
     */
    @Test
    void twoQuickJoinsWhileTheOldRoomIsBusyWaitForTheLeaveAndNothingOfTheOldRoomFollowsTheJoinAnswer()
            throws Exception {
        FrameClient[] client = new FrameClient[1];
        Session s = session(client);
        Recorder recorder = new Recorder();
        Rooms rooms = rooms(recorder);
        Room a = RoomsTest.member(rooms.join(s, "A"));
        assertThat(readJoined(client[0])).isEqualTo("A");
        // a long tick of a big room, which then broadcasts: s is still A's member, legit for A
        HeldRoom busy = HeldRoom.hold(a, () -> a.broadcastNow(Frames.encode(OLD_ROOM, new byte[0])));
        CompletionStage<Room> toB = rooms.join(s, "B");
        CompletionStage<Room> toC = rooms.join(s, "C");
        Thread.sleep(300);
        assertThat(members(rooms, "C")).as("in C while still in A").isZero();
        busy.release();
        assertThat(client[0].readFrame().packetId()).isEqualTo(OLD_ROOM);
        assertThat(readJoined(client[0])).as("B was superseded: only C answers").isEqualTo("C");
        Room c = RoomsTest.member(toC);
        assertThatThrownBy(() -> RoomsTest.member(toB)).hasCauseInstanceOf(JoinFailedException.class)
                .cause().extracting(e -> ((JoinFailedException) e).reason())
                .isEqualTo(JoinFailedException.Reason.SUPERSEDED);
        Await.until("s in C only", WAIT, () -> c.size() == 1 && a.size() == 0);
        assertThat(List.copyOf(recorder.events)).containsExactly("join A", "leave A", "join C");
    }

    /**
     * s in X (busy). join Y, join Z, join Y again: one membership of Y, one onJoin (the reviewed code added s
     * to Y on the third join's chain, and again when X's leave finally handed over the first join).
     */
    @Test
    void joiningBackAndForthRunsOnJoinOncePerMembership() throws Exception {
        FrameClient[] client = new FrameClient[1];
        Session s = session(client);
        Recorder recorder = new Recorder();
        Rooms rooms = rooms(recorder);
        Room x = RoomsTest.member(rooms.join(s, "X"));
        Await.until("in X", WAIT, () -> x.size() == 1);
        HeldRoom busy = HeldRoom.hold(x);
        rooms.join(s, "Y");
        rooms.join(s, "Z");
        CompletionStage<Room> toY = rooms.join(s, "Y");
        Thread.sleep(300);
        assertThat(members(rooms, "Y")).as("in Y while still in X").isZero();
        busy.release();
        Room y = RoomsTest.member(toY);
        Await.until("in Y", WAIT, () -> y.size() == 1);
        Await.until("X dropped", WAIT, () -> rooms.room("X") == null);
        CountDownLatch flushed = new CountDownLatch(1);
        y.execute(flushed::countDown);
        assertThat(flushed.await(5, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(200);
        List<String> events = List.copyOf(recorder.events);
        long joinsOfY = events.stream().filter("join Y"::equals).count();
        long leavesOfY = events.stream().filter("leave Y"::equals).count();
        assertThat(joinsOfY - leavesOfY).as("onJoin(Y) minus onLeave(Y), events " + events).isEqualTo(1);
    }

    /** An explicit leave, then a join: the join is not ordered after the leave of the old room. */
    @Test
    void leaveThenJoinIsOrderedAfterTheOldRoomsLeave() throws Exception {
        FrameClient[] client = new FrameClient[1];
        Session s = session(client);
        Recorder recorder = new Recorder();
        Rooms rooms = rooms(recorder);
        Room a = RoomsTest.member(rooms.join(s, "A"));
        Await.until("in A", WAIT, () -> a.size() == 1);
        HeldRoom busy = HeldRoom.hold(a);
        rooms.leave(s);
        CompletionStage<Room> toB = rooms.join(s, "B");
        Thread.sleep(300);
        try {
            assertThat(members(rooms, "B")).as("a member of B while still a member of A").isZero();
        } finally {
            busy.release();
        }
        Room b = RoomsTest.member(toB);
        Await.until("in B, out of A", WAIT, () -> b.size() == 1 && a.size() == 0);
        assertThat(List.copyOf(recorder.events)).containsExactly("join A", "leave A", "join B");
    }

    /**
     * stop() waits up to 5 s for the workers; it must not hold the monitor that a room job's leave
     * (dropIfEmpty) and a join() (an event loop's call) need, or both wait out the 5 s.
     */
    @Test
    void stopDoesNotHoldTheMonitorThatRoomJobsAndJoinNeed() throws Exception {
        FrameClient[] client = new FrameClient[1];
        Session s = session(client);
        Rooms rooms = new Rooms(20, 2, RoomTypes.NONE, new SimpleMeterRegistry());
        rooms.start();
        Room a = RoomsTest.member(rooms.join(s, "A"));
        Await.until("in A", WAIT, () -> a.size() == 1);
        HeldRoom busy = HeldRoom.hold(a);
        rooms.leave(s); // queued behind the busy job: removeMember, then dropIfEmpty (synchronized)
        long[] stopMillis = new long[1];
        Thread stopper = new Thread(() -> {
            long t0 = System.nanoTime();
            rooms.stop();
            stopMillis[0] = (System.nanoTime() - t0) / 1_000_000;
        }, "review-stopper");
        stopper.start();
        Thread.sleep(300); // stop() is in awaitTermination, holding the monitor
        busy.release(); // the busy job ends at once; the leave job then needs the monitor
        long t0 = System.nanoTime();
        rooms.join(new Plain(), "Z"); // what an event loop would call
        long joinMillis = (System.nanoTime() - t0) / 1_000_000;
        stopper.join();
        assertThat(joinMillis).as("join() blocked on the monitor held by stop(), ms").isLessThan(1_000);
        assertThat(stopMillis[0]).as("stop() after its last job ended within ~0.3 s, ms").isLessThan(2_000);
    }
}
