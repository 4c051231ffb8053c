package dev.servercore.server;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.servercore.core.Listener;
import dev.servercore.core.Session;
import dev.servercore.game.Room;
import dev.servercore.game.Rooms;
import dev.servercore.protocol.JoinRoom;
import dev.servercore.protocol.JoinedRoom;
import dev.servercore.protocol.Move;
import dev.servercore.protocol.Welcome;
import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.LoopbackServerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review finding: a move mailbox outlived its room. A move reads the mover's room on its event loop, and
 * Movement (then one object for every room) made the room's mailbox on first use: a move that landed after the
 * room was dropped made a mailbox that nothing removed. Movement is now a room type: the mailbox is a field of
 * its room's own logic, which goes with the room; a room made again under that name gets a new one.
 */
@LoopbackServerTest
class MovementLeakTest {

    @Autowired
    Listener listener;
    @Autowired
    Rooms rooms;

    /** The race made certain: the move lands after its room was dropped. */
    @Test
    void aMoveThatLandsAfterItsRoomWasDroppedStaysWithTheDroppedRoom() throws Exception {
        String name = "gone-" + System.nanoTime();
        Room room;
        AtomicReference<Session> mover = new AtomicReference<>();
        try (FrameClient client = FrameClient.connect(listener.port())) {
            client.socket().setSoTimeout(5_000);
            assertThat(client.readFrame().packetId()).isEqualTo(Welcome.ID);
            client.write(new JoinRoom(name).encode());
            while (client.readFrame().packetId() != JoinedRoom.ID) {
                // lobby traffic
            }
            room = rooms.room(name);
            CountDownLatch read = new CountDownLatch(1);
            room.execute(() -> {
                mover.set(room.members().iterator().next());
                read.countDown();
            });
            assertThat(read.await(5, TimeUnit.SECONDS)).isTrue();
        }
        Await.until("the room dropped", Duration.ofSeconds(5), () -> rooms.room(name) == null);
        Movement dropped = room.logic(Movement.class);
        dropped.moved(mover.get(), new Move(1, 2)); // what the mover's loop did when it read the room first
        try (FrameClient client = FrameClient.connect(listener.port())) {
            client.socket().setSoTimeout(5_000);
            assertThat(client.readFrame().packetId()).isEqualTo(Welcome.ID);
            client.write(new JoinRoom(name).encode());
            while (client.readFrame().packetId() != JoinedRoom.ID) {
                // lobby traffic
            }
            Movement again = rooms.room(name).logic(Movement.class);
            assertThat(again).as("the logic of the room made again").isNotSameAs(dropped);
            assertThat(again.waiting()).as("moves waiting in the new room").isZero();
        }
    }

    @Test
    void roomsLeftAsSoonAsJoinedAreDropped() throws Exception {
        int roomsBefore = rooms.count();
        try (FrameClient client = FrameClient.connect(listener.port())) {
            client.socket().setSoTimeout(5_000);
            assertThat(client.readFrame().packetId()).isEqualTo(Welcome.ID);
            int rounds = 200;
            for (int i = 0; i < rounds; i++) { // one write: join a fresh room, move, go back to the lobby
                ByteArrayOutputStream w = new ByteArrayOutputStream();
                w.writeBytes(new JoinRoom("leak-" + System.nanoTime() + "-" + i).encode());
                w.writeBytes(new Move(i, i).encode());
                w.writeBytes(new JoinRoom(DemoHandlers.LOBBY).encode());
                client.write(w.toByteArray());
            }
            Await.until("the fresh rooms dropped", Duration.ofSeconds(10), () -> rooms.count() <= roomsBefore + 1);
        }
    }
}
