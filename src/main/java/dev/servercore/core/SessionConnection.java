package dev.servercore.core;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

import javax.net.ssl.SSLSocket;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.integration.ip.tcp.connection.TcpNetConnection;
import org.springframework.integration.ip.tcp.serializer.SoftEndOfStreamException;

/**
 * Spring Integration's blocking connection, bound to the session it carries. Spring Integration accepts
 * or opens it, runs it on an I/O thread, publishes its events and closes it; three things differ:
 * <ul>
 * <li>{@link #run} hands each read to the session itself: Spring Integration's loop would wrap every read
 * in a {@code Message} (two header maps and a UUID each) only for the dispatcher to unwrap it again;
 * measured, that was a quarter of the I/O threads' time under load;</li>
 * <li>the reason a read ended (end of stream, idle timeout, TLS failure, error) is handed to the session
 * before the connection closes;</li>
 * <li>{@link #write} goes straight to the socket, because the session already gathers its queued sends
 * into one array, and {@link TcpNetConnection#send} would give every connection a buffer as large as
 * the socket's send buffer.</li>
 * </ul>
 */
final class SessionConnection extends TcpNetConnection {

    private final Socket socket;
    private final Session session;
    private final InetSocketAddress remoteAddress;
    private final int readBufferSize;
    /** Plain sockets are; a TLS socket once application bytes crossed it (its handshake completed). */
    private volatile boolean secured;

    SessionConnection(Socket socket, boolean server, boolean lookupHost, ApplicationEventPublisher publisher,
            String factoryName, Session session, int readBufferSize) {
        super(socket, server, lookupHost, publisher, factoryName);
        this.readBufferSize = readBufferSize;
        this.socket = socket;
        this.session = session;
        this.remoteAddress = (InetSocketAddress) socket.getRemoteSocketAddress();
        this.secured = !(socket instanceof SSLSocket);
        session.bind(this);
    }

    Session session() {
        return session;
    }

    InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    /** Writes and flushes; only the session's single writer calls it. */
    void write(byte[] bytes, int length) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes, 0, length);
        out.flush();
        if (!secured) {
            secured = true;
        }
    }

    /**
     * The read loop: one read into the connection's buffer, one call to the session with what it holds, in
     * order, until the end. One system call per read; the buffer (a few hundred bytes to a few KiB, set by
     * {@code servercore.session.read-buffer-size}) is all an idle connection keeps for reading.
     */
    @Override
    public void run() {
        publishConnectionOpenEvent();
        byte[] buffer = new byte[readBufferSize];
        while (true) {
            int length;
            try {
                length = inputStream().read(buffer);
                if (length < 0) {
                    throw new SoftEndOfStreamException("Stream closed by the peer");
                }
            } catch (Exception e) {
                publishConnectionExceptionEvent(e);
                if (handleReadException(e)) {
                    return;
                }
                continue;
            }
            if (!secured) {
                secured = true;
            }
            session.received(buffer, length);
        }
    }

    /**
     * Why a read or write failed. On a TLS connection whose handshake never completed, every failure is a
     * TLS failure: the reader and the writer both take part in the handshake, and the one that loses the
     * race sees only a closed socket.
     */
    CloseReason failureReason(Throwable failure) {
        CloseReason reason = CloseReason.of(failure);
        return !secured && (reason == CloseReason.ERROR || reason == CloseReason.PEER_CLOSED) ? CloseReason.TLS_ERROR
                : reason;
    }

    @Override
    protected boolean handleReadException(Exception exception) {
        session.noteReadEnded(failureReason(exception));
        // A reset or a broken handshake is the internet's weather, not the server's error: the close reason is
        // counted and the session logs its end; Spring Integration need not log it too (it would at ERROR).
        setNoReadErrorOnClose(true);
        return super.handleReadException(exception);
    }
}
