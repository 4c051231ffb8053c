package dev.servercore.core;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

import javax.net.ssl.SSLException;

/**
 * A connection on its way to a session, on its event loop: first the PROXY protocol header when the listener
 * expects one (it gives the client's address, which the listener's per-address rules then judge), then the TLS
 * handshake when the endpoint has TLS (its delegated tasks on the endpoint's handshake threads). Only once both
 * are done does the endpoint make the session and open it, over the same channel; until then there is no
 * session, no callback of game code, no place in the registry. A connection that fails either step, or is not
 * through them by their deadlines (counted from the connect), is closed, and the endpoint counts it. Loop
 * thread only.
 */
final class OpeningConnection {

    /** What the endpoint does at each end of the opening. */
    interface Outcome {
        /** The client's address is known (from the PROXY header): null to go on, else why it is refused. */
        RefusalReason admit(InetSocketAddress client);

        /**
         * Through: the session is to be made and opened now, on this loop, over this channel (still registered with
         * the selector). {@code firstBytes} (plain connections) are the session's first bytes, valid during the call.
         */
        void opened(SocketChannel channel, InetSocketAddress client, TlsTransport tls, ByteBuffer firstBytes);

        /**
         * Refused or failed; closed right after. {@code admitted}: the client's address had been let in (and is to
         * be released).
         */
        void failed(InetSocketAddress client, boolean admitted, RefusalReason reason, String why);
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SocketChannel channel;
    private final EventLoop loop;
    private final OpeningRules rules;
    private final Outcome outcome;
    /** The socket's peer: a balancer's when a PROXY header is expected. */
    private final InetSocketAddress peer;
    private InetSocketAddress client;
    private boolean admitted;
    /** While the PROXY header is awaited. */
    private ProxyHeader header;
    private TlsTransport tls;
    private long headerDeadline;
    private final long handshakeDeadline;
    private SelectionKey key;
    private boolean over;

    /**
     * @param admitted whether the client's address was let in already (at the accept, when there is no PROXY header
     *        to wait for)
     */
    OpeningConnection(SocketChannel channel, EventLoop loop, InetSocketAddress peer, OpeningRules rules,
            boolean admitted, Outcome outcome) {
        this.channel = channel;
        this.loop = loop;
        this.peer = peer;
        this.client = peer;
        this.rules = rules;
        this.admitted = admitted;
        this.outcome = outcome;
        long connectedAt = loop.now;
        if (rules.proxyProtocol()) {
            header = new ProxyHeader();
            headerDeadline = (connectedAt + rules.proxyTimeoutNanos()) | 1;
        }
        handshakeDeadline = rules.tls() == null ? 0 : (connectedAt + rules.handshakeTimeoutNanos()) | 1;
    }

    /** Joins the selector; a TLS client sends its first flight. */
    void start(Selector selector) {
        try {
            key = channel.register(selector, SelectionKey.OP_READ, this);
        } catch (ClosedChannelException | RuntimeException e) { // a closed selector: the loop is stopping
            fail(RefusalReason.SHUTDOWN, "the event loop has stopped");
            return;
        }
        loop.opening(this);
        if (header == null) {
            startTls(EMPTY);
        }
    }

    /** The selector says the socket is ready. */
    void ready(int readyOps) {
        if ((readyOps & SelectionKey.OP_WRITE) != 0 && !over) {
            writeOut();
        }
        if ((readyOps & SelectionKey.OP_READ) != 0 && !over) {
            readable();
        }
    }

    private void readable() {
        ByteBuffer buffer = loop.readBuffer;
        buffer.clear();
        int read;
        try {
            read = channel.read(buffer);
        } catch (IOException e) {
            fail(stepReason(), "read failed: " + e.getMessage());
            return;
        }
        if (read < 0) {
            fail(stepReason(), "closed by the peer before " + (header != null ? "its PROXY header" : "the handshake")
                    + " was done");
            return;
        }
        if (read == 0) {
            return;
        }
        loop.bytesReceived += read;
        buffer.flip();
        if (header == null) {
            handshake(buffer);
            return;
        }
        try {
            if (!header.take(buffer)) {
                return;
            }
        } catch (ProtocolException e) {
            fail(RefusalReason.PROXY_HEADER, e.getMessage());
            return;
        }
        if (header.source() != null) {
            client = header.source();
        }
        header = null;
        headerDeadline = 0;
        RefusalReason refusal = outcome.admit(client);
        if (refusal != null) {
            fail(refusal, null);
            return;
        }
        admitted = true;
        startTls(buffer); // what followed the header in this read
    }

    private void startTls(ByteBuffer firstBytes) {
        if (rules.tls() == null) {
            finish(firstBytes);
            return;
        }
        try {
            tls = rules.tls().apply(peer);
            tls.begin();
        } catch (SSLException | RuntimeException e) {
            fail(RefusalReason.TLS_ERROR, e.getMessage());
            return;
        }
        handshake(firstBytes);
    }

    private void handshake(ByteBuffer records) {
        TlsTransport.Progress progress;
        try {
            progress = tls.handshake(records, loop, this::taskDone);
        } catch (SSLException | RuntimeException e) {
            fail(RefusalReason.TLS_ERROR, e.getMessage());
            return;
        }
        if (progress == TlsTransport.Progress.BUSY) {
            fail(RefusalReason.TLS_BUSY, "every TLS handshake thread is busy and the queue is full");
            return;
        }
        if (!writeOut()) {
            return;
        }
        if (progress == TlsTransport.Progress.READY) {
            finish(null); // the records left after the handshake are the session's, in the transport
        }
    }

    /** A delegated task is done (posted to the loop by the handshake thread): on with the handshake. */
    private void taskDone() {
        if (!over) {
            handshake(EMPTY);
        }
    }

    /** Writes the handshake's records; false if the connection failed. */
    private boolean writeOut() {
        if (tls != null && tls.hasOutput()) {
            try {
                int written = tls.writeTo(channel);
                loop.writes++;
                loop.bytesSent += written;
            } catch (IOException e) {
                fail(RefusalReason.TLS_ERROR, "write failed: " + e.getMessage());
                return false;
            }
        }
        interest();
        return true;
    }

    /** Reads while the handshake waits for the peer (not while a task holds the engine); writes while records wait. */
    private void interest() {
        int ops = tls != null && tls.isTaskRunning() ? 0 : SelectionKey.OP_READ;
        if (tls != null && tls.hasOutput()) {
            ops |= SelectionKey.OP_WRITE;
        }
        if (key.isValid() && key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    private void finish(ByteBuffer firstBytes) {
        over = true;
        loop.openingEnded(this);
        outcome.opened(channel, client, tls, firstBytes);
    }

    /** The loop's periodic look: past a deadline, the connection is refused. */
    void checkTimeouts(long now) {
        if (headerDeadline != 0 && now - headerDeadline > 0) {
            fail(RefusalReason.PROXY_HEADER, "no PROXY header within " + rules.proxyTimeoutNanos() / 1_000_000 + " ms");
        } else if (handshakeDeadline != 0 && now - handshakeDeadline > 0) {
            fail(RefusalReason.TLS_ERROR, "the TLS handshake was not done within "
                    + rules.handshakeTimeoutNanos() / 1_000_000 + " ms of the connect");
        }
    }

    /** Tells the endpoint (first: once the peer sees the close, it is counted) and closes it; once. */
    void fail(RefusalReason reason, String why) {
        if (over) {
            return;
        }
        over = true;
        loop.openingEnded(this);
        if (key != null) {
            key.cancel();
        }
        outcome.failed(client, admitted, reason, why);
        if (tls != null) {
            tls.closeQuietly(channel); // the alert of a failed handshake, if the engine is free to make it
        }
        LoopServerFactory.closeQuietly(channel);
    }

    /** What a failure of the socket now counts as: the step the connection was at. */
    private RefusalReason stepReason() {
        return header != null ? RefusalReason.PROXY_HEADER : RefusalReason.TLS_ERROR;
    }

    @Override
    public String toString() {
        return "opening connection from " + client + (client != peer ? " (through " + peer + ")" : "");
    }
}
