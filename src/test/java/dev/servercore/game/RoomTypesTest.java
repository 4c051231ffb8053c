package dev.servercore.game;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import dev.servercore.core.Listener;
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

/** Room types on real sessions: a logic per room, its callbacks as room jobs, typed access, tick rates. */
@LoopbackServerTest
class RoomTypesTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Autowired
    ApplicationContext context;

    private final Closer closer = new Closer();

    @AfterEach
    void close() throws Exception {
        closer.close();
    }

    /** Records its callbacks, and whether each ran as a job of its room. */
    static class Arena extends RoomLogic {
        final Queue<String> events = new ConcurrentLinkedQueue<>();
        volatile boolean outsideItsJobs;

        private void record(String event) {
            if (!room().inRoom()) {
                outsideItsJobs = true;
            }
            events.add(event);
        }

        @Override
        protected void onCreate() {
            record("create " + room().name());
        }

        @Override
        protected void onJoin(Session session) {
            record("join " + room().size());
        }

        @Override
        protected void onLeave(Session session) {
            record("leave " + room().size());
        }

        @Override
        protected void onDispose() {
            record("dispose");
        }
    }

    /** Ticks by itself (a steady type); records the tick numbers it saw. */
    static class Loop extends RoomLogic {
        final Queue<Long> ticks = new ConcurrentLinkedQueue<>();

        @Override
        protected void onTick() {
            ticks.add(room().tick());
        }
    }

    /** Records every callback, its ticks among them. */
    static class Ordered extends RoomLogic {
        final Queue<String> events = new ConcurrentLinkedQueue<>();

        @Override
        protected void onCreate() {
            events.add("create");
        }

        @Override
        protected void onJoin(Session session) {
            events.add("join");
        }

        @Override
        protected void onLeave(Session session) {
            events.add("leave");
        }

        @Override
        protected void onTick() {
            events.add("tick");
        }

        @Override
        protected void onDispose() {
            events.add("dispose");
        }
    }

    private Rooms rooms(int tickRate, RoomTypes types) {
        Rooms rooms = new Rooms(tickRate, 2, types, new SimpleMeterRegistry());
        rooms.start();
        closer.add(rooms::stop);
        return rooms;
    }

    private List<Session> sessions(int count) throws Exception {
        Queue<Session> sessions = new ConcurrentLinkedQueue<>();
        Listener listener = Endpoints.listener(context, "types-" + System.nanoTime(), ServerCoreProperties.defaults(),
                () -> {
                    RoomsRaceTest.Plain session = new RoomsRaceTest.Plain();
                    sessions.add(session);
                    return session;
                });
        closer.add(listener::stop);
        for (int i = 0; i < count; i++) {
            FrameClient client = FrameClient.connect(listener.port());
            closer.add(client);
            client.socket().setSoTimeout(5_000);
            assertThat(client.readFrame().packetId()).isEqualTo(1);
        }
        Await.until("sessions open", WAIT, () -> sessions.size() == count);
        return new ArrayList<>(sessions);
    }

    private static Room member(java.util.concurrent.CompletionStage<Room> join) throws Exception {
        return join.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void eachRoomOfATypeGetsALogicOfItsOwnWhoseCallbacksRunAsItsJobsAndOtherRoomsArePlain() throws Exception {
        List<Session> s = sessions(4);
        Rooms rooms = rooms(20, RoomTypes.of(RoomTypes.Type.of("arena-*", Arena.class, Arena::new)));
        Room one = member(rooms.join(s.get(0), "arena-1"));
        member(rooms.join(s.get(1), "arena-1"));
        Room two = member(rooms.join(s.get(2), "arena-2"));
        Room lobby = member(rooms.join(s.get(3), "lobby"));

        Arena first = rooms.logicOf(s.get(0), Arena.class);
        assertThat(first).isNotNull().isSameAs(rooms.logicOf(s.get(1), Arena.class)).isSameAs(one.logic(Arena.class));
        assertThat(two.logic(Arena.class)).as("the other arena's logic").isNotNull().isNotSameAs(first);
        assertThat(lobby.logic(Arena.class)).as("a room no pattern matches").isNull();
        assertThat(rooms.logicOf(s.get(3), Arena.class)).isNull();
        assertThat(lobby.logic(RoomLogic.class)).as("a plain room's logic").isNotInstanceOf(Arena.class);

        rooms.leave(s.get(1));
        rooms.leave(s.get(0));
        Await.until("arena-1 dropped", WAIT, () -> rooms.room("arena-1") == null);
        Await.until("its last callback", WAIT, () -> first.events.contains("dispose"));
        assertThat(first.events).containsExactly("create arena-1", "join 1", "join 2", "leave 1", "leave 0", "dispose");
        assertThat(first.outsideItsJobs).as("a callback outside the room's jobs").isFalse();
        assertThat(rooms.logicOf(s.get(0), Arena.class)).as("the logic of a session in no room").isNull();

        Room again = member(rooms.join(s.get(0), "arena-1"));
        assertThat(again.logic(Arena.class)).as("the logic of the room made again").isNotSameAs(first);
    }

    @Test
    void aSteadyTypeTicksAtItsOwnRateWithItsOwnTickNumbersAndAnIdleTypeIsNotTicked() throws Exception {
        List<Session> s = sessions(3);
        Rooms rooms = rooms(20, RoomTypes.of(
                RoomTypes.Type.of("fast", Loop.class, Loop::new).steadily(),
                RoomTypes.Type.of("slow", Loop.class, Loop::new).withTickRate(5).steadily(),
                RoomTypes.Type.of("idle", Loop.class, Loop::new)));
        Loop fast = member(rooms.join(s.get(0), "fast")).logic(Loop.class);
        Loop slow = member(rooms.join(s.get(1), "slow")).logic(Loop.class);
        Loop idle = member(rooms.join(s.get(2), "idle")).logic(Loop.class);
        Thread.sleep(1_200);
        List<Long> fastTicks = List.copyOf(fast.ticks);
        List<Long> slowTicks = List.copyOf(slow.ticks);

        assertThat(idle.ticks).as("ticks of a room that asked for none").isEmpty();
        assertThat(fastTicks.size()).as("ticks at 20 a second in 1.2 s").isBetween(12, 26);
        assertThat(slowTicks.size()).as("ticks at 5 a second in 1.2 s").isBetween(3, 7);
        for (int i = 1; i < slowTicks.size(); i++) {
            assertThat(slowTicks.get(i)).as("a tick number of the slow type").isGreaterThan(slowTicks.get(i - 1));
        }
        // the same clock, counted in each type's ticks: the slow type's numbers are a quarter of the fast one's
        long fastLast = fastTicks.get(fastTicks.size() - 1);
        long slowLast = slowTicks.get(slowTicks.size() - 1);
        assertThat(slowLast).isBetween(fastLast / 4 - 2, fastLast / 4 + 1);
    }

    @Test
    void aTickRateThatDoesNotDivideTheRoomsRateStopsTheStart() {
        assertThatThrownBy(() -> new Rooms(20, 1,
                RoomTypes.of(RoomTypes.Type.of("arena-*", Arena.class, Arena::new).withTickRate(3)),
                new SimpleMeterRegistry()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(Arena.class.getName())
                .hasMessageContaining("servercore.rooms.tick-rate (20)");
    }

    @Test
    void aLogicThatCannotBeMadeFailsTheJoinWithoutKickingTheSessionNorMakingTheRoom() throws Exception {
        List<Session> s = sessions(1);
        Rooms rooms = rooms(20, RoomTypes.of(RoomTypes.Type.of("broken", Arena.class, () -> {
            throw new IllegalStateException("a bug in the game's constructor");
        })));
        assertThatThrownBy(() -> member(rooms.join(s.get(0), "broken")))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(JoinFailedException.class)
                .extracting(e -> ((JoinFailedException) e).reason()).isEqualTo(JoinFailedException.Reason.ROOM_FAILED);
        assertThat(rooms.room("broken")).isNull();
        assertThat(s.get(0).isConnected()).isTrue();
        assertThat(member(rooms.join(s.get(0), "elsewhere")).name()).isEqualTo("elsewhere");
    }

    /**
     * A tick handed out while the last member's leave waited in the room (a steady room's next tick, a busy room)
     * runs after that leave dropped the room: onDispose must stay the logic's last callback (it was followed by
     * an onTick, and the tick published what the room had gathered for a room closed on the backplane).
     */
    @Test
    void aTickQueuedBehindTheLastLeaveRunsNoOnTickAfterOnDispose() throws Exception {
        List<Session> s = sessions(1);
        Rooms rooms = rooms(20, RoomTypes.of(RoomTypes.Type.of("arena", Ordered.class, Ordered::new)));
        Room room = member(rooms.join(s.get(0), "arena"));
        Ordered logic = room.logic(Ordered.class);
        try (HeldRoom held = HeldRoom.hold(room)) {
            Await.until("the held job running", WAIT, () -> room.queuedJobs() == 0);
            rooms.leave(s.get(0));
            Await.until("the leave waiting behind it", WAIT, () -> room.queuedJobs() == 1);
            room.requestTick();
            Await.until("a tick handed out behind the leave", WAIT, () -> room.queuedJobs() == 2);
        }
        CountDownLatch behindTheTick = new CountDownLatch(1);
        room.execute(behindTheTick::countDown);
        assertThat(behindTheTick.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(rooms.room("arena")).isNull();
        assertThat(logic.events).containsExactly("create", "join", "leave", "dispose");
    }
}
