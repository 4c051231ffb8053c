package dev.servercore.game;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

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

/** Jobs for a session's room: the room it is in, or the one its join on its way takes it to, in order. */
@LoopbackServerTest
class ExecuteInRoomOfTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Autowired
    ApplicationContext context;

    private final Closer closer = new Closer();

    @AfterEach
    void close() throws Exception {
        closer.close();
    }

    private Session session() throws Exception {
        Queue<Session> sessions = new ConcurrentLinkedQueue<>();
        Listener listener = Endpoints.listener(context, "in-room-" + System.nanoTime(), ServerCoreProperties.defaults(),
                () -> {
                    RoomsRaceTest.Plain session = new RoomsRaceTest.Plain();
                    sessions.add(session);
                    return session;
                });
        closer.add(listener::stop);
        FrameClient client = FrameClient.connect(listener.port());
        closer.add(client);
        client.readFrame();
        Await.until("session open", WAIT, () -> sessions.size() == 1);
        return sessions.peek();
    }

    @Test
    void jobsAskedWhileAJoinIsOnItsWayRunInTheRoomItJoinsInOrderAfterTheJoin() throws Exception {
        Session s = session();
        Rooms rooms = new Rooms(20, 2, RoomTypes.NONE, new SimpleMeterRegistry());
        rooms.start();
        closer.add(rooms::stop);
        assertThat(rooms.executeInRoomOf(s, room -> { })).as("a session that never joined").isFalse();
        Room a = RoomsTest.member(rooms.join(s, "A"));
        Queue<String> ran = new ConcurrentLinkedQueue<>();
        try (HeldRoom held = HeldRoom.hold(a)) {
            rooms.join(s, "B"); // waits for its leave of A, behind the held job
            for (int i = 0; i < 3; i++) {
                int n = i;
                assertThat(rooms.executeInRoomOf(s, room -> ran.add(n + " in " + room.name() + " as member "
                        + room.members().contains(s)))).isTrue();
            }
            Thread.sleep(100);
            assertThat(ran).as("jobs run before the join").isEmpty();
        }
        Await.until("the jobs ran", WAIT, () -> ran.size() == 3);
        assertThat(ran).containsExactly("0 in B as member true", "1 in B as member true", "2 in B as member true");
        rooms.executeInRoomOf(s, room -> ran.add("now in " + room.name()));
        Await.until("a job of the room it is in", WAIT, () -> ran.contains("now in B"));
    }
}
