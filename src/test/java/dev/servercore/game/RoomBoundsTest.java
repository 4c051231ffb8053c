package dev.servercore.game;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.servercore.core.Frames;
import dev.servercore.core.KickReason;
import dev.servercore.core.Listener;
import dev.servercore.core.ServerCoreProperties;
import dev.servercore.core.Session;
import dev.servercore.core.SessionLayer;
import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.Closer;
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

/**
 * What clients can make rooms hold is bounded, and each refusal answers the client that asked: rooms, members,
 * joins waiting per session, jobs waiting per room, the bytes members put into a tick. And an idle room is not
 * ticked. Real sessions on loopback.
 */
@LoopbackServerTest
class RoomBoundsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Autowired
    ApplicationContext context;

    private final Closer closer = new Closer();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @AfterEach
    void close() throws Exception {
        closer.close();
    }

    private Rooms rooms(Map<String, Object> settings, RoomTypes.Type... types) {
        Map<String, Object> all = new java.util.HashMap<>(Map.of("worker-threads", 2));
        all.putAll(settings);
        Rooms rooms = new Rooms(RoomsProperties.of(all), 65536, RoomTypes.of(types), meters);
        rooms.start();
        closer.add(rooms::stop);
        return rooms;
    }

    /** {@code count} sessions of a listener of their own, each with its client, welcomed. */
    private List<Session> sessions(int count, List<FrameClient> clients) throws Exception {
        Queue<Session> sessions = new ConcurrentLinkedQueue<>();
        Listener listener = Endpoints.listener(context, "bounds-" + System.nanoTime(), ServerCoreProperties.defaults(),
                () -> {
                    RoomsRaceTest.Plain session = new RoomsRaceTest.Plain();
                    sessions.add(session);
                    return session;
                });
        closer.add(listener::stop);
        for (int i = 0; i < count; i++) {
            FrameClient client = closer.add(FrameClient.connect(listener.port()));
            client.socket().setSoTimeout(5_000);
            assertThat(client.readFrame().packetId()).isEqualTo(1);
            clients.add(client);
            int opened = i + 1;
            Await.until("session open", WAIT, () -> sessions.size() == opened);
        }
        return List.copyOf(sessions);
    }

    private double failed(JoinFailedException.Reason reason) {
        return meters.get("servercore.rooms.joins.failed").tag("reason", reason.tag()).counter().count();
    }

    private double dropped(String reason) {
        return meters.get("servercore.rooms.broadcasts.dropped").tag("reason", reason).counter().count();
    }

    private static JoinFailedException.Reason failure(CompletionStage<Room> join) {
        try {
            join.toCompletableFuture().get(5, TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return ((JoinFailedException) e.getCause()).reason();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void kickedAsRateLimited(FrameClient client) throws Exception {
        FrameClient.Frame kick = client.readFrame();
        assertThat(kick.packetId()).isEqualTo(SessionLayer.S_KICK);
        assertThat(SessionLayer.reasonOf(ByteBuffer.wrap(kick.body()))).isEqualTo(KickReason.RATE_LIMITED);
        assertThat(client.closedByPeerWithin(5_000)).isTrue();
    }

    private static void inRoom(Room room, Runnable job) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        room.execute(() -> {
            job.run();
            done.countDown();
        });
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aJoinThatWouldMakeOneRoomTooManyKicksItsSessionAsRateLimited() throws Exception {
        List<FrameClient> clients = new ArrayList<>();
        List<Session> sessions = sessions(4, clients);
        Rooms rooms = rooms(Map.of("max-rooms", 3));
        for (int i = 0; i < 3; i++) {
            assertThat(failure(rooms.join(sessions.get(i), "r" + i))).isNull();
        }
        assertThat(failure(rooms.join(sessions.get(3), "r3"))).isEqualTo(JoinFailedException.Reason.TOO_MANY_ROOMS);
        kickedAsRateLimited(clients.get(3));
        assertThat(failure(rooms.join(sessions.get(0), "r1"))).as("a room that exists takes joiners").isNull();
        assertThat(rooms.count()).isEqualTo(2); // r0 went with its only member
        assertThat(failed(JoinFailedException.Reason.TOO_MANY_ROOMS)).isEqualTo(1);
    }

    @Test
    void aJoinOfAFullRoomKicksItsSessionAsRateLimited() throws Exception {
        List<FrameClient> clients = new ArrayList<>();
        List<Session> sessions = sessions(3, clients);
        Rooms rooms = rooms(Map.of("max-members", 2));
        assertThat(failure(rooms.join(sessions.get(0), "full"))).isNull();
        assertThat(failure(rooms.join(sessions.get(1), "full"))).isNull();
        assertThat(failure(rooms.join(sessions.get(2), "full"))).isEqualTo(JoinFailedException.Reason.ROOM_FULL);
        kickedAsRateLimited(clients.get(2));
        assertThat(rooms.room("full").size()).isEqualTo(2);
        assertThat(failed(JoinFailedException.Reason.ROOM_FULL)).isEqualTo(1);
    }

    /** A thousand joins while the session's room is busy: one waits, the others give way; nothing queues. */
    @Test
    void aSessionsJoinsWaitOneAtATimeAndTheLatestWins() throws Exception {
        List<FrameClient> clients = new ArrayList<>();
        Session session = sessions(1, clients).get(0);
        Rooms rooms = rooms(Map.of());
        Room busy = RoomsTest.member(rooms.join(session, "busy"));
        List<CompletionStage<Room>> joins = new ArrayList<>();
        try (HeldRoom held = HeldRoom.hold(busy)) {
            for (int i = 0; i < 1_000; i++) {
                joins.add(rooms.join(session, "fresh-" + i));
            }
            Thread.sleep(200);
            assertThat(rooms.count()).as("rooms while the joins wait").isEqualTo(1);
            assertThat(busy.queuedJobs()).as("jobs waiting in the busy room").isLessThanOrEqualTo(2);
        }
        Room last = RoomsTest.member(joins.get(999));
        assertThat(last.name()).isEqualTo("fresh-999");
        for (int i = 0; i < 999; i++) {
            assertThat(failure(joins.get(i))).as("join %d", i).isEqualTo(JoinFailedException.Reason.SUPERSEDED);
        }
        Await.until("the busy room dropped", WAIT, () -> rooms.count() == 1);
        assertThat(failed(JoinFailedException.Reason.SUPERSEDED)).isEqualTo(999);
    }

    @Test
    void jobsOverTheRoomsBoundAreRefusedAndTheEnginesOwnStillRun() throws Exception {
        List<FrameClient> clients = new ArrayList<>();
        Session session = sessions(1, clients).get(0);
        Rooms rooms = rooms(Map.of("max-queued-jobs", 10));
        Room room = RoomsTest.member(rooms.join(session, "bounded"));
        AtomicInteger ran = new AtomicInteger();
        int accepted = 0;
        try (HeldRoom held = HeldRoom.hold(room)) {
            Await.until("the holding job runs", WAIT, () -> room.queuedJobs() == 0);
            for (int i = 0; i < 30; i++) {
                if (room.execute(ran::incrementAndGet)) {
                    accepted++;
                }
            }
            room.broadcast(Frames.encode(9, new byte[0])); // the game's own, from outside: a job too
            rooms.leave(session); // the engine's job: never refused
        }
        assertThat(accepted).isEqualTo(10);
        Await.until("the session left", WAIT, () -> rooms.roomOf(session) == null && rooms.room("bounded") == null);
        assertThat(ran.get()).isEqualTo(10);
        assertThat(meters.get("servercore.rooms.jobs.refused").counter().count()).isEqualTo(21);
        assertThat(dropped("queue_full")).isEqualTo(1);
    }

    @Test
    void anIdleRoomIsNotTickedAndARoomTicksWhenAskedOrWhenABroadcastWaits() throws Exception {
        List<FrameClient> clients = new ArrayList<>();
        List<Session> sessions = sessions(10, clients);
        Map<String, AtomicInteger> ticks = new ConcurrentHashMap<>();
        class Counting extends RoomLogic {
            @Override
            protected void onTick() {
                ticks.computeIfAbsent(room().name(), n -> new AtomicInteger()).incrementAndGet();
                if (room().name().equals("stepping")) {
                    room().requestTick(); // a simulation that steps every tick
                }
            }
        }
        Rooms rooms = rooms(Map.of("tick-rate", 50), RoomTypes.Type.of("*", Counting.class, Counting::new));
        List<Room> idle = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            idle.add(RoomsTest.member(rooms.join(sessions.get(i), "idle-" + i)));
        }
        Room stepping = RoomsTest.member(rooms.join(sessions.get(8), "stepping"));
        Room chatty = RoomsTest.member(rooms.join(sessions.get(9), "chatty"));
        stepping.requestTick();
        Thread.sleep(500); // 25 ticks
        for (Room room : idle) {
            assertThat(ticks.get(room.name())).as("ticks of %s, which did nothing", room.name()).isNull();
        }
        assertThat(ticks.get("stepping").get()).as("ticks of a room that asks every tick").isGreaterThan(10);
        assertThat(ticks.get("chatty")).isNull();
        chatty.broadcast(Frames.encode(9, new byte[] {1}));
        assertThat(clients.get(9).readFrame().packetId()).isEqualTo(9);
        Await.until("the broadcast's tick", WAIT, () -> ticks.containsKey("chatty"));
        idle.get(0).requestTick();
        Await.until("the tick asked for", WAIT, () -> ticks.containsKey("idle-0"));
        Thread.sleep(200);
        assertThat(ticks.get("chatty").get()).as("ticks of one broadcast").isEqualTo(1);
        assertThat(ticks.get("idle-0").get()).as("ticks of one request").isEqualTo(1);
    }

    /** Runs {@code broadcasts} in one room job right after a tick began: all of them within its budget window. */
    private static void inOneTick(Rooms rooms, Room room, Runnable broadcasts) throws Exception {
        long before = rooms.currentTick();
        Await.until("a tick begins", WAIT, () -> rooms.currentTick() != before);
        long[] window = new long[2];
        inRoom(room, () -> {
            window[0] = rooms.currentTick();
            broadcasts.run();
            window[1] = rooms.currentTick();
        });
        assertThat(window[1]).as("the job ran within one tick (half a second)").isEqualTo(window[0]);
    }

    @Test
    void aMembersBroadcastsBeyondItsBudgetAreDroppedAndTheOthersStillGoOut() throws Exception {
        List<FrameClient> clients = new ArrayList<>();
        List<Session> sessions = sessions(3, clients);
        Rooms rooms = rooms(Map.of("tick-rate", 2, "member-bytes-per-tick", "2KB",
                "room-bytes-per-tick", "5KB", "room-fanout-bytes-per-tick", "1MB"));
        Room room = null;
        for (Session session : sessions) {
            room = RoomsTest.member(rooms.join(session, "budget"));
        }
        Room budget = room;
        byte[] kilobyte = Frames.encode(7, new byte[1020]); // 1,024 bytes
        byte[] own = Frames.encode(8, new byte[4092]);
        inOneTick(rooms, budget, () -> {
            for (int i = 0; i < 3; i++) {
                budget.broadcast(sessions.get(0), kilobyte); // the flooder: 2 of 3 fit its budget
            }
            budget.broadcast(sessions.get(1), kilobyte);
            budget.broadcast(sessions.get(1), kilobyte); // the room's 4th KB
            budget.broadcast(sessions.get(2), kilobyte); // the 5th: the room's budget is full after it
            budget.broadcast(sessions.get(2), kilobyte); // over the room's budget
            budget.broadcast(own); // the game's own: no member's, no budget
            budget.broadcast(own);
        });
        for (FrameClient client : clients) {
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                ids.add(client.readFrame().packetId());
            }
            assertThat(ids).containsExactly(7, 7, 7, 7, 7, 8, 8);
        }
        assertThat(dropped("member_budget")).isEqualTo(1);
        assertThat(dropped("room_budget")).isEqualTo(1);
        inRoom(budget, () -> budget.broadcast(new RoomsRaceTest.Plain(), kilobyte));
        assertThat(dropped("not_member")).isEqualTo(1);
    }

    @Test
    void aBigRoomTakesLessFromEachMemberSoThatWhatItWritesStaysWithinItsFanoutBudget() throws Exception {
        List<FrameClient> clients = new ArrayList<>();
        List<Session> sessions = sessions(10, clients);
        Rooms rooms = rooms(Map.of("tick-rate", 2, "member-bytes-per-tick", "8KB",
                "room-bytes-per-tick", "16KB", "room-fanout-bytes-per-tick", "25KB"));
        Room room = null;
        for (Session session : sessions) {
            room = RoomsTest.member(rooms.join(session, "big"));
        }
        Room big = room;
        byte[] kilobyte = Frames.encode(7, new byte[1020]);
        inOneTick(rooms, big, () -> {
            for (int i = 0; i < 3; i++) {
                big.broadcast(sessions.get(i), kilobyte); // 10 KB written each: the third is past 25 KB
            }
        });
        for (FrameClient client : clients) {
            assertThat(client.readFrame().packetId()).isEqualTo(7);
            assertThat(client.readFrame().packetId()).isEqualTo(7);
        }
        assertThat(dropped("fanout_budget")).isEqualTo(1);
    }
}
