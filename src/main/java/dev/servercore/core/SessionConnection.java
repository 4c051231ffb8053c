package dev.servercore.core;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.integration.ip.tcp.connection.TcpNioConnection;
import org.springframework.messaging.Message;

/**
 * A Spring Integration NIO connection driven by its factory's event loop and bound to the session it
 * carries. Spring Integration opens or accepts it, names it, publishes its open and close events and
 * keeps it in its factory; its stock read path (a 60 KiB buffer per connection, a pipe, assembler
 * threads) and its blocking send are not used. Instead the loop calls {@link #readable()} and
 * {@link #writable()}, and the session's sends gather here until the loop flushes them.
 *
 * <p>State touched only by the loop thread: the outbound queue, the lifecycle state, the timestamps.
 * Other threads reach the connection through {@link #send} (a lock-free inbox) and {@link #requestClose}.
 */
final class SessionConnection extends TcpNioConnection {

    private static final Log log = LogFactory.getLog(SessionConnection.class);
    private static final ThrottledLog protocolErrors = new ThrottledLog(log);
    private static final ThrottledLog slowConsumers = new ThrottledLog(log);
    private static final int NEW = 0;
    private static final int OPEN = 1;
    private static final int DRAINING = 2;
    private static final int CLOSED = 3;

    private final SocketChannel channel;
    private final Session session;
    private final EventLoop loop;
    private final EndpointContext endpoint;
    private final SessionSettings settings;
    private final InetSocketAddress remoteAddress;
    private final TlsTransport tls;
    private final Runnable forget;
    private SelectionKey key;

    // From any thread.
    private final ConcurrentLinkedQueue<byte[]> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicLong inboxBytes = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    /**
     * Set by whoever first asks for the end (its reason wins); from then on sends are refused. A graceful
     * request may later become an immediate one, never the other way round.
     */
    private final AtomicReference<CloseRequest> close = new AtomicReference<>();
    /** Claimed by the one caller of {@link #closeNow} that closes. */
    private final AtomicBoolean closing = new AtomicBoolean();
    /** The loop's outbound byte count as of its last flush, for other threads' limit check and the gauge. */
    private volatile long outboundPublished;
    private volatile boolean opened;

    // Loop only.
    private ArrayDeque<byte[]> outbound;
    private int headOffset;
    private long outboundBytes;
    private int state = NEW;
    private boolean flushPending;
    private boolean inCallback;
    private long lastReadAt;
    private long writeBlockedSince;
    private long drainDeadline;
    /** The close's last frame (if any) is queued: nothing from the inbox follows it. */
    private boolean lastFrameQueued;
    /** What the peer may send (a listener's sessions); null: no budget. */
    private final ReadBudget budget;
    /** Why reading is held ({@link #HOLD_BUDGET}, ...); reading goes on when none is left. */
    private int readHolds;
    static final int HOLD_BUDGET = 1;
    static final int HOLD_LOGIN = 2;
    /** When a login still due (or under way) times out (loop nanos), or 0. */
    private long loginDeadline;

    /**
     * @param remoteAddress the peer as the session sees it: the client a PROXY header named, else the socket's peer
     * @param tls a transport whose handshake is done, or null
     */
    SessionConnection(SocketChannel channel, boolean server, ApplicationEventPublisher publisher, String factoryName,
            Session session, EventLoop loop, InetSocketAddress remoteAddress, TlsTransport tls, Runnable forget)
            throws IOException {
        super(channel, server, false, publisher, factoryName);
        this.channel = channel;
        this.session = session;
        this.loop = loop;
        this.endpoint = loop.endpoint();
        this.settings = endpoint.settings();
        this.remoteAddress = remoteAddress;
        this.tls = tls;
        this.forget = forget;
        RateLimits limits = settings.rateLimits();
        this.budget = endpoint.isServer() && limits != null ? new ReadBudget(limits, loop.now) : null;
        session.bind(this);
    }

    Session session() {
        return session;
    }

    InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    SessionSettings settings() {
        return settings;
    }

    /** Open and not asked to close: sends are taken, frames delivered. */
    boolean isAccepting() {
        return opened && close.get() == null;
    }

    long queuedBytes() {
        return outboundPublished + inboxBytes.get() + (tls == null ? 0 : tls.pendingBytes());
    }

    // ---------------------------------------------------------------- opening

    /** On the loop: joins the selector, then the session opens. */
    void register(Selector selector) throws ClosedChannelException {
        key = channel.register(selector, SelectionKey.OP_READ, this);
        loop.registered(this);
    }

    /**
     * On the loop, right after {@link #register}: {@code onConnected} runs, and only then does the session
     * join the registry, so what {@code onConnected} sends (a welcome) is queued before any broadcast can
     * reach the session. Then the bytes that came with the end of the opening are delivered: {@code firstBytes}
     * (what followed a PROXY header), or the records the TLS handshake left.
     */
    void open(ByteBuffer firstBytes) {
        state = OPEN;
        opened = true;
        lastReadAt = loop.now;
        if (endpoint.isServer() && session instanceof PacketSession && endpoint.logins().settings().required()) {
            loginStarted();
        }
        endpoint.sessionOpened();
        inCallback = true;
        loop.running(session);
        try {
            session.onConnected(remoteAddress);
        } catch (Throwable t) {
            callbackFailed("onConnected", t);
        } finally {
            inCallback = false;
        }
        endpoint.registry().add(session);
        if (close.get() != null) {
            applyClose();
            return;
        }
        if (firstBytes != null && firstBytes.hasRemaining()) {
            deliver(firstBytes);
        } else if (tls != null && tls.hasInput()) {
            receiveTls(ByteBuffer.allocate(0));
        }
        if (tls != null && tls.hasOutput()) {
            flushLater(); // the handshake's last records, if the socket did not take them all
        }
    }

    // ---------------------------------------------------------------- reading

    /** The selector says the socket has bytes (or an end): one read, handed to the session. */
    void readable() {
        if (state != OPEN || readHolds != 0) {
            return;
        }
        ByteBuffer buffer = loop.readBuffer;
        buffer.clear();
        if (budget != null) {
            buffer.limit(budget.allowance(loop.now, buffer.capacity()));
        }
        int read;
        try {
            read = channel.read(buffer);
        } catch (IOException e) {
            abort(failureReason(e, false));
            return;
        }
        if (read < 0) {
            abort(failureReason(null, true));
            return;
        }
        if (read == 0) {
            return;
        }
        loop.bytesReceived += read;
        buffer.flip();
        long packetsBefore = loop.packetsReceived;
        if (tls == null) {
            deliver(buffer);
        } else if (!receiveTls(buffer)) {
            return;
        }
        if (budget != null && state == OPEN) {
            charge(read, loop.packetsReceived - packetsBefore);
        }
    }

    /** TLS records in, plain bytes to the session; false when the connection ended. */
    private boolean receiveTls(ByteBuffer records) {
        try {
            if (tls.unwrap(records, this, loop.now)) {
                abort(CloseReason.PEER_CLOSED); // close_notify
                return false;
            }
        } catch (SSLException e) {
            log.debug(session + ": TLS failure: " + e.getMessage());
            abort(CloseReason.TLS_ERROR);
            return false;
        }
        if (tls.hasOutput()) {
            flushLater(); // an answer to a post-handshake message (a key update)
        }
        return true;
    }

    /** The read is paid for; over budget, reading stops until enough of the budget is back. */
    private void charge(int bytes, long packets) {
        long wait = budget.spend(loop.now, bytes, packets);
        if (wait == 0) {
            return;
        }
        holdReading(HOLD_BUDGET);
        loop.readPauses++;
        EngineTimer.INSTANCE.schedule(() -> {
            try {
                loop.execute(this::budgetBack);
            } catch (RejectedExecutionException stopped) {
                // the loop has ended, and the session with it
            }
        }, wait, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** On the loop, once the paused session's budget is partly back: it reads again, or is kicked. */
    private void budgetBack() {
        if (state != OPEN) {
            return;
        }
        lastReadAt = loop.now; // a held session is not idle
        if (budget.resumed(loop.now)) {
            RateLimits limits = settings.rateLimits();
            kick(KickReason.RATE_LIMITED, "over the budget of " + limits.packetsPerSecond() + " packets/s and "
                    + limits.bytesPerSecond() + " bytes/s for " + budget.pausedInStretchNanos() / 1_000_000 + " ms");
            return;
        }
        releaseReading(HOLD_BUDGET);
    }

    /** Stops reading the socket for {@code why} (loop only); the selector stops reporting it readable. */
    void holdReading(int why) {
        if (readHolds == 0 && key != null && key.isValid()) {
            key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
        }
        readHolds |= why;
    }

    /** Ends the hold {@code why}; reading goes on once no hold is left (loop only). */
    void releaseReading(int why) {
        readHolds &= ~why;
        if (readHolds == 0 && state == OPEN && key != null && key.isValid()) {
            key.interestOps(key.interestOps() | SelectionKey.OP_READ);
        }
    }

    /**
     * Plain bytes for the session, on the loop; a close asked for during the callback is applied after it. This
     * is what the idle timeout counts: with TLS, bytes of a record that never completes are no progress.
     */
    void deliver(ByteBuffer data) {
        if (!isAccepting()) {
            return;
        }
        lastReadAt = loop.now;
        inCallback = true;
        try {
            session.received(data, loop);
        } catch (ProtocolException e) {
            protocolErrors.info(() -> session + ": protocol error: " + e.getMessage());
            kick(KickReason.PROTOCOL_ERROR, e.getMessage());
        } catch (Throwable t) {
            callbackFailed("onRecv", t);
        } finally {
            inCallback = false;
        }
        if (close.get() != null) {
            applyClose();
        }
    }

    /**
     * Runs engine-driven session code outside a read (the end of a login), as a callback: a close it asks for
     * applies when it returns, and what it throws closes the session as {@link #deliver} would. Loop only.
     */
    void callback(String name, Runnable body) {
        if (!isAccepting()) {
            return;
        }
        inCallback = true;
        loop.running(session);
        try {
            body.run();
        } catch (ProtocolException e) {
            protocolErrors.info(() -> session + ": protocol error: " + e.getMessage());
            kick(KickReason.PROTOCOL_ERROR, e.getMessage());
        } catch (Throwable t) {
            callbackFailed(name, t);
        } finally {
            inCallback = false;
        }
        if (close.get() != null) {
            applyClose();
        }
    }

    /** Runs {@code task} on the loop after the current unit of work; dropped if the loop has ended. */
    void onLoop(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException stopped) {
            // the loop has ended, and the session with it
        }
    }

    /** A login is due or under way: it must be done within the login timeout (from the first such moment). */
    void loginStarted() {
        if (loginDeadline == 0) {
            loginDeadline = (loop.now + endpoint.logins().settings().timeout().toNanos()) | 1;
        }
    }

    /** On the loop: the session is {@code principal} from now on. */
    void loggedIn(String principal) {
        loginDeadline = 0;
        session.loggedIn(principal);
    }

    private void callbackFailed(String callback, Throwable t) {
        log.error(session + ": " + callback + " threw; closing the session", t);
        close.compareAndSet(null, new CloseRequest(CloseReason.HANDLER_ERROR, false, null));
    }

    // ---------------------------------------------------------------- sending

    /** Queues bytes; from the loop they wait for its flush, from elsewhere the loop is woken. */
    boolean send(byte[] data) {
        if (close.get() != null) {
            return false;
        }
        if (loop.inLoop()) {
            if (state == CLOSED) {
                return false;
            }
            drainInbox(); // keeps the order of what other threads queued before
            outbound().add(data);
            outboundBytes += data.length;
            if (outboundBytes > settings.sendQueueLimit()) {
                overflow(outboundBytes);
                return false;
            }
            flushLater();
            return true;
        }
        int offered = offer(data);
        if (offered == REFUSED) {
            return false;
        }
        if (offered == QUEUED_DRAIN_DUE) {
            try {
                loop.execute(this::drainAndFlush);
            } catch (RejectedExecutionException stopped) {
                return false; // the loop has ended, and this session with it
            }
        }
        return close.get() == null; // closed meanwhile: the bytes may not go out
    }

    /** {@link #offer}: refused (closing, or over the queue limit). */
    static final int REFUSED = 0;
    /** {@link #offer}: queued; a drain of the inbox is already on its way to the loop. */
    static final int QUEUED = 1;
    /** {@link #offer}: queued; the caller must have {@link #drainAndFlush} run on the loop (once). */
    static final int QUEUED_DRAIN_DUE = 2;

    /**
     * From a thread other than the loop: the bytes join the inbox (in order with this thread's other sends),
     * and the caller learns whether it must see to the drain: several connections of one loop are then drained
     * by one task ({@link Sessions#sendAll}) rather than one task and one wake-up check each.
     */
    int offer(byte[] data) {
        if (close.get() != null) {
            return REFUSED;
        }
        long queued = inboxBytes.addAndGet(data.length);
        if (queued + outboundPublished > settings.sendQueueLimit()) {
            inboxBytes.addAndGet(-data.length);
            overflow(queued + outboundPublished);
            return REFUSED;
        }
        inbox.offer(data);
        return drainScheduled.compareAndSet(false, true) ? QUEUED_DRAIN_DUE : QUEUED;
    }

    EventLoop loop() {
        return loop;
    }

    /** Over the queue's limit: closed at once as a slow consumer, unless its end was asked for already. */
    private void overflow(long queued) {
        if (requestClose(new CloseRequest(CloseReason.SLOW_CONSUMER, false, null), false)) {
            slowConsumers.info(() -> session + ": " + queued + " bytes queued, over the limit of "
                    + settings.sendQueueLimit() + "; closing it as a slow consumer");
        }
    }

    private ArrayDeque<byte[]> outbound() {
        if (outbound == null) {
            outbound = new ArrayDeque<>(8);
        }
        return outbound;
    }

    private boolean hasOutbound() {
        return outboundBytes > 0 || !inbox.isEmpty();
    }

    private void drainInbox() {
        if (inbox.isEmpty()) {
            return;
        }
        ArrayDeque<byte[]> out = outbound();
        long moved = 0;
        long dropped = 0;
        for (byte[] data; (data = inbox.poll()) != null; ) {
            if (lastFrameQueued) {
                dropped += data.length; // a send that raced the close: its send() said false, and nothing follows the last frame
            } else {
                out.add(data);
                moved += data.length;
            }
        }
        inboxBytes.addAndGet(-(moved + dropped));
        outboundBytes += moved;
        outboundPublished = outboundBytes;
    }

    /** On the loop: the drain that {@link #offer} asked for. */
    void drainAndFlush() {
        drainScheduled.set(false);
        flush();
    }

    private void flushLater() {
        if (!flushPending) {
            flushPending = true;
            loop.flushLater(this);
        }
    }

    /** On the loop: writes what is queued, as far as the socket takes it. */
    void flush() {
        flushPending = false;
        if (state == CLOSED || state == NEW) {
            return;
        }
        drainInbox();
        if (writeBlockedSince == 0) {
            try {
                writeOut();
            } catch (IOException e) {
                if (close.get() == null) {
                    log.debug(session + ": write failed: " + e);
                }
                abort(failureReason(e, false));
                return;
            }
        }
        outboundPublished = outboundBytes;
        if (state == OPEN && close.get() != null) {
            applyClose(); // asked for by onSend
        } else if (state == DRAINING && outboundBytes == 0 && (tls == null || !tls.hasOutput())) {
            closeNow();
        }
    }

    /** The socket can take bytes again after a partial write. */
    void writable() {
        if (state == CLOSED) {
            return;
        }
        writeBlockedSince = 0;
        key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
        flush();
    }

    private void writeOut() throws IOException {
        while (true) {
            if (tls != null) {
                if (tls.hasOutput() && !writeTls()) {
                    return;
                }
            }
            if (outboundBytes == 0) {
                return;
            }
            ByteBuffer buffer = loop.writeBuffer;
            buffer.clear();
            fill(buffer);
            buffer.flip();
            int length = buffer.remaining();
            if (tls != null) {
                tls.wrap(buffer); // all of it, into records that wait in the transport
                consume(length);
                onSend(length);
                continue;
            }
            int written = channel.write(buffer);
            loop.writes++;
            loop.bytesSent += written;
            consume(written);
            if (written < length) {
                // the socket is full: the unwritten bytes stay queued where they are, and the loop waits
                waitWritable();
                if (written > 0) {
                    onSend(written);
                }
                return;
            }
            onSend(written);
            CloseRequest request = close.get();
            if (request != null && !request.graceful()) {
                return;
            }
        }
    }

    /** Writes pending TLS records; false if the socket is full. */
    private boolean writeTls() throws IOException {
        int written = tls.writeTo(channel);
        loop.writes++;
        loop.bytesSent += written;
        if (tls.hasOutput()) {
            waitWritable();
            return false;
        }
        return true;
    }

    /** Copies what is queued, from the head's first unwritten byte on, into the loop's write buffer. */
    private void fill(ByteBuffer buffer) {
        int offset = headOffset;
        for (byte[] array : outbound) {
            if (!buffer.hasRemaining()) {
                return;
            }
            buffer.put(array, offset, Math.min(array.length - offset, buffer.remaining()));
            offset = 0;
        }
    }

    /**
     * {@code bytes} of the queue reached the socket (or the TLS engine): they leave it, and every frame
     * whose last byte was among them counts as sent. Nothing is counted for bytes not written.
     */
    private void consume(int bytes) {
        long packets = 0;
        outboundBytes -= bytes;
        while (bytes > 0) {
            byte[] head = outbound.peekFirst();
            int end = Math.min(head.length, headOffset + bytes);
            packets += session.packetsEndingIn(head, headOffset, end);
            bytes -= end - headOffset;
            if (end == head.length) {
                outbound.pollFirst();
                headOffset = 0;
            } else {
                headOffset = end;
            }
        }
        loop.packetsSent += packets;
    }

    private void waitWritable() {
        if (writeBlockedSince == 0) {
            writeBlockedSince = loop.now | 1;
            key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
        }
    }

    /** A close asked for inside it applies once the flush is done. */
    private void onSend(int bytes) {
        inCallback = true;
        try {
            session.onSend(bytes);
        } catch (Throwable t) {
            callbackFailed("onSend", t);
        } finally {
            inCallback = false;
        }
    }

    // ---------------------------------------------------------------- closing

    /**
     * Asks for the end: {@code graceful} writes what is queued first (within the write timeout), else the
     * connection closes at once. The first reason wins. Any thread; on the loop inside one of this
     * session's callbacks, it applies when the callback returns.
     */
    void requestClose(CloseReason reason, boolean graceful) {
        requestClose(new CloseRequest(reason, graceful, null), true);
    }

    /**
     * @param escalate whether an immediate request turns an earlier graceful one immediate (its reason kept)
     * @return whether this request was the first
     */
    private boolean requestClose(CloseRequest request, boolean escalate) {
        boolean first = close.compareAndSet(null, request);
        if (!first) {
            if (request.graceful() || !escalate) {
                return false;
            }
            CloseRequest current;
            do { // an earlier graceful request becomes immediate; its reason stays
                current = close.get();
                if (!current.graceful()) {
                    return false;
                }
            } while (!close.compareAndSet(current, new CloseRequest(current.reason(), false, null)));
        }
        scheduleClose();
        return first;
    }

    /** The close applies now on the loop (after the running callback), or is posted to it. */
    private void scheduleClose() {
        if (loop.inLoop()) {
            if (!inCallback) {
                applyClose();
            }
            return;
        }
        try {
            loop.execute(this::applyClose);
        } catch (RejectedExecutionException stopped) {
            closeNow(); // the loop has ended: nothing else touches the connection
        }
    }

    /**
     * Ends the session with a reason the peer is told: a graceful close whose last frame is the kick (a listener's
     * framed sessions), after what was queued before the close; reads stop at once, and nothing sent after it goes
     * out. Nothing if an end was asked for already: the first end wins, and one kick at most is told.
     */
    void kick(KickReason reason, String text) {
        if (reason.closeReason() == null) {
            throw new IllegalArgumentException(reason + " is not a reason to kick");
        }
        if (close.get() != null) {
            return;
        }
        byte[] frame = endpoint.isServer() ? session.kickFrame(reason, text, settings.maxFrameSize()) : null;
        requestClose(new CloseRequest(reason.closeReason(), true, frame), true);
    }

    /** Closes at once, dropping what is queued; keeps an earlier reason. Any thread. */
    void abort(CloseReason reason) {
        requestClose(reason, false);
    }

    private void applyClose() {
        if (state == CLOSED) {
            return;
        }
        CloseRequest request = close.get();
        if (request.graceful() && state == OPEN) {
            state = DRAINING;
            drainInbox(); // what was sent before the close; the inbox takes nothing after the last frame
            if (request.lastFrame() != null) {
                outbound().add(request.lastFrame());
                outboundBytes += request.lastFrame().length;
                outboundPublished = outboundBytes;
            }
            lastFrameQueued = true;
            stopReading();
            long timeout = settings.writeTimeoutNanos();
            drainDeadline = timeout > 0 ? (loop.now + timeout) | 1 : 0;
            flush();
            return;
        }
        if (state != DRAINING || !request.graceful()) {
            closeNow();
        }
    }

    /** A draining session takes no more reads. */
    private void stopReading() {
        if (key != null && key.isValid()) {
            key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
        }
    }

    /** On the loop (or with the loop gone): the socket closes, then the session ends, once. */
    private void closeNow() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        boolean opened = state != NEW;
        state = CLOSED;
        close.compareAndSet(null, new CloseRequest(CloseReason.SHUTDOWN, false, null));
        CloseReason reason = close.get().reason();
        if (key != null) {
            key.cancel();
        }
        loop.deregistered(this);
        forget.run();
        if (tls != null) {
            tls.closeQuietly(channel);
        }
        super.close(); // the channel, and Spring Integration's close event
        outbound = null;
        outboundBytes = 0;
        outboundPublished = 0;
        for (byte[] dropped; (dropped = inbox.poll()) != null; ) {
            inboxBytes.addAndGet(-dropped.length);
        }
        if (!opened) {
            endpoint.releaseSession();
            return;
        }
        session.ended(reason);
        endpoint.sessionEnded(session, reason);
        loop.running(session);
        try {
            session.onDisconnected(remoteAddress);
        } catch (Throwable t) {
            log.error(session + ": onDisconnected threw", t);
        }
        session.runEndHooks();
    }

    /** The periodic look at this connection's deadlines, on the loop. */
    void checkTimeouts(long now) {
        if (state == DRAINING) {
            if (drainDeadline != 0 && now - drainDeadline > 0) {
                slowConsumers.info(() -> session + ": what was queued before the close was not written within the "
                        + "write timeout");
                closeNow();
            }
            return;
        }
        if (state != OPEN) {
            return;
        }
        if (loginDeadline != 0 && now - loginDeadline > 0) {
            kick(KickReason.UNAUTHENTICATED, "no login within "
                    + endpoint.logins().settings().timeout().toMillis() + " ms");
        } else if (settings.writeTimeoutNanos() > 0 && writeBlockedSince != 0
                && now - writeBlockedSince > settings.writeTimeoutNanos()) {
            slowConsumers.info(() -> session + ": the peer has not read for over "
                    + settings.writeTimeoutNanos() / 1_000_000 + " ms; closing it as a slow consumer");
            abort(CloseReason.SLOW_CONSUMER);
        } else if (settings.idleTimeoutNanos() > 0 && now - lastReadAt > settings.idleTimeoutNanos()) {
            abort(CloseReason.IDLE_TIMEOUT);
        } else if (settings.frameTimeoutNanos() > 0 && session.partialFrameSince != 0
                && now - session.partialFrameSince > settings.frameTimeoutNanos()) {
            String why = "a frame did not complete within " + settings.frameTimeoutNanos() / 1_000_000 + " ms";
            protocolErrors.info(() -> session + ": " + why);
            kick(KickReason.PROTOCOL_ERROR, why);
        } else if (tls != null && settings.frameTimeoutNanos() > 0 && tls.partialRecordSince() != 0
                && now - tls.partialRecordSince() > settings.frameTimeoutNanos()) {
            // the same slowloris one layer down: a record trickled in, each byte a read, none of it plain yet
            String why = "a TLS record did not complete within " + settings.frameTimeoutNanos() / 1_000_000 + " ms";
            protocolErrors.info(() -> session + ": " + why);
            kick(KickReason.PROTOCOL_ERROR, why);
        }
    }

    /** Why a read or write failed. */
    private CloseReason failureReason(IOException failure, boolean endOfStream) {
        return endOfStream ? CloseReason.PEER_CLOSED : SocketFailures.reasonOf(failure);
    }

    /** Who asked for the end, whether what is queued is written first, and the frame that goes out last (or null). */
    private record CloseRequest(CloseReason reason, boolean graceful, byte[] lastFrame) {
    }

    // ---------------------------------------------------------------- Spring Integration's side

    void publishOpened() {
        publishConnectionOpenEvent();
    }

    /** Spring Integration's close (its factory's stop): a close like any other, on the loop. */
    @Override
    public void close() {
        abort(CloseReason.SHUTDOWN);
    }

    @Override
    public boolean isOpen() {
        return state != CLOSED && channel.isOpen();
    }

    /** A message sent through Spring Integration (an outbound adapter): its payload, queued like any send. */
    @Override
    public void send(Message<?> message) {
        Object payload = message.getPayload();
        if (!(payload instanceof byte[] bytes)) {
            throw new IllegalArgumentException("a session connection sends byte[] payloads, not " + payload.getClass());
        }
        send(bytes);
    }

    /** The loop reads; Spring Integration's own read path is never started. */
    @Override
    public void readPacket() {
        throw new UnsupportedOperationException("reads are driven by the event loop");
    }

    @Override
    public void run() {
        throw new UnsupportedOperationException("reads are driven by the event loop");
    }
}
