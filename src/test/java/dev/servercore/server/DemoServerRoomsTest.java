package dev.servercore.server;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.servercore.core.Listener;
import dev.servercore.protocol.ChatMessage;
import dev.servercore.protocol.ChatRequest;
import dev.servercore.protocol.JoinRoom;
import dev.servercore.protocol.JoinedRoom;
import dev.servercore.protocol.Move;
import dev.servercore.protocol.Moves;
import dev.servercore.protocol.Welcome;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.LoopbackServerTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo server speaks PROTOCOL.md v2: rooms, chat to the sender's room, moves batched per tick. */
@LoopbackServerTest
class DemoServerRoomsTest {

    @Autowired
    Listener listener;

    private final List<FrameClient> clients = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (FrameClient client : clients) {
            client.close();
        }
    }

    private FrameClient connect() throws Exception {
        FrameClient client = FrameClient.connect(listener.port());
        clients.add(client);
        client.socket().setSoTimeout(5_000);
        assertThat(client.readFrame().packetId()).isEqualTo(Welcome.ID);
        return client;
    }

    private JoinedRoom join(FrameClient client, String room) throws Exception {
        client.write(new JoinRoom(room).encode());
        FrameClient.Frame answer = client.readFrame();
        assertThat(answer.packetId()).isEqualTo(JoinedRoom.ID);
        return JoinedRoom.TYPE.decode(java.nio.ByteBuffer.wrap(answer.body()));
    }

    @Test
    void joiningARoomIsAnsweredWithTheRoomsSizeAndChatStaysInTheRoom() throws Exception {
        FrameClient red1 = connect();
        FrameClient red2 = connect();
        FrameClient blue = connect();
        FrameClient lobby = connect();
        JoinedRoom first = join(red1, "red-" + System.nanoTime());
        assertThat(first.members()).isEqualTo(1);
        JoinedRoom second = join(red2, first.room());
        assertThat(second.members()).isEqualTo(2);
        assertThat(second.sessionId()).isNotEqualTo(first.sessionId());
        join(blue, "blue-" + System.nanoTime());

        red1.write(new ChatRequest("for red only").encode());
        for (FrameClient member : List.of(red1, red2)) {
            ChatMessage chat = ChatMessage.TYPE.decode(java.nio.ByteBuffer.wrap(member.readFrame().body()));
            assertThat(chat).isEqualTo(new ChatMessage(first.sessionId(), "for red only"));
        }
        // the others got nothing: their next frame is their own echo
        for (FrameClient other : List.of(blue, lobby)) {
            other.sendFrame(2, new byte[] {9});
            assertThat(other.readFrame().packetId()).isEqualTo(2);
        }
    }

    @Test
    void movesAreCoalescedPerTickAndEveryMemberSeesEveryLatestPosition() throws Exception {
        String room = "moves-" + System.nanoTime();
        List<FrameClient> members = new ArrayList<>();
        Map<Long, FrameClient> byId = new HashMap<>();
        for (int i = 0; i < 5; i++) {
            FrameClient client = connect();
            byId.put(join(client, room).sessionId(), client);
            members.add(client);
        }
        for (FrameClient member : members) { // ten moves in one write: they coalesce into the last
            java.io.ByteArrayOutputStream moves = new java.io.ByteArrayOutputStream();
            for (int k = 1; k <= 10; k++) {
                moves.writeBytes(new Move(k, members.indexOf(member) * 100 + k).encode());
            }
            member.write(moves.toByteArray());
        }
        for (FrameClient member : members) {
            Map<Long, List<Moves.Entry>> seen = new HashMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (seen.size() < 5 || seen.values().stream().anyMatch(e -> e.get(e.size() - 1).x() != 10)) {
                assertThat(System.nanoTime()).as("all latest positions seen").isLessThan(deadline);
                FrameClient.Frame frame = member.readFrame();
                if (frame.packetId() == JoinedRoom.ID) {
                    continue; // a later member's join was answered to that member, never to this one
                }
                assertThat(frame.packetId()).isEqualTo(Moves.ID);
                for (Moves.Entry entry : Moves.TYPE.decode(java.nio.ByteBuffer.wrap(frame.body())).entries()) {
                    seen.computeIfAbsent(entry.sessionId(), id -> new ArrayList<>()).add(entry);
                }
            }
            assertThat(seen.keySet()).isEqualTo(byId.keySet()); // only members of the room
            for (Map.Entry<Long, List<Moves.Entry>> moves : seen.entrySet()) {
                int index = members.indexOf(byId.get(moves.getKey()));
                Moves.Entry last = moves.getValue().get(moves.getValue().size() - 1);
                assertThat(last).isEqualTo(new Moves.Entry(moves.getKey(), 10, index * 100 + 10));
                assertThat(moves.getValue().size()).as("entries for ten moves in one write").isLessThanOrEqualTo(2);
            }
        }
    }

    /** Review finding: a C_JoinRoom of the room the session was in already (its lobby too) got no answer. */
    @Test
    void joiningTheRoomTheSessionIsInIsAnsweredToo() throws Exception {
        FrameClient client = connect();
        client.sendFrame(2, new byte[] {1}); // an echo: by its answer the lobby's own join is long done
        assertThat(client.readFrame().packetId()).isEqualTo(2);
        Thread.sleep(100);
        assertThat(join(client, DemoHandlers.LOBBY).room()).isEqualTo(DemoHandlers.LOBBY);
        String room = "again-" + System.nanoTime();
        JoinedRoom first = join(client, room);
        JoinedRoom again = join(client, room);
        assertThat(again).isEqualTo(first);
    }

    @Test
    void aBadRoomNameIsAProtocolError() throws Exception {
        FrameClient client = connect();
        client.sendFrame(JoinRoom.ID, "no spaces allowed".getBytes(StandardCharsets.UTF_8));
        assertThat(client.closedByPeerWithin(5_000)).isTrue();
    }
}
