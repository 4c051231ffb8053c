package dev.servercore.server;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.servercore.core.Connector;
import dev.servercore.core.KickReason;
import dev.servercore.core.Listener;
import dev.servercore.core.PacketSession;
import dev.servercore.core.SessionLayer;
import dev.servercore.protocol.ChatMessage;
import dev.servercore.protocol.ChatRequest;
import dev.servercore.protocol.Echo;
import dev.servercore.protocol.JoinRoom;
import dev.servercore.protocol.JoinedRoom;
import dev.servercore.protocol.Move;
import dev.servercore.protocol.Welcome;
import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.LoopbackServerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review finding: one chat packet disconnected every ServerCore client of its room. A 4,092-byte C_Chat was
 * relayed as a 4,100-byte S_Chat (above the 4,096-byte maximum frame), a body of one 0xFF byte as is (not
 * UTF-8). What the server relays is now checked: a chat it cannot relay closes its sender with
 * S_Kick(protocol_error), and no member sees it.
 */
@LoopbackServerTest
class PoisonChatTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Autowired
    Listener listener;
    @Autowired
    ApplicationContext context;

    /** A ServerCore client in the room: counts the chats it gets, notices if it is dropped. */
    static final class Member extends PacketSession {
        private final String room;
        final AtomicInteger chats = new AtomicInteger();
        volatile boolean joined;
        volatile boolean disconnected;

        Member(String room) {
            this.room = room;
        }

        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
            switch (packetId) {
                case Welcome.ID -> send(new JoinRoom(room).encode());
                case JoinedRoom.ID -> joined = true;
                case ChatMessage.ID -> chats.incrementAndGet();
                default -> {
                }
            }
        }

        @Override
        protected void onDisconnected(InetSocketAddress endpoint) {
            disconnected = true;
        }
    }

    private static FrameClient join(int port, String room) throws Exception {
        FrameClient client = FrameClient.connect(port);
        client.socket().setSoTimeout(5_000);
        assertThat(client.readFrame().packetId()).isEqualTo(Welcome.ID);
        client.write(new JoinRoom(room).encode());
        assertThat(client.readFrame().packetId()).isEqualTo(JoinedRoom.ID);
        return client;
    }

    /** The sender is told why and closed; a raw member and a ServerCore member see nothing of it. */
    private void poisonClosesOnlyItsSender(byte[] chatBody) throws Exception {
        String room = "poison-" + System.nanoTime();
        Connector connector = Endpoints.connector(context, "poison-" + System.nanoTime(), listener.port(),
                () -> new Member(room));
        try (FrameClient sender = join(listener.port(), room); FrameClient raw = join(listener.port(), room)) {
            Member member = (Member) connector.connect().get(10, TimeUnit.SECONDS);
            Await.until("joined", WAIT, () -> member.joined);

            sender.sendFrame(ChatRequest.ID, chatBody);
            FrameClient.Frame answer = sender.readFrame();
            assertThat(answer.packetId()).as("the sender's answer").isEqualTo(SessionLayer.S_KICK);
            assertThat(SessionLayer.reasonOf(ByteBuffer.wrap(answer.body()))).isEqualTo(KickReason.PROTOCOL_ERROR);
            assertThat(sender.closedByPeerWithin(5_000)).isTrue();

            // a chat after it, from the raw member: the first chat either member gets is that one
            raw.write(new ChatRequest("after").encode());
            FrameClient.Frame first = raw.readFrame();
            assertThat(first.packetId()).isEqualTo(ChatMessage.ID);
            assertThat(ChatMessage.TYPE.decode(ByteBuffer.wrap(first.body())).text()).isEqualTo("after");
            Await.until("the ServerCore member got the later chat", WAIT,
                    () -> member.chats.get() >= 1 || member.disconnected);
            assertThat(member.disconnected).as("the ServerCore member was dropped").isFalse();
            assertThat(member.chats.get()).as("chats the ServerCore member got").isEqualTo(1);
        } finally {
            connector.stop();
        }
    }

    @Test
    void aChatTooLongToRelayClosesOnlyItsSender() throws Exception {
        byte[] text = new byte[4092]; // the largest frame the server takes; relayed, it would be 4,100 bytes
        Arrays.fill(text, (byte) 'x');
        poisonClosesOnlyItsSender(text);
    }

    @Test
    void aChatOneByteOverTheRelayableSizeClosesOnlyItsSender() throws Exception {
        byte[] text = new byte[4096 - 8 + 1];
        Arrays.fill(text, (byte) 'x');
        poisonClosesOnlyItsSender(text);
    }

    @Test
    void aChatThatIsNotUtf8ClosesOnlyItsSender() throws Exception {
        poisonClosesOnlyItsSender(new byte[] {(byte) 0xFF});
    }

    @Test
    void aChatWithAnUnpairedSurrogateOrAnOverlongEncodingClosesOnlyItsSender() throws Exception {
        poisonClosesOnlyItsSender(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}); // U+D800 in CESU form
        poisonClosesOnlyItsSender(new byte[] {(byte) 0xC0, (byte) 0xAF}); // '/' in two bytes
    }

    @Test
    void theLargestRelayableChatReachesEveryMember() throws Exception {
        String room = "largest-" + System.nanoTime();
        try (FrameClient sender = join(listener.port(), room); FrameClient other = join(listener.port(), room)) {
            String text = "é".repeat((4096 - 8) / 2); // two bytes each: 4,088 bytes of UTF-8
            sender.write(new ChatRequest(text).encode());
            for (FrameClient member : new FrameClient[] {sender, other}) {
                FrameClient.Frame chat = member.readFrame();
                assertThat(chat.size()).isEqualTo(4096);
                assertThat(ChatMessage.TYPE.decode(ByteBuffer.wrap(chat.body())).text()).isEqualTo(text);
            }
        }
    }

    @Test
    void aMoveOfTheWrongLengthClosesItsSenderWithProtocolError() throws Exception {
        for (byte[] body : new byte[][] {new byte[7], new byte[9], new byte[0]}) {
            try (FrameClient mover = join(listener.port(), "moves-" + System.nanoTime())) {
                mover.sendFrame(Move.ID, body);
                FrameClient.Frame answer = mover.readFrame();
                assertThat(answer.packetId()).isEqualTo(SessionLayer.S_KICK);
                assertThat(SessionLayer.reasonOf(ByteBuffer.wrap(answer.body()))).isEqualTo(KickReason.PROTOCOL_ERROR);
                assertThat(mover.closedByPeerWithin(5_000)).isTrue();
            }
        }
    }

    @Test
    void aJoinWithANameThatIsNotUtf8OrTooLongClosesItsSenderWithProtocolError() throws Exception {
        byte[][] names = {{(byte) 0xFF}, "x".repeat(33).getBytes(StandardCharsets.UTF_8), new byte[4092], {}};
        for (byte[] name : names) {
            try (FrameClient client = FrameClient.connect(listener.port())) {
                assertThat(client.readFrame().packetId()).isEqualTo(Welcome.ID);
                client.sendFrame(JoinRoom.ID, name);
                FrameClient.Frame answer = client.readFrame();
                assertThat(answer.packetId()).isEqualTo(SessionLayer.S_KICK);
                assertThat(SessionLayer.reasonOf(ByteBuffer.wrap(answer.body()))).isEqualTo(KickReason.PROTOCOL_ERROR);
                assertThat(client.closedByPeerWithin(5_000)).isTrue();
            }
        }
    }

    @Test
    void anEchoOfTheLargestBodyIsAnsweredWithinTheMaximumFrame() throws Exception {
        try (FrameClient client = FrameClient.connect(listener.port())) {
            assertThat(client.readFrame().packetId()).isEqualTo(Welcome.ID);
            byte[] body = new byte[4092];
            Arrays.fill(body, (byte) 0xFF); // any bytes, not text
            client.sendFrame(Echo.ID, body);
            FrameClient.Frame reply = client.readFrame();
            assertThat(reply.size()).isEqualTo(4096);
            assertThat(reply.body()).isEqualTo(body);
        }
    }
}
