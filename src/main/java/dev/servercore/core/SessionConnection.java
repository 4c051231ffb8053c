package dev.servercore.core;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * Other threads reach the connection through {@link #send} (the session's lock-free inbox) and {@link #requestClose}.
 *
 * <p>Resume (PROTOCOL.md v3): a resumable session's connection that drops becomes {@code DETACHED}: its socket is
 * gone, but it stays with its loop and holds the session, taking sends into the session's {@link Resumption}, until
 * the window passes or a resume hands the session to the new connection. That connection first moves to the
 * session's loop (when it was accepted by another one), so that a session's callbacks always run on one loop.
 */
final class SessionConnection extends TcpNioConnection {

    private static final Log log = LogFactory.getLog(SessionConnection.class);
    private static final ThrottledLog protocolErrors = new ThrottledLog(log);
    private static final ThrottledLog slowConsumers = new ThrottledLog(log);
    private static final int NEW = 0;
    private static final int OPEN = 1;
    private static final int DRAINING = 2;
    private static final int CLOSED = 3;
    /** Resumable, its socket gone: holds the session for a resume. */
    private static final int DETACHED = 4;
    /** Its fresh session ended for a resume; on its way to the resumed session's loop. */
    private static final int MIGRATING = 5;

    private final SocketChannel channel;
    /**
     * Changed only by a resume, on the loop, before the session is bound here (a volatile write other threads read
     * first): who reaches this connection through its session sees the session that is on it.
     */
    private Session session;
    /** Changed only by a resume that moves this connection to the resumed session's loop. */
    private EventLoop loop;
    private final EndpointContext endpoint;
    private final SessionSettings settings;
    private final InetSocketAddress remoteAddress;
    /** Released (null) once a detached connection's socket is gone: a detached session holds no TLS engine. */
    private TlsTransport tls;
    /** The socket's places (Spring Integration's map, the address' count) are still held: a detached session's. */
    private boolean placesHeld = true;
    private final Runnable forget;
    private SelectionKey key;

    // From any thread.
    /**
     * Set by whoever first asks for the end (its reason wins); from then on sends are refused. A graceful
     * request may later become an immediate one, never the other way round.
     */
    private final AtomicReference<CloseRequest> close = new AtomicReference<>();
    /** Claimed by the one caller of {@link #closeNow} that closes. */
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean opened;
    /** The session is resumable ({@code C_ResumeEnable}), for other threads. */
    private volatile boolean resumable;
    /** The socket is gone; the session waits here for a resume. */
    private volatile boolean detached;
    /** A resume moved the session to another connection: what still reaches this one goes there. */
    private volatile boolean handedOff;

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
    static final int HOLD_RESUME = 4;
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

    /** Whether {@code session} is the one on this connection (a session a resume replaced is not). */
    boolean carries(Session session) {
        return this.session == session;
    }

    boolean isDetached() {
        return detached;
    }

    boolean isResumable() {
        return resumable;
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

    /** Accepting, on its socket, and still its session's connection: what a login's verdict may go on with. */
    boolean isLive() {
        return isAccepting() && !detached && !handedOff;
    }

    long queuedBytes() {
        TlsTransport transport = tls;
        return session.heldPublished + session.inboxBytes() + (transport == null ? 0 : transport.pendingBytes());
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
        if (!loop.inLoop()) {
            onLoop(this::budgetBack); // a resume moved the connection to another loop since the timer was set
            return;
        }
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

    // ---------------------------------------------------------------- resume

    /**
     * {@code C_ResumeEnable}, on the loop: frames queued so far stay unnumbered, {@code S_ResumeToken} goes out, and
     * every game frame after it is numbered.
     */
    void enableResume() {
        ResumableSessions sessions = endpoint.resumable();
        byte[] token = sessions.newToken();
        sendControl(SessionLayer.resumeToken(token, settings.resume().windowNanos() / 1_000_000));
        session.resumption = new Resumption(token, loop.now);
        resumable = true;
        sessions.add(session, token);
        loop.acking(this);
    }

    /**
     * {@code C_Resume} on this connection (its first frame; reading is held): the session with that token is asked
     * for, on its loop; the answer comes back here.
     */
    void resume(byte[] token, long count) {
        Session older = endpoint.resumable().find(token);
        SessionConnection holder = older == null ? null : older.connection();
        if (holder == null) {
            resumeRefused(KickReason.RESUME_UNKNOWN, "no session with that token, or its window passed");
            return;
        }
        try {
            holder.loop.execute(() -> holder.resumeRequested(this, count));
        } catch (RejectedExecutionException stopped) {
            resumeRefused(KickReason.RESUME_UNKNOWN, "the session is ending");
        }
    }

    /** {@code C_Ack}: the client has {@code count} frames; false if it claims more than were written to it. */
    boolean acknowledged(long count) {
        Resumption resumption = session.resumption;
        byte[] head = outbound == null ? null : outbound.peekFirst();
        int headFrames = head != null && headOffset > 0 ? session.packetsEndingIn(head, 0, headOffset) : 0;
        if (resumption == null || !resumption.acknowledged(count, head, headFrames)) {
            return false;
        }
        publishHeld();
        return true;
    }

    /** A numbered frame of the client reached the session; after every 256 an {@code S_Ack} goes out. */
    void clientFrameReceived() {
        Resumption resumption = session.resumption;
        resumption.receivedOne();
        if (resumption.ackDue(loop.now, SessionLayer.ACK_EVERY, SessionLayer.ACK_INTERVAL_NANOS)) {
            sendControl(SessionLayer.ack(SessionLayer.S_ACK, resumption.received()));
        }
    }

    /**
     * On the session's loop, for the connection the session is on: {@code next} (a new connection whose client sent
     * {@code C_Resume} with {@code count}) asks for the session. When it can have it, this connection (closed now if
     * the server had not noticed it was dead) holds the session until {@code next} arrives on this loop.
     */
    void resumeRequested(SessionConnection next, long count) {
        if (handedOff) {
            SessionConnection now = session.connection();
            if (now != this) {
                now.resumeRequested(next, count);
                return;
            }
        }
        Resumption resumption = session.resumption;
        String refusal = null;
        KickReason reason = KickReason.RESUME_UNKNOWN;
        if (resumption == null || handedOff || state == CLOSED || state == NEW || state == MIGRATING) {
            refusal = "no session with that token";
        } else if (resumption.claimant != null) {
            refusal = "another connection is resuming this session";
        } else if (state == DRAINING || (state == OPEN && close.get() != null)) {
            refusal = "the session is ending";
        } else if (!resumption.canResumeFrom(count)) {
            reason = KickReason.RESUME_GAP;
            refusal = "received " + count + ", but the server holds frames " + (resumption.acked() + 1) + ".."
                    + resumption.sent();
        }
        if (refusal == null && state == OPEN) {
            // half-open: the client is on a new connection, so this one is dead, whatever the socket says
            close.set(new CloseRequest(CloseReason.ERROR, false, null));
            takenOver = true;
            closeNow();
            if (state != DETACHED) {
                refusal = "no session with that token";
            }
        }
        if (refusal != null) {
            String text = refusal;
            KickReason why = reason;
            next.onLoop(() -> next.resumeRefused(why, text));
            return;
        }
        resumption.claimant = next;
        EventLoop home = loop;
        next.onLoop(() -> next.migrate(this, home, count));
    }

    /** On this connection's loop: the resume cannot be done; it goes on as the fresh session it is. */
    private void resumeRefused(KickReason reason, String text) {
        if (state != OPEN || !(session instanceof PacketSession fresh)) {
            return;
        }
        endpoint.metrics().resumed(reason == KickReason.RESUME_GAP ? "gap" : "unknown");
        sendControl(SessionLayer.resumeFailed(reason, text, settings.maxFrameSize()));
        callback("resume", fresh::resumeRefused);
        releaseReading(HOLD_RESUME);
    }

    /**
     * On this (the new) connection's loop, once the session's holder is ready: the fresh session ends quietly, and
     * the connection goes to the session's loop with what it has read and not yet delivered.
     */
    private void migrate(SessionConnection holder, EventLoop home, long count) {
        if (state != OPEN || close.get() != null || !(session instanceof PacketSession fresh)) {
            home.execute(() -> holder.claimDropped(this));
            return;
        }
        PacketSession.Input input = fresh.takeInput();
        state = MIGRATING;
        fresh.ended(CloseReason.RESUMED);
        endpoint.sessionEnded(fresh, CloseReason.RESUMED);
        dropInbox();
        loop.running(fresh);
        try {
            fresh.onDisconnected(remoteAddress);
        } catch (Throwable t) {
            log.error(fresh + ": onDisconnected threw", t);
        }
        fresh.runEndHooks();
        fresh.bind(null);
        if (home == loop) {
            adopt(holder, count, input);
            return;
        }
        key.cancel(); // the channel joins the other loop's selector; this one forgets it on its next select
        key = null;
        loop.deregistered(this);
        loop = home;
        try {
            home.execute(() -> adopt(holder, count, input));
        } catch (RejectedExecutionException stopped) {
            closeSocket(false); // the session's loop has ended, and the session with it
        }
    }

    /** On the session's loop: the connection that was to resume the session closed before it could. */
    private void claimDropped(SessionConnection next) {
        Resumption resumption = session.resumption;
        if (resumption != null && resumption.claimant == next) {
            resumption.claimant = null;
            if (close.get() != null) {
                applyClose(); // asked for while the resume was under way
            }
        }
    }

    /**
     * On the session's loop: this connection takes the session from {@code holder}: {@code S_Resumed}, the frames
     * after the client's {@code count}, what was sent meanwhile, then live traffic; then the frames this connection
     * had read after {@code C_Resume}.
     */
    private void adopt(SessionConnection holder, long count, PacketSession.Input input) {
        if (holder.state != DETACHED || holder.handedOff) {
            closeSocket(false); // the session ended meanwhile (its endpoint is stopping): nothing to resume
            state = CLOSED;
            return;
        }
        Session resumed = holder.session;
        Resumption resumption = resumed.resumption;
        resumption.claimant = null;
        CloseRequest asked = holder.close.get(); // an end asked for while the resume was under way
        holder.handOff();
        long detachedFor = loop.now - resumption.detachedAt;
        resumption.detachedAt = 0;
        session = resumed;
        resumable = true;
        loginDeadline = 0;
        flushPending = false;
        state = OPEN;
        try {
            if (key == null) {
                int ops = writeBlockedSince != 0 ? SelectionKey.OP_WRITE : 0;
                key = channel.register(loop.selector(), ops, this);
            }
        } catch (IOException e) {
            resumed.bind(this);
            loop.registered(this);
            abort(CloseReason.ERROR);
            return;
        }
        loop.registered(this);
        loop.acking(this);
        resumed.bind(this); // sends from now on come here
        List<byte[]> replay = resumption.replayAfter(count);
        outbound().add(SessionLayer.resumed(resumed.id(), resumption.received()));
        outboundBytes += outbound.peekLast().length;
        for (byte[] array : replay) {
            outbound.add(array);
            outboundBytes += array.length;
        }
        resumed.drainStarted();
        drainInbox(true); // what was sent to the session meanwhile, numbered after them
        publishHeld();
        endpoint.metrics().resumed("resumed");
        endpoint.metrics().replayed(replay.isEmpty() ? 0 : resumption.sent() - count);
        endpoint.metrics().detachedFor(detachedFor);
        PacketSession packets = (PacketSession) resumed;
        packets.resumedOn(this, input);
        // frames the client sent after C_Resume, before it could see S_Resumed, belong to the fresh session (as the
        // server's frames before S_Resumed do): dropped with it, the client sends what the server lacks after S_Resumed
        callback("onResumed", resumed::onResumed);
        if (asked != null) {
            requestClose(asked, true);
        } else if (close.get() != null) {
            applyClose(); // this connection was asked to close on its way here
        }
        releaseReading(HOLD_RESUME);
        flushLater();
    }

    /** The session left for another connection (on this loop), which takes over its place. */
    private void handOff() {
        handedOff = true;
        detached = false;
        state = CLOSED;
        loop.deregistered(this);
        releasePlaces();
        endpoint.resumable().heldChanged(-session.heldPublished);
        endpoint.resumable().detachedEnded();
    }

    private void callbackFailed(String callback, Throwable t) {
        log.error(session + ": " + callback + " threw; closing the session", t);
        close.compareAndSet(null, new CloseRequest(CloseReason.HANDLER_ERROR, false, null));
    }

    // ---------------------------------------------------------------- sending

    /**
     * Queues bytes of {@code from} (refused unless it is this connection's session); from the loop they wait for its
     * flush, from elsewhere the loop is woken. A resumable session's game frames are numbered as they are queued.
     */
    boolean send(Session from, byte[] data) {
        if (from != session || refusing()) {
            return false;
        }
        if (loop.inLoop()) {
            if (handedOff) {
                SessionConnection now = from.connection();
                return now != this && now.send(from, data);
            }
            if (state == CLOSED || state == MIGRATING) {
                return false;
            }
            drainInbox(); // keeps the order of what other threads queued before
            enqueue(data);
            long held = held();
            if (held > settings.sendQueueLimit()) {
                overflow(held);
                return false;
            }
            if (state != DETACHED) {
                flushLater();
            } else {
                publishHeld(); // what a detached session keeps counts against the gateway's bound at once
            }
            return true;
        }
        int offered = offer(from, data);
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
        return !refusing(); // closed meanwhile: the bytes may not go out
    }

    /**
     * Sends are refused once an end was asked for, except a drop of a resumable session: that only detaches it (the
     * session's inbox is kept), and a send made meanwhile is kept as one made a moment later would be; once the
     * session has ended (the drop could not detach it), refused.
     */
    private boolean refusing() {
        CloseRequest request = close.get();
        return request != null && !(resumable && request.isDrop() && session.closeReason() == null);
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
    int offer(Session from, byte[] data) {
        if (from != session || refusing()) {
            return REFUSED;
        }
        long queued = from.addInboxBytes(data.length);
        long held = from.heldPublished;
        if (queued + held > settings.sendQueueLimit()) {
            from.addInboxBytes(-data.length);
            overflow(queued + held);
            return REFUSED;
        }
        from.inbox.offer(data);
        return from.claimDrain() ? QUEUED_DRAIN_DUE : QUEUED;
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

    /** A game array joins the queue, numbered when the session is resumable; a detached session only keeps it. */
    private void enqueue(byte[] data) {
        Resumption resumption = session.resumption;
        if (resumption != null) {
            resumption.queued(data);
        }
        if (state != DETACHED) {
            outbound().add(data);
            outboundBytes += data.length;
        }
    }

    /** A session-layer frame of the engine's (never numbered): after what was sent before it. Loop only. */
    void sendControl(byte[] frame) {
        if (state != OPEN) {
            return;
        }
        drainInbox();
        outbound().add(frame);
        outboundBytes += frame.length;
        publishHeld();
        flushLater();
    }

    /** Bytes held for the peer: queued, and (resumable) written but not acknowledged; a detached session's all. */
    private long held() {
        Resumption resumption = session.resumption;
        if (resumption == null) {
            return outboundBytes;
        }
        return state == DETACHED ? resumption.heldBytes() : outboundBytes + resumption.unackedBytes();
    }

    private void publishHeld() {
        long held = held();
        long before = session.heldPublished;
        session.heldPublished = held;
        if (state == DETACHED && held != before && endpoint.resumable().heldChanged(held - before)) {
            slowConsumers.info(() -> session + ": detached sessions of " + endpoint.name() + " hold more than "
                    + settings.resume().maxDetachedBytes() + " bytes; ending this one");
            requestClose(new CloseRequest(CloseReason.SLOW_CONSUMER, false, null), false);
        }
    }

    private void drainInbox() {
        drainInbox(false);
    }

    /**
     * The inbox into the queue, in order. Unless {@code always}, only when an offer's drain is due: no look at an
     * empty queue of each session flushed (a cache miss each, at a thousand sessions a pass).
     */
    private void drainInbox(boolean always) {
        Session s = session;
        if (!always && !s.drainPending() || s.inbox.isEmpty()) {
            return;
        }
        long moved = 0;
        long dropped = 0;
        for (byte[] data; (data = s.inbox.poll()) != null; ) {
            if (lastFrameQueued) {
                dropped += data.length; // a send that raced the close: its send() said false, and nothing follows the last frame
            } else {
                enqueue(data);
                moved += data.length;
            }
        }
        s.addInboxBytes(-(moved + dropped));
        publishHeld();
        long held = s.heldPublished;
        if (held > settings.sendQueueLimit()) {
            overflow(held); // only a resumable session's unacknowledged frames can take it past what offer() let in
        }
    }

    /** On the loop: the drain that {@link #offer} asked for. */
    void drainAndFlush() {
        if (!loop.inLoop()) {
            onLoop(this::drainAndFlush); // a resume moved this connection to another loop meanwhile
            return;
        }
        if (handedOff) {
            SessionConnection now = session.connection();
            if (now != this) {
                now.drainAndFlush(); // the session is on another connection of this loop
            }
            return;
        }
        if (state == MIGRATING) {
            return; // the resumed session's loop drains once it has the connection
        }
        session.drainStarted();
        drainInbox(true);
        if (state == DETACHED) {
            return;
        }
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
        if (!loop.inLoop()) {
            return; // left on the list of the loop this connection moved away from; its new loop flushes it
        }
        flushPending = false;
        if (state == CLOSED || state == NEW || state == MIGRATING) {
            return;
        }
        if (state == DETACHED) {
            drainInbox();
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
        publishHeld();
        if (state == OPEN && close.get() != null) {
            applyClose(); // asked for by onSend
        } else if (state == DRAINING && outboundBytes == 0 && (tls == null || !tls.hasOutput())) {
            closeNow();
        }
    }

    /** The socket can take bytes again after a partial write. */
    void writable() {
        if (state != OPEN && state != DRAINING) {
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
                Resumption resumption = session.resumption;
                if (resumption != null) {
                    resumption.written(head);
                }
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
        if (handedOff) {
            SessionConnection now = session.connection();
            if (now == this) { // the hand-over is under way on the loop: once it is done, the session is elsewhere
                onLoop(() -> requestClose(request, escalate));
                return false;
            }
            return now.requestClose(request, escalate); // the session is on its new connection
        }
        boolean first = close.compareAndSet(null, request);
        if (!first && resumable && !request.isDrop()) {
            CloseRequest current = close.get();
            if (current == null || current.isDrop()) {
                // the connection is dropping and may detach the session: the end asked for applies once it has
                onLoop(() -> {
                    if (close.get() == null) {
                        requestClose(request, escalate);
                    }
                });
                return false;
            }
        }
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
            } while (!close.compareAndSet(current, new CloseRequest(current.reason(), false, null, current.chosen())));
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
        if (close.get() != null && !resumable) {
            return;
        }
        // also for a detached session: a resume under way sends it on the new connection
        byte[] frame = endpoint.isServer() ? session.kickFrame(reason, text, settings.maxFrameSize()) : null;
        requestClose(new CloseRequest(reason.closeReason(), true, frame), true);
    }

    /** Closes at once with a TCP reset (SO_LINGER 0), dropping what is queued. Any thread. */
    void reset() {
        try {
            channel.socket().setSoLinger(true, 0);
        } catch (IOException e) {
            // closed already
        }
        requestClose(new CloseRequest(CloseReason.ERROR, false, null, true), true); // the server's choice: no detach
    }

    /** Closes at once, dropping what is queued; keeps an earlier reason. Any thread. */
    void abort(CloseReason reason) {
        requestClose(reason, false);
    }

    private void applyClose() {
        if (handedOff) {
            // a close that reached this connection as its session moved on: it applies where the session is now
            CloseRequest request = close.get();
            SessionConnection now = session.connection();
            if (request != null && now != this) {
                now.requestClose(request, true);
            }
            return;
        }
        if (state == CLOSED || state == MIGRATING) {
            return;
        }
        CloseRequest request = close.get();
        if (request == null) {
            return; // a drop detached the session after this close was posted; its retry follows
        }
        if (state == DETACHED) {
            if (session.resumption.claimant == null || request.reason() == CloseReason.SHUTDOWN) {
                endDetached(request.reason()); // else the resume taking the session over applies it on the new connection
            }
            return;
        }
        if (request.graceful() && state == OPEN) {
            state = DRAINING;
            drainInbox(); // what was sent before the close; the inbox takes nothing after the last frame
            if (request.lastFrame() != null) {
                outbound().add(request.lastFrame());
                outboundBytes += request.lastFrame().length;
                session.heldPublished = held();
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

    /**
     * On the loop (or with the loop gone): the socket closes, then the session ends, once; a resumable session whose
     * connection dropped is detached instead.
     */
    private void closeNow() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        boolean opened = state != NEW;
        close.compareAndSet(null, new CloseRequest(CloseReason.SHUTDOWN, false, null));
        CloseRequest request = close.get();
        CloseReason reason = request.reason();
        boolean detach = (state == OPEN || state == DRAINING) && detachable(request);
        state = detach ? DETACHED : CLOSED;
        closeSocket(detach);
        if (!opened) {
            endpoint.releaseSession();
            return;
        }
        if (detach) {
            detached();
        } else {
            end(reason);
        }
    }

    /** A half-open connection closed for a resume: detached whatever the bound, as its session moves at once. */
    private boolean takenOver;

    private boolean detachable(CloseRequest request) {
        return session.resumption != null && request.isDrop() && loop.inLoop()
                && endpoint.resumable().admitDetached(takenOver);
    }

    /**
     * The socket goes (SI's close event, the factory's and the address' places); the connection leaves its loop,
     * unless it stays to hold a detached session.
     */
    private void closeSocket(boolean keepHolding) {
        if (key != null) {
            key.cancel();
        }
        if (!keepHolding) {
            loop.deregistered(this);
        }
        if (!keepHolding) {
            releasePlaces();
        }
        if (tls != null) {
            tls.closeQuietly(channel);
            if (keepHolding) {
                tls = null;
            }
        }
        super.close(); // the channel, and Spring Integration's close event
        outbound = null;
        outboundBytes = 0;
        headOffset = 0;
        writeBlockedSince = 0;
        if (!keepHolding) {
            session.heldPublished = 0;
            dropInbox();
        }
    }

    /** The socket's places: a detached session keeps them (its address' count too) until it ends or moves. */
    private void releasePlaces() {
        if (placesHeld) {
            placesHeld = false;
            forget.run();
        }
    }

    private void dropInbox() {
        Session s = session;
        for (byte[] dropped; (dropped = s.inbox.poll()) != null; ) {
            s.addInboxBytes(-dropped.length);
        }
    }

    /** The session survives its connection: sends are taken (and kept) again, and it is told. */
    private void detached() {
        Resumption resumption = session.resumption;
        resumption.detachedAt = loop.now | 1;
        loop.notAcking(this);
        lastFrameQueued = false;
        readHolds = 0;
        loginDeadline = 0;
        detached = true;
        session.connectionLost();
        session.heldPublished = 0;
        publishHeld(); // what it holds now counts against the gateway's bound
        close.set(null);
        endpoint.metrics().detached();
        callback("onDetached", session::onDetached);
    }

    /** A detached session ends: its window passed, or the server closed it. Loop only. */
    private void endDetached(CloseReason reason) {
        state = CLOSED;
        detached = false;
        loop.deregistered(this);
        releasePlaces();
        endpoint.resumable().heldChanged(-session.heldPublished);
        endpoint.resumable().detachedEnded();
        session.heldPublished = 0;
        dropInbox();
        endpoint.metrics().detachedFor(loop.now - session.resumption.detachedAt);
        end(reason);
    }

    /** The session ends, once: its onDisconnected, then its end hooks. */
    private void end(CloseReason reason) {
        if (session.resumption != null) {
            endpoint.resumable().remove(session);
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

    /** The look a resumable session's connection gets four times a second, on the loop: an S_Ack once a second. */
    void checkAck(long now) {
        Resumption resumption = session.resumption;
        if (state == OPEN && resumption != null
                && resumption.ackDue(now, SessionLayer.ACK_EVERY, SessionLayer.ACK_INTERVAL_NANOS)) {
            sendControl(SessionLayer.ack(SessionLayer.S_ACK, resumption.received()));
        }
    }

    /** The periodic look at this connection's deadlines, on the loop. */
    void checkTimeouts(long now) {
        if (state == DETACHED) {
            Resumption resumption = session.resumption;
            if (resumption.claimant == null && now - resumption.detachedAt > settings.resume().windowNanos()) {
                endDetached(CloseReason.RESUME_EXPIRED);
            }
            return;
        }
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
    private record CloseRequest(CloseReason reason, boolean graceful, byte[] lastFrame, boolean chosen) {

        CloseRequest(CloseReason reason, boolean graceful, byte[] lastFrame) {
            this(reason, graceful, lastFrame, false);
        }

        /** A drop the server did not choose: what PROTOCOL.md lets a resumable session survive. */
        boolean isDrop() {
            return !chosen && (reason == CloseReason.PEER_CLOSED || reason == CloseReason.ERROR
                    || reason == CloseReason.IDLE_TIMEOUT);
        }
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
        send(session, bytes);
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
