package dev.servercore.game;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.servercore.core.Frames;
import dev.servercore.core.Listener;
import dev.servercore.core.PacketSession;
import dev.servercore.core.ServerCoreProperties;
import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.LoopbackServerTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/** Rooms on real sessions: membership, the job queue's guarantees, and the tick's batching. */
@LoopbackServerTest
class RoomsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    ApplicationContext context;

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    /** Counts its socket writes (onSend), as the tick batching is judged by them. */
    static class CountingSession extends PacketSession {
        final AtomicInteger writes = new AtomicInteger();

        @Override
        protected void onConnected(InetSocketAddress endpoint) {
            send(Frames.encode(1, new byte[0]));
        }

        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
        }

        @Override
        protected void onSend(int numBytes) {
            writes.incrementAndGet();
        }
    }

    private Rooms rooms(int tickRate, RoomTypes.Type... types) {
        Rooms rooms = new Rooms(tickRate, 4, RoomTypes.of(types), new SimpleMeterRegistry());
        rooms.start();
        closing.add(rooms::stop);
        return rooms;
    }

    /** A listener whose sessions land in {@code sessions}, and {@code count} clients connected to it. */
    private List<FrameClient> clients(Queue<CountingSession> sessions, int count) throws Exception {
        Listener listener = Endpoints.listener(context, "rooms-" + System.nanoTime(), ServerCoreProperties.defaults(), () -> {
            CountingSession session = new CountingSession();
            sessions.add(session);
            return session;
        });
        closing.add(listener::stop);
        List<FrameClient> clients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            FrameClient client = FrameClient.connect(listener.port());
            closing.add(client);
            assertThat(client.readFrame().packetId()).isEqualTo(1);
            clients.add(client);
        }
        Await.until("sessions open", WAIT, () -> sessions.size() == count);
        return clients;
    }

    static Room member(java.util.concurrent.CompletionStage<Room> join) throws Exception {
        return join.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static void inRoom(Room room, Runnable job) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        room.execute(() -> {
            job.run();
            done.countDown();
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aSessionIsInOneRoomLeavesOnDisconnectAndEmptyRoomsAreDropped() throws Exception {
        Queue<CountingSession> sessions = new ConcurrentLinkedQueue<>();
        List<FrameClient> clients = clients(sessions, 3);
        Rooms rooms = rooms(20);
        List<CountingSession> all = List.copyOf(sessions);
        Room a = member(rooms.join(all.get(0), "a"));
        member(rooms.join(all.get(1), "a"));
        Room b = member(rooms.join(all.get(2), "b"));
        Await.until("joined", WAIT, () -> a.size() == 2 && b.size() == 1);
        assertThat(member(rooms.join(all.get(1), "b"))).isSameAs(b); // moves: leaves a first
        Await.until("moved", WAIT, () -> a.size() == 1 && b.size() == 2);
        assertThat(rooms.roomOf(all.get(1))).isSameAs(b);
        inRoom(b, () -> assertThat(b.members()).containsExactlyInAnyOrder(all.get(1), all.get(2)));

        clients.get(0).close(); // the only member of a disconnects: a is dropped
        Await.until("a dropped", WAIT, () -> rooms.room("a") == null);
        clients.get(2).close();
        Await.until("left b on disconnect", WAIT, () -> b.size() == 1);
        assertThat(rooms.roomOf(all.get(2))).isNull();
        assertThat(rooms.count()).isEqualTo(1);
    }

    @Test
    void aRoomsJobsNeverOverlapAndEachSubmittersOrderIsKept() throws Exception {
        Queue<CountingSession> sessions = new ConcurrentLinkedQueue<>();
        clients(sessions, 1);
        Rooms rooms = new Rooms(RoomsProperties.of(Map.of("tick-rate", 50, "worker-threads", 4,
                "max-queued-jobs", 1_000_000)), 65536, RoomTypes.NONE, new SimpleMeterRegistry());
        rooms.start();
        closing.add(rooms::stop);
        Room room = member(rooms.join(sessions.peek(), "stress"));
        int threads = 8;
        int jobs = 20_000;
        AtomicBoolean inside = new AtomicBoolean();
        AtomicBoolean overlapped = new AtomicBoolean();
        int[] plainCounter = new int[1];
        Map<Integer, List<Integer>> seen = new ConcurrentHashMap<>();
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int submitter = t;
            seen.put(submitter, new ArrayList<>());
            submitters.add(new Thread(() -> {
                for (int i = 0; i < jobs; i++) {
                    int seq = i;
                    room.execute(() -> {
                        if (!inside.compareAndSet(false, true)) {
                            overlapped.set(true);
                        }
                        plainCounter[0]++; // no lock: the room's jobs are serial
                        seen.get(submitter).add(seq);
                        inside.set(false);
                    });
                }
            }, "test-submitter-" + t));
        }
        submitters.forEach(Thread::start);
        for (Thread submitter : submitters) {
            submitter.join();
        }
        inRoom(room, () -> {
        });
        assertThat(overlapped).isFalse();
        assertThat(plainCounter[0]).isEqualTo(threads * jobs);
        for (List<Integer> order : seen.values()) {
            assertThat(order).hasSize(jobs).isSorted();
        }
    }

    @Test
    void aJobThatThrowsIsCountedAndTheRoomGoesOn() throws Exception {
        Queue<CountingSession> sessions = new ConcurrentLinkedQueue<>();
        clients(sessions, 1);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        Rooms rooms = new Rooms(20, 2, RoomTypes.NONE, meters);
        rooms.start();
        closing.add(rooms::stop);
        Room room = member(rooms.join(sessions.peek(), "faulty"));
        room.execute(() -> {
            throw new IllegalStateException("a bug in a room job (deliberate)");
        });
        AtomicBoolean after = new AtomicBoolean();
        inRoom(room, () -> after.set(true));
        assertThat(after).isTrue();
        assertThat(meters.get("servercore.rooms.job.errors").counter().count()).isEqualTo(1);
    }

    @Test
    void broadcastsOfATickGoOutInOneWritePerMemberAndOnlyToTheRoom() throws Exception {
        Queue<CountingSession> sessions = new ConcurrentLinkedQueue<>();
        List<FrameClient> clients = clients(sessions, 60);
        Rooms rooms = rooms(10); // 100 ms ticks: a job of the test fits well inside one
        List<CountingSession> all = List.copyOf(sessions);
        Room room = null;
        for (int i = 0; i < 50; i++) {
            room = member(rooms.join(all.get(i), "tick"));
        }
        for (int i = 50; i < 60; i++) {
            member(rooms.join(all.get(i), "elsewhere"));
        }
        Room tick = room;
        Await.until("joined", WAIT, () -> tick.size() == 50 && rooms.room("elsewhere").size() == 10);
        Thread.sleep(300); // every welcome written long ago
        int[] before = all.stream().mapToInt(s -> s.writes.get()).toArray();
        inRoom(tick, () -> {
            for (int k = 0; k < 5; k++) {
                tick.broadcast(Frames.encode(20 + k, new byte[] {(byte) k}));
            }
        });
        for (int i = 0; i < 50; i++) {
            FrameClient client = clients.get(i);
            for (int k = 0; k < 5; k++) {
                assertThat(client.readFrame().packetId()).isEqualTo(20 + k);
            }
        }
        Thread.sleep(300);
        for (int i = 0; i < 50; i++) {
            assertThat(all.get(i).writes.get() - before[i]).as("writes to member " + i).isEqualTo(1);
        }
        for (int i = 50; i < 60; i++) {
            assertThat(all.get(i).writes.get() - before[i]).as("writes to another room's member").isZero();
        }
    }
}
