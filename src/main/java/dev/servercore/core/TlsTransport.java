package dev.servercore.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executor;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * TLS on the event loop: an {@link SSLEngine} between the socket and the session. First the handshake
 * ({@link #handshake}, driven by the connection while it opens), whose delegated tasks run on the endpoint's
 * handshake threads ({@link TlsHandshakes}); then records read are unwrapped into plain bytes for the session,
 * and queued sends are wrapped into records that wait here until the socket takes them. Loop thread only, and
 * never while a delegated task runs: the engine holds its lock for the task.
 *
 * <p>Once the session is open, a new handshake (a TLS 1.2 renegotiation) is refused: it would put a
 * handshake's cost back on the loop. TLS 1.3's post-handshake messages (key updates, session tickets) are
 * not handshakes of that kind and are answered as they come.
 */
final class TlsTransport {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /** Where a handshake stands after {@link #handshake}. */
    enum Progress {
        /** It waits for the peer's next bytes. */
        NEEDS_INPUT,
        /** A delegated task runs on a handshake thread; the resumption is posted to the loop when it is done. */
        TASK_RUNNING,
        /** Every handshake thread is taken and the queue is full: the connection is to be refused. */
        BUSY,
        /** Done: application bytes may flow. */
        READY
    }

    private final SSLEngine engine;
    private final TlsHandshakes handshakes;
    /** Records received and not yet unwrapped (write mode). */
    private ByteBuffer netIn;
    /** Records made and not yet written (write mode). */
    private ByteBuffer netOut;
    /** Reused for every unwrap of this connection; sized by the engine. */
    private ByteBuffer plain;
    private boolean taskRunning;
    /** When the partial record held in {@link #netIn} began (loop nanos), or 0. */
    private long partialRecordSince;

    TlsTransport(SSLEngine engine, TlsHandshakes handshakes) {
        this.engine = engine;
        this.handshakes = handshakes;
        this.netIn = ByteBuffer.allocate(0);
        this.netOut = ByteBuffer.allocate(0);
    }

    /** Starts the handshake; a client's first flight is then made by the first {@link #handshake}. */
    void begin() throws SSLException {
        engine.beginHandshake();
    }

    /**
     * Takes {@code read} (possibly empty) and goes on with the handshake as far as it can: unwraps the peer's
     * records, wraps this side's (they wait in {@link #hasOutput}), and hands delegated tasks to the handshake
     * threads. After {@link Progress#TASK_RUNNING}, {@code resume} is run on {@code loop} once the task is done,
     * and the caller calls this again. Bytes after the handshake's last record stay here for {@link #unwrap}.
     */
    Progress handshake(ByteBuffer read, Executor loop, Runnable resume) throws SSLException {
        netIn = append(netIn, read);
        if (taskRunning) {
            return Progress.TASK_RUNNING;
        }
        netIn.flip();
        try {
            while (true) {
                HandshakeStatus status = engine.getHandshakeStatus();
                switch (status) {
                    case NEED_TASK:
                        if (!handshakes.run(engine, loop, () -> {
                            taskRunning = false;
                            resume.run();
                        })) {
                            return Progress.BUSY;
                        }
                        taskRunning = true;
                        return Progress.TASK_RUNNING;
                    case NEED_WRAP:
                        if (wrapOnce(EMPTY).getStatus() == SSLEngineResult.Status.CLOSED) {
                            throw new SSLException("the handshake was closed");
                        }
                        break;
                    case NEED_UNWRAP:
                    case NEED_UNWRAP_AGAIN:
                        if (!netIn.hasRemaining()) {
                            return Progress.NEEDS_INPUT;
                        }
                        ByteBuffer out = plainBuffer();
                        SSLEngineResult result = engine.unwrap(netIn, out);
                        if (out.position() > 0) {
                            throw new SSLException("application data before the handshake was done");
                        }
                        switch (result.getStatus()) {
                            case BUFFER_UNDERFLOW:
                                return Progress.NEEDS_INPUT; // the rest of a record is on its way
                            case CLOSED:
                                throw new SSLException("the peer closed during the handshake");
                            case BUFFER_OVERFLOW:
                                throw new SSLException("a record larger than the application buffer");
                            default:
                                if (result.bytesConsumed() == 0 && engine.getHandshakeStatus() == status) {
                                    return Progress.NEEDS_INPUT;
                                }
                        }
                        break;
                    default: // NOT_HANDSHAKING (FINISHED is only ever a result's status)
                        return Progress.READY;
                }
            }
        } finally {
            netIn.compact();
        }
    }

    /** A delegated task holds the engine: nothing may touch it until the resumption runs. */
    boolean isTaskRunning() {
        return taskRunning;
    }

    /** Records are held that the handshake left for the session. */
    boolean hasInput() {
        return netIn.position() > 0;
    }

    boolean hasOutput() {
        return netOut.position() > 0;
    }

    long pendingBytes() {
        return netOut.position();
    }

    /** When the incomplete record held now began (loop nanos; a read that completed a record restarts it), or 0. */
    long partialRecordSince() {
        return partialRecordSince;
    }

    /**
     * Takes the records in {@code read}, hands every plain byte they hold to the connection.
     *
     * @return true when the peer closed the TLS session (close_notify)
     */
    boolean unwrap(ByteBuffer read, SessionConnection connection, long now) throws SSLException {
        netIn = append(netIn, read);
        netIn.flip();
        boolean recordDone = false;
        try {
            while (netIn.hasRemaining()) {
                ByteBuffer out = plainBuffer();
                SSLEngineResult result = engine.unwrap(netIn, out);
                recordDone |= result.bytesConsumed() > 0;
                if (out.position() > 0) {
                    out.flip();
                    connection.deliver(out);
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
                        answerPostHandshakeMessages();
                        if (result.bytesConsumed() == 0 && result.bytesProduced() == 0) {
                            return false;
                        }
                }
            }
            return false;
        } finally {
            netIn.compact();
            if (netIn.position() == 0) {
                partialRecordSince = 0;
            } else if (recordDone || partialRecordSince == 0) {
                partialRecordSince = now | 1;
            }
        }
    }

    /** A key update asks for one back; a new handshake is refused (see the class comment). */
    private void answerPostHandshakeMessages() throws SSLException {
        while (true) {
            HandshakeStatus status = engine.getHandshakeStatus();
            if (status == HandshakeStatus.NEED_WRAP) {
                if (wrapOnce(EMPTY).getStatus() == SSLEngineResult.Status.CLOSED) {
                    return;
                }
            } else if (status == HandshakeStatus.NEED_TASK) {
                throw new SSLException("a new handshake (renegotiation) on an open session is refused");
            } else {
                return;
            }
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

    /**
     * Sends close_notify (or the alert of a failed handshake) if the socket takes it at once; never waits, and
     * does nothing while a delegated task holds the engine.
     */
    void closeQuietly(SocketChannel channel) {
        if (taskRunning) {
            return;
        }
        try {
            engine.closeOutbound();
            if (channel.isOpen()) {
                while (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP || !engine.isOutboundDone()) {
                    if (wrapOnce(EMPTY).bytesProduced() == 0) {
                        break;
                    }
                }
                writeTo(channel);
            }
        } catch (IOException | RuntimeException ignored) {
            // the connection is closing anyway
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
