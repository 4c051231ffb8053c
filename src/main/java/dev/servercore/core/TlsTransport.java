package dev.servercore.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * TLS on the event loop: an {@link SSLEngine} between the socket and the session. Records read are
 * unwrapped into plain bytes for the session; queued sends are wrapped into records that wait here until
 * the socket takes them. Handshake work (delegated tasks included) runs on the loop, and the session's
 * sends wait until the handshake is done. Loop thread only.
 */
final class TlsTransport {

    /** A TLS peer with no idle timeout to stop it still has this long to finish its handshake. */
    static final long HANDSHAKE_TIMEOUT_NANOS = 30_000_000_000L;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SSLEngine engine;
    /** Records received and not yet unwrapped (write mode). */
    private ByteBuffer netIn;
    /** Records made and not yet written (write mode). */
    private ByteBuffer netOut;
    private boolean ready;

    TlsTransport(SSLEngine engine) {
        this.engine = engine;
        this.netIn = ByteBuffer.allocate(0);
        this.netOut = ByteBuffer.allocate(0);
    }

    void begin() throws SSLException {
        engine.beginHandshake();
        handshake();
    }

    /** The handshake is done: application bytes may flow. */
    boolean isReady() {
        return ready;
    }

    boolean hasOutput() {
        return netOut.position() > 0;
    }

    long pendingBytes() {
        return netOut.position();
    }

    /**
     * Takes the records in {@code read}, hands every plain byte they hold to the connection.
     *
     * @return true when the peer closed the TLS session (close_notify)
     */
    boolean unwrap(ByteBuffer read, SessionConnection connection) throws SSLException {
        netIn = append(netIn, read);
        netIn.flip();
        try {
            while (true) {
                handshake();
                if (!netIn.hasRemaining()) {
                    return false;
                }
                ByteBuffer plain = plainBuffer();
                SSLEngineResult result = engine.unwrap(netIn, plain);
                if (plain.position() > 0) {
                    plain.flip();
                    connection.deliver(plain);
                    if (!connection.isAccepting()) {
                        return false;
                    }
                }
                switch (result.getStatus()) {
                    case BUFFER_UNDERFLOW:
                        return false; // the rest of a record is still on its way
                    case CLOSED:
                        return true;
                    case BUFFER_OVERFLOW:
                        throw new SSLException("a record larger than the application buffer");
                    default:
                        if (result.bytesConsumed() == 0 && result.bytesProduced() == 0
                                && engine.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP) {
                            return false;
                        }
                }
            }
        } finally {
            netIn.compact();
            handshake();
        }
    }

    /** Wraps all of {@code plain} into records, kept until {@link #writeTo} writes them. */
    void wrap(ByteBuffer plain) throws SSLException {
        while (plain.hasRemaining()) {
            wrapOnce(plain);
        }
    }

    /** Writes what records the socket takes; returns the bytes written. */
    int writeTo(SocketChannel channel) throws IOException {
        netOut.flip();
        try {
            return channel.write(netOut);
        } finally {
            netOut.compact();
        }
    }

    /** Sends close_notify if the socket takes it at once; never waits. */
    void closeQuietly(SocketChannel channel) {
        try {
            engine.closeOutbound();
            if (channel.isOpen()) {
                wrapOnce(EMPTY);
                writeTo(channel);
            }
        } catch (IOException | RuntimeException ignored) {
            // the connection is closing anyway
        }
    }

    private void handshake() throws SSLException {
        while (true) {
            HandshakeStatus status = engine.getHandshakeStatus();
            if (status == HandshakeStatus.NEED_TASK) {
                for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                    task.run();
                }
            } else if (status == HandshakeStatus.NEED_WRAP) {
                if (wrapOnce(EMPTY).getStatus() == SSLEngineResult.Status.CLOSED) {
                    return;
                }
            } else {
                if (status == HandshakeStatus.NOT_HANDSHAKING) {
                    ready = true;
                }
                return;
            }
        }
    }

    private SSLEngineResult wrapOnce(ByteBuffer plain) throws SSLException {
        while (true) {
            int needed = engine.getSession().getPacketBufferSize();
            if (netOut.remaining() < needed) {
                netOut = grow(netOut, netOut.position() + needed);
            }
            SSLEngineResult result = engine.wrap(plain, netOut);
            if (result.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                return result;
            }
            netOut = grow(netOut, netOut.capacity() * 2);
        }
    }

    /** Reused for every unwrap of this connection; sized by the engine. */
    private ByteBuffer plain;

    private ByteBuffer plainBuffer() {
        int size = engine.getSession().getApplicationBufferSize();
        if (plain == null || plain.capacity() < size) {
            plain = ByteBuffer.allocate(size);
        }
        plain.clear();
        return plain;
    }

    private static ByteBuffer append(ByteBuffer to, ByteBuffer from) {
        if (to.remaining() < from.remaining()) {
            to = grow(to, to.position() + from.remaining());
        }
        return to.put(from);
    }

    private static ByteBuffer grow(ByteBuffer buffer, int capacity) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(capacity, 256));
        buffer.flip();
        return bigger.put(buffer);
    }
}
