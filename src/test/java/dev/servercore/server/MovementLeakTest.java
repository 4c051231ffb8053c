package dev.servercore.server;

import java.io.ByteArrayOutputStream;

import dev.servercore.core.Listener;
import dev.servercore.game.Rooms;
import dev.servercore.protocol.Echo;
import dev.servercore.protocol.JoinRoom;
import dev.servercore.protocol.Move;
import dev.servercore.protocol.Welcome;
import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.LoopbackServerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** Review reproduction: Movement keeps a mailbox per room name that a client moved in without becoming a member. */
@LoopbackServerTest
class MovementLeakTest {

    @Autowired
    Listener listener;
    @Autowired
    Movement movement;
    @Autowired
    Rooms rooms;

    @Test
    void roomsLeftAsSoonAsJoinedLeaveNoMailboxBehind() throws Exception {
        int before = movement.mailboxCount();
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
            Thread.sleep(1_000);
            Await.until("the fresh rooms dropped", java.time.Duration.ofSeconds(10),
                    () -> rooms.count() <= roomsBefore + 1);
            assertThat(movement.mailboxCount() - before).as("mailboxes left behind by " + rounds + " dropped rooms")
                    .isLessThan(5);
        }
    }
}
