package dev.servercore.cluster;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import dev.servercore.protocol.ChatMessage;
import dev.servercore.protocol.ChatRequest;
import dev.servercore.protocol.JoinRoom;
import dev.servercore.protocol.JoinedRoom;
import dev.servercore.protocol.Move;
import dev.servercore.protocol.Moves;
import dev.servercore.protocol.Welcome;
import dev.servercore.testsupport.FrameClient;

import static org.assertj.core.api.Assertions.assertThat;

/** A client of one node, in one room, whose frames a thread of its own collects. */
final class RoomMember implements AutoCloseable {

    private final FrameClient client;
    private final List<FrameClient.Frame> frames = new ArrayList<>();
    private final Thread reader;
    final String node;
    JoinedRoom joined;

    private RoomMember(FrameClient client, String node) {
        this.client = client;
        this.node = node;
        this.reader = new Thread(this::read, "member-reader-" + client.localPort());
        reader.setDaemon(true);
    }

    /** Connects, takes the welcome, joins {@code room} and waits for S_JoinedRoom. */
    static RoomMember join(int port, String node, String room) throws Exception {
        FrameClient client = FrameClient.connect(port);
        client.socket().setSoTimeout(10_000);
        assertThat(client.readFrame().packetId()).isEqualTo(Welcome.ID);
        client.write(new JoinRoom(room).encode());
        FrameClient.Frame answer = client.readFrame();
        assertThat(answer.packetId()).isEqualTo(JoinedRoom.ID);
        RoomMember member = new RoomMember(client, node);
        member.joined = JoinedRoom.TYPE.decode(ByteBuffer.wrap(answer.body()));
        client.socket().setSoTimeout(0);
        member.reader.start();
        return member;
    }

    long id() {
        return joined.sessionId();
    }

    private void read() {
        try {
            while (true) {
                FrameClient.Frame frame = client.readFrame();
                synchronized (frames) {
                    frames.add(frame);
                    frames.notifyAll();
                }
            }
        } catch (Exception closed) {
            // the test closed it
        }
    }

    void chat(String text) throws Exception {
        client.write(new ChatRequest(text).encode());
    }

    void move(int x, int y) throws Exception {
        client.write(new Move(x, y).encode());
    }

    List<ChatMessage> chats() {
        List<ChatMessage> chats = new ArrayList<>();
        for (FrameClient.Frame frame : snapshot()) {
            if (frame.packetId() == ChatMessage.ID) {
                chats.add(ChatMessage.TYPE.decode(ByteBuffer.wrap(frame.body())));
            }
        }
        return chats;
    }

    long chatsStartingWith(String prefix) {
        return chats().stream().filter(c -> c.text().startsWith(prefix)).count();
    }

    List<Moves.Entry> moves() {
        List<Moves.Entry> entries = new ArrayList<>();
        for (FrameClient.Frame frame : snapshot()) {
            if (frame.packetId() == Moves.ID) {
                entries.addAll(Moves.TYPE.decode(ByteBuffer.wrap(frame.body())).entries());
            }
        }
        return entries;
    }

    List<FrameClient.Frame> snapshot() {
        synchronized (frames) {
            return List.copyOf(frames);
        }
    }

    /** Waits until the frames so far satisfy {@code done}; false at the timeout. */
    boolean await(Duration timeout, Predicate<RoomMember> done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (frames) {
            while (!done.test(this)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                frames.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }

    @Override
    public void close() throws Exception {
        client.close();
    }

    @Override
    public String toString() {
        return "member " + (joined == null ? "?" : id()) + " on " + node;
    }
}
