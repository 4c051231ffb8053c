package dev.servercore.core;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.servercore.testsupport.Await;
import dev.servercore.testsupport.Endpoints;
import dev.servercore.testsupport.LoopbackServerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Sessions#sendAll}: one drain task per event loop, yet every session gets what one thread sent it in
 * the order it was sent, whether by {@code send} or {@code sendAll}, from a loop or from elsewhere.
 */
@LoopbackServerTest
class SendAllTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Autowired
    ApplicationContext context;

    static byte[] frame(int seq) {
        byte[] frame = Frames.newFrame(Frames.HEADER_SIZE + 4, 5);
        ByteBuffer.wrap(frame, Frames.HEADER_SIZE, 4).putInt(seq);
        return frame;
    }

    static final class Member extends PacketSession {
        @Override
        protected void onRecvPacket(int packetId, ByteBuffer body) {
        }
    }

    @Test
    void sendAllKeepsEachThreadsOrderAcrossLoopsAndSends() throws Exception {
        Queue<Member> opened = new ConcurrentLinkedQueue<>();
        List<Member> members = new ArrayList<>();
        Listener listener = Endpoints.listener(context, "send-all", ServerCoreProperties.of(Map.of(
                "listener.event-loops", "3", "session.send-queue-limit", "64MB")), () -> {
                    Member m = new Member();
                    opened.add(m);
                    return m;
                });
        int clients = 12;
        int sends = 3000;
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                Socket socket = new Socket();
                socket.setSoTimeout(10_000);
                socket.connect(new InetSocketAddress("127.0.0.1", listener.port()), 5_000);
                sockets.add(socket);
            }
            Await.until("sessions open", WAIT, () -> opened.size() == clients);
            members.addAll(opened);
            List<Thread> readers = new ArrayList<>();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (Socket socket : sockets) {
                Thread reader = new Thread(() -> {
                    try {
                        DataInputStream in = new DataInputStream(socket.getInputStream());
                        for (int expected = 0; expected < sends; expected++) {
                            int size = in.readUnsignedByte() | in.readUnsignedByte() << 8;
                            in.readUnsignedShort();
                            byte[] body = new byte[size - Frames.HEADER_SIZE];
                            in.readFully(body);
                            assertThat(ByteBuffer.wrap(body).getInt()).as("sequence").isEqualTo(expected);
                        }
                    } catch (IOException | AssertionError e) {
                        failures.add(e);
                    }
                }, "send-all-reader");
                reader.start();
                readers.add(reader);
            }
            // one sender thread: single sends and sendAll interleaved, each session seeing 0, 1, 2, ... in order
            for (int seq = 0; seq < sends; seq++) {
                byte[] frame = frame(seq);
                if (seq % 3 == 1) {
                    for (Member m : members) {
                        assertThat(m.send(frame)).isTrue();
                    }
                } else {
                    assertThat(Sessions.sendAll(members, frame)).isEqualTo(clients);
                }
            }
            for (Thread reader : readers) {
                reader.join(WAIT.toMillis());
            }
            assertThat(failures).isEmpty();
            // and from a loop: the sessions of that loop are sent to at once, the others through their loops
            Member first = members.get(0);
            byte[] last = frame(sends);
            java.util.concurrent.CompletableFuture<Integer> fromLoop = new java.util.concurrent.CompletableFuture<>();
            first.connection().loop().execute(() -> fromLoop.complete(Sessions.sendAll(members, last)));
            assertThat(fromLoop.get()).isEqualTo(clients);
            for (Socket socket : sockets) {
                DataInputStream in = new DataInputStream(socket.getInputStream());
                int size = in.readUnsignedByte() | in.readUnsignedByte() << 8;
                in.readUnsignedShort();
                byte[] body = new byte[size - Frames.HEADER_SIZE];
                in.readFully(body);
                assertThat(ByteBuffer.wrap(body).getInt()).isEqualTo(sends);
            }
            // closed sessions do not count
            sockets.get(0).close();
            Await.until("one session ended", WAIT, () -> members.stream().filter(m -> !m.isConnected()).count() == 1);
            assertThat(Sessions.sendAll(members, frame(0))).isEqualTo(clients - 1);
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
            listener.stop();
        }
    }
}
