package dev.servercore.server;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.servercore.core.Connector;
import dev.servercore.core.Listener;
import dev.servercore.core.PacketSession;
import dev.servercore.core.Session;
import dev.servercore.protocol.ChatMessage;
import dev.servercore.protocol.ChatRequest;
import dev.servercore.protocol.JoinRoom;
import dev.servercore.protocol.JoinedRoom;
import dev.servercore.protocol.Welcome;
import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.FrameClient;
import dev.servercore.testsupport.LoopbackServerTest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review finding: one session of a 200-member room sending the largest chats it may, as fast as it can, closed
 * every member as a slow consumer within 0.1 s (a tick's chats went out as one array above the send-queue
 * limit). With the default settings, the flood is cut by the chat's @RateLimit and then by the member's budget
 * of a tick: no honest member is closed, and each gets every honest chat.
 */
@LoopbackServerTest
class ChatFloodTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int MEMBERS = 200;
    private static final int HONEST_SENDERS = 5;
    private static final int HONEST_ROUNDS = 10;
    /** The largest chat text the server relays: S_Chat (4 + 4 + text) is then exactly 4,096 bytes. */
    private static final int MAX_TEXT = 4096 - 8;

    @Autowired
    Listener listener;
    @Autowired
    ApplicationContext context;
    @Autowired
    MeterRegistry meters;

    /** A ServerCore client member: joins the room on its welcome, counts the honest chats it gets. */
    static final class Member extends PacketSession {
        private final String room;
        final AtomicInteger honest = new AtomicInteger();
        final AtomicLong floodBytes = new AtomicLong();
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
                case ChatMessage.ID -> {
                    ChatMessage chat = ChatMessage.TYPE.decode(body);
                    if (chat.text().startsWith("honest-")) {
                        honest.incrementAndGet();
                    } else {
                        floodBytes.addAndGet(chat.text().length());
                    }
                }
                default -> {
                }
            }
        }

        @Override
        protected void onDisconnected(InetSocketAddress endpoint) {
            disconnected = true;
        }
    }

    private double closed(String reason) {
        return Search.in(meters).name("servercore.sessions.closed").tag("endpoint", "listener").tag("reason", reason)
                .counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @Test
    void aFlooderOfMaxSizeChatsClosesNoHonestMemberAndTheHonestChatsAllArrive() throws Exception {
        String room = "flood-" + System.nanoTime();
        Connector connector = Endpoints.connector(context, "flood-members", listener.port(), () -> new Member(room));
        try (FrameClient flooder = FrameClient.connect(listener.port())) {
            List<CompletableFuture<Session>> connects = new ArrayList<>();
            for (int i = 0; i < MEMBERS; i++) {
                connects.add(connector.connect());
            }
            List<Member> members = new ArrayList<>();
            for (CompletableFuture<Session> connect : connects) {
                members.add((Member) connect.get(10, TimeUnit.SECONDS));
            }
            Await.until("every member joined", WAIT, () -> members.stream().allMatch(m -> m.joined));
            assertThat(flooder.readFrame().packetId()).isEqualTo(Welcome.ID);
            flooder.write(new JoinRoom(room).encode());
            while (flooder.readFrame().packetId() != JoinedRoom.ID) {
                // the lobby's traffic before the answer
            }
            double slowBefore = closed("slow_consumer");

            byte[] text = new byte[MAX_TEXT];
            Arrays.fill(text, (byte) 'f');
            byte[] chat = FrameClient.frame(ChatRequest.ID, text);
            byte[] burst = new byte[chat.length * 16];
            for (int i = 0; i < 16; i++) {
                System.arraycopy(chat, 0, burst, i * chat.length, chat.length);
            }
            AtomicLong flooded = new AtomicLong();
            long floodUntil = System.nanoTime() + Duration.ofMillis(2_500).toNanos();
            Thread flood = new Thread(() -> {
                try {
                    while (System.nanoTime() < floodUntil) {
                        flooder.write(burst); // never reads: its own copies pile up at the server too
                        flooded.addAndGet(burst.length);
                    }
                } catch (Exception closedByTheServer) {
                    // the server may drop the flooder itself; that is its business
                }
            }, "chat-flooder");
            flood.start();
            Thread.sleep(200); // the flood is on
            for (int n = 0; n < HONEST_ROUNDS; n++) {
                for (int s = 0; s < HONEST_SENDERS; s++) {
                    members.get(s * 40).send(new ChatRequest("honest-" + s + "-" + n).encode());
                }
                Thread.sleep(250); // 4 chats a second: within what the demo lets a person type
            }
            flood.join(10_000);

            int honestChats = HONEST_SENDERS * HONEST_ROUNDS;
            Await.until("every member got every honest chat", WAIT,
                    () -> members.stream().allMatch(m -> m.honest.get() == honestChats || m.disconnected));
            long closedMembers = members.stream().filter(m -> m.disconnected).count();
            System.out.printf("[chat flood] %d MB of max-size chats in 2.5 s into a room of %d; each member got %d KB"
                    + " of them; honest members closed: %d; server slow_consumer closes: %.0f%n",
                    flooded.get() >> 20, MEMBERS + 1, members.get(1).floodBytes.get() >> 10, closedMembers,
                    closed("slow_consumer") - slowBefore);
            assertThat(closedMembers).as("honest members closed").isZero();
            assertThat(members).allSatisfy(m -> assertThat(m.honest.get()).isEqualTo(honestChats));
            assertThat(Search.in(meters).name("servercore.rooms.broadcasts.dropped").tag("reason", "member_budget")
                    .counter().count()).as("the flood's excess, dropped and counted").isPositive();
        } finally {
            connector.stop();
        }
    }
}
