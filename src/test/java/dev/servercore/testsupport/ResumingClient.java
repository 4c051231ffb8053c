package dev.servercore.testsupport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import dev.servercore.core.Frames;
import dev.servercore.core.KickReason;
import dev.servercore.core.SessionLayer;

/**
 * The client side of PROTOCOL.md v3's Resume over blocking sockets, for tests: it counts the server's numbered
 * frames, keeps its own until the server acknowledges them, and resumes on a new connection. Frames it reads that
 * are not the session layer's are numbered and returned; the test decides what to do with them.
 */
public final class ResumingClient implements AutoCloseable {

    /** What a resume came to: S_Resumed (with the server's count) or S_ResumeFailed (with its reason). */
    public record Outcome(boolean resumed, int sessionId, long serverReceived, KickReason failure) {
    }

    private FrameClient connection;
    private byte[] token;
    private long windowMs;
    /** Numbered server frames read so far. */
    private long received;
    /** Numbered frames this client sent (or began to send). */
    private long sent;
    /** What the server acknowledged (S_Ack) or said it has (S_Resumed). */
    private long serverHas;
    /** Sent frames the server has not acknowledged, oldest first; the first is number serverHas + 1. */
    private final Deque<byte[]> kept = new ArrayDeque<>();

    private ResumingClient(FrameClient connection) {
        this.connection = connection;
    }

    /** Connects to {@code port}, reads the welcome, and makes the session resumable. */
    public static ResumingClient open(int port) throws IOException {
        ResumingClient client = new ResumingClient(FrameClient.connect(port));
        client.connection.readFrame(); // S_Welcome
        client.enable();
        return client;
    }

    /** As {@link #open} on a connection already welcomed (and logged in, where required). */
    public static ResumingClient over(FrameClient welcomed) throws IOException {
        ResumingClient client = new ResumingClient(welcomed);
        client.enable();
        return client;
    }

    private void enable() throws IOException {
        connection.sendFrame(SessionLayer.C_RESUME_ENABLE, new byte[0]);
        while (true) {
            FrameClient.Frame frame = connection.readFrame();
            if (frame.packetId() == SessionLayer.S_RESUME_TOKEN) {
                ByteBuffer body = ByteBuffer.wrap(frame.body()).order(ByteOrder.LITTLE_ENDIAN);
                token = new byte[16];
                body.get(token);
                windowMs = body.getInt() & 0xFFFF_FFFFL;
                return;
            }
            if (frame.packetId() >= SessionLayer.FIRST_ID) {
                throw new IOException("expected S_ResumeToken, got 0x" + Integer.toHexString(frame.packetId()));
            }
            // a frame queued before the token: not numbered
        }
    }

    public byte[] token() {
        return token.clone();
    }

    public long windowMs() {
        return windowMs;
    }

    public long received() {
        return received;
    }

    public long sent() {
        return sent;
    }

    public FrameClient connection() {
        return connection;
    }

    /** Sends a numbered frame (kept until the server acknowledges it). */
    public void send(int packetId, byte[] body) throws IOException {
        byte[] frame = Frames.encode(packetId, body);
        kept.addLast(frame);
        sent++;
        connection.write(frame);
    }

    /** Counts a numbered frame as sent (and keeps it) after writing only its first {@code bytes}: a torn write. */
    public void sendPartly(int packetId, byte[] body, int bytes) throws IOException {
        byte[] frame = Frames.encode(packetId, body);
        kept.addLast(frame);
        sent++;
        connection.write(java.util.Arrays.copyOf(frame, bytes));
    }

    /** The next frame that is not the session layer's (numbered); S_Ack is taken in passing, S_Kick is returned. */
    public FrameClient.Frame read() throws IOException {
        while (true) {
            FrameClient.Frame frame = connection.readFrame();
            int id = frame.packetId();
            if (id == SessionLayer.S_ACK) {
                acknowledged(ByteBuffer.wrap(frame.body()).order(ByteOrder.LITTLE_ENDIAN).getLong());
                continue;
            }
            if (id < SessionLayer.FIRST_ID) {
                received++;
            }
            return frame;
        }
    }

    /** Sends C_Ack with what was read so far. */
    public void ack() throws IOException {
        connection.write(SessionLayer.ack(SessionLayer.C_ACK, received));
    }

    /**
     * Opens a new connection to {@code port} and resumes there: C_Resume as its first frame (after the welcome), then
     * the frames after the server's count again. Frames of the new connection's own session before the answer are
     * skipped. The old connection is left as it is.
     */
    public Outcome resume(int port) throws IOException {
        return resume(port, received);
    }

    /** As {@link #resume(int)}, claiming {@code count} frames received (a test of the server's checks). */
    public Outcome resume(int port, long count) throws IOException {
        FrameClient next = FrameClient.connect(port);
        next.readFrame(); // the fresh session's welcome
        next.write(SessionLayer.resume(token, count));
        while (true) {
            FrameClient.Frame frame = next.readFrame();
            ByteBuffer body = ByteBuffer.wrap(frame.body()).order(ByteOrder.LITTLE_ENDIAN);
            if (frame.packetId() == SessionLayer.S_RESUME_FAILED) {
                connection = next;
                return new Outcome(false, 0, 0, KickReason.ofCode(body.getShort() & 0xFFFF));
            }
            if (frame.packetId() == SessionLayer.S_RESUMED) {
                int id = body.getInt();
                long serverReceived = body.getLong();
                connection = next;
                acknowledged(serverReceived);
                List<byte[]> again = new ArrayList<>(kept);
                for (byte[] frameAgain : again) {
                    connection.write(frameAgain);
                }
                return new Outcome(true, id, serverReceived, null);
            }
        }
    }

    private void acknowledged(long count) throws IOException {
        if (count > sent) {
            throw new IOException("the server acknowledges " + count + " frames, but " + sent + " were sent");
        }
        while (serverHas < count) {
            kept.pollFirst();
            serverHas++;
        }
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }
}
