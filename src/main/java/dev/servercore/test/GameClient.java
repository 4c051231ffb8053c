package dev.servercore.test;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

import dev.servercore.core.Frames;
import dev.servercore.core.KickReason;
import dev.servercore.core.SessionLayer;
import dev.servercore.game.Packet;
import dev.servercore.game.PacketType;

/**
 * A blocking game client over a real socket, for tests: it speaks PROTOCOL.md's framing (u16 LE size, header
 * included; u16 LE packet id; body) and the session layer's login and kick. Packets are awaited by id with a
 * timeout; the others that arrive meanwhile are kept, in order, for a later await. An {@code S_Kick} that arrives
 * while another packet is awaited ends the wait with a {@link KickedException}. Every wait is bounded. One thread
 * at a time.
 *
 * <pre>{@code
 * try (GameClient alice = GameClient.connect(port)) {
 *     alice.login(token);                              // S_LoginOk, or a KickedException with the reason
 *     alice.send(new Shout("hello"));                  // a Packet of the game's protocol
 *     Shout heard = alice.await(Shout.TYPE, Duration.ofSeconds(5));
 * }
 * }</pre>
 */
public final class GameClient implements AutoCloseable {

    /** How long a wait lasts when none is given. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** PROTOCOL.md's {@code S_Welcome}: the demo server's first packet (a game may send one of its own). */
    public static final int S_WELCOME = 1;

    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    /** Packets that arrived while another was awaited, in arrival order. */
    private final ArrayDeque<Frame> kept = new ArrayDeque<>();
    /** Bytes read and not yet a whole frame. */
    private byte[] pending = new byte[4096];
    private int pendingLength;
    private boolean endOfStream;
    private long bytesSent;
    private long bytesReceived;

    private GameClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects to {@code 127.0.0.1:port}, where a test's application listens. */
    public static GameClient connect(int port) {
        return connect("127.0.0.1", port);
    }

    public static GameClient connect(String host, int port) {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
            return new GameClient(socket);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UncheckedIOException("could not connect to " + host + ":" + port, e);
        }
    }

    /** Sends one frame of that id and body. */
    public void send(int packetId, byte[] body) {
        sendFrame(Frames.encode(packetId, body));
    }

    /** Sends one packet of the game's protocol, encoded by its type. */
    public void send(Packet packet) {
        sendFrame(packet.encode());
    }

    /** Sends bytes as given: a whole frame (as a codec encodes it), several, or a malformed one on purpose. */
    public void sendFrame(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            bytesSent += bytes.length;
        } catch (IOException e) {
            throw new UncheckedIOException("could not send", e);
        }
    }

    /** Awaits {@code S_Welcome} (id 1) and returns its text. */
    public String awaitWelcome() {
        return awaitPacket(S_WELCOME, DEFAULT_TIMEOUT).text();
    }

    /** Logs in and awaits the answer, within {@link #DEFAULT_TIMEOUT}. */
    public LoginOk login(String credential) {
        return login(credential, DEFAULT_TIMEOUT);
    }

    /**
     * Sends {@code C_Login} with the credential and awaits {@code S_LoginOk}: who the server now knows this session
     * to be. A refusal is the {@link KickedException} of the {@code S_Kick} that answers it.
     */
    public LoginOk login(String credential, Duration timeout) {
        send(SessionLayer.C_LOGIN, credential.getBytes(StandardCharsets.UTF_8));
        Frame ok = awaitPacket(SessionLayer.S_LOGIN_OK, timeout);
        ByteBuffer body = ok.buffer();
        if (body.remaining() < 4) {
            throw new IllegalStateException("an S_LoginOk of " + body.remaining() + " bytes");
        }
        long sessionId = body.getInt() & 0xFFFF_FFFFL;
        return new LoginOk(sessionId, StandardCharsets.UTF_8.decode(body).toString());
    }

    /**
     * The first packet of that id, kept or yet to come, within the timeout; other packets that arrive meanwhile are
     * kept for later. An {@code S_Kick} ends the wait with a {@link KickedException} (unless {@code S_Kick} is what
     * is awaited); the connection closing ends it with an {@link UncheckedIOException}; the timeout with a
     * {@link PacketTimeoutException}.
     */
    public Frame awaitPacket(int packetId, Duration timeout) {
        for (Iterator<Frame> it = kept.iterator(); it.hasNext(); ) {
            Frame packet = it.next();
            if (packet.id() == packetId) {
                it.remove();
                return packet;
            }
            throwIfKick(packet, packetId);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Integer> skipped = new ArrayList<>();
        while (true) {
            Frame packet = read(deadline, () -> "packet " + packetId + " within " + timeout + " (skipped "
                    + skipped + ")");
            if (packet.id() == packetId) {
                return packet;
            }
            kept.add(packet);
            skipped.add(packet.id());
            throwIfKick(packet, packetId);
        }
    }

    /**
     * As {@link #awaitPacket(int, Duration)}, for a packet type of the game's protocol: the packet decoded. A body
     * the type refuses is a {@code ProtocolException}, as it would be on the server.
     */
    public <P> P await(PacketType<P> type, Duration timeout) {
        return type.decode(awaitPacket(type.id(), timeout).buffer());
    }

    /** The next packet, whatever its id (the oldest kept one first), within the timeout. */
    public Frame nextPacket(Duration timeout) {
        Frame keptPacket = kept.poll();
        if (keptPacket != null) {
            return keptPacket;
        }
        return read(System.nanoTime() + timeout.toNanos(), () -> "any packet within " + timeout);
    }

    /** Awaits the server's {@code S_Kick} and returns its reason and text. */
    public Kick awaitKick(Duration timeout) {
        return Kick.of(awaitPacket(SessionLayer.S_KICK, timeout));
    }

    /** Packets that arrived while others were awaited and are not yet taken, oldest first. */
    public List<Frame> keptPackets() {
        return List.copyOf(kept);
    }

    /**
     * True when the server closes the connection within the timeout (end of stream or reset); what it sends before
     * is kept.
     */
    public boolean awaitClosed(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!endOfStream) {
            try {
                if (!fill(deadline)) {
                    return false;
                }
                drainFrames();
            } catch (SocketException reset) {
                endOfStream = true;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return true;
    }

    /** Bytes written to the socket so far. */
    public long bytesSent() {
        return bytesSent;
    }

    /** Bytes of whole frames read so far. */
    public long bytesReceived() {
        return bytesReceived;
    }

    /** This end's port: the server's logs and metrics name it. */
    public int localPort() {
        return socket.getLocalPort();
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static void throwIfKick(Frame packet, int awaited) {
        if (packet.id() == SessionLayer.S_KICK && awaited != SessionLayer.S_KICK) {
            throw new KickedException(Kick.of(packet), awaited);
        }
    }

    private Frame read(long deadline, java.util.function.Supplier<String> awaited) {
        try {
            while (true) {
                Frame packet = takeFrame();
                if (packet != null) {
                    return packet;
                }
                if (endOfStream) {
                    throw new EOFException("closed by the server while awaiting " + awaited.get());
                }
                if (!fill(deadline)) {
                    throw new PacketTimeoutException("no " + awaited.get());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads what arrives before the deadline into {@code pending}; false when nothing did. */
    private boolean fill(long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
        if (pendingLength == pending.length) {
            pending = Arrays.copyOf(pending, pending.length * 2);
        }
        int read;
        try {
            read = in.read(pending, pendingLength, pending.length - pendingLength);
        } catch (SocketTimeoutException timeout) {
            return false;
        }
        if (read < 0) {
            endOfStream = true;
        } else {
            pendingLength += read;
        }
        return true;
    }

    private void drainFrames() {
        for (Frame packet; (packet = takeFrame()) != null; ) {
            kept.add(packet);
        }
    }

    /** The next whole frame of {@code pending}, or null while it is not all there. */
    private Frame takeFrame() {
        if (pendingLength < Frames.HEADER_SIZE) {
            return null;
        }
        int size = Frames.getUInt16(pending, 0);
        if (size < Frames.HEADER_SIZE) {
            throw new IllegalStateException("the server sent a frame of size " + size + ": not PROTOCOL.md framing");
        }
        if (pendingLength < size) {
            if (pending.length < size) {
                pending = Arrays.copyOf(pending, Math.max(size, pending.length * 2));
            }
            return null;
        }
        Frame packet = new Frame(Frames.getUInt16(pending, 2), Arrays.copyOfRange(pending, Frames.HEADER_SIZE, size));
        System.arraycopy(pending, size, pending, 0, pendingLength - size);
        pendingLength -= size;
        bytesReceived += size;
        return packet;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing left to tell
        }
    }

    /** A frame received: its packet id and its body. */
    public record Frame(int id, byte[] body) {

        public Frame {
            Objects.requireNonNull(body, "body");
        }

        /** The body to read, little-endian as PROTOCOL.md's integers. */
        public ByteBuffer buffer() {
            return ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
        }

        /** The body as UTF-8 text. */
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "Frame[id=" + id + ", " + body.length + " bytes]";
        }
    }

    /** {@code S_LoginOk}: the session's id, and who the server now knows it to be. */
    public record LoginOk(long sessionId, String principal) {
    }

    /** {@code S_Kick}: why the server closes the session (null for a code this engine does not know), and its text. */
    public record Kick(KickReason reason, int code, String text) {

        static Kick of(Frame packet) {
            ByteBuffer body = packet.buffer();
            if (body.remaining() < 2) {
                return new Kick(null, 0, "");
            }
            int code = body.getShort() & 0xFFFF;
            return new Kick(KickReason.ofCode(code), code, StandardCharsets.UTF_8.decode(body).toString());
        }
    }
}
