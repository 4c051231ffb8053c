package dev.servercore.core;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * One TCP connection, as game code sees it: the C# ServerCore {@code Session}.
 *
 * <p>Every callback of a session runs on its event loop, one at a time and in this order:
 * {@link #onConnected} once, {@link #onRecv} for each read, {@link #onSend} after writes, and
 * {@link #onDisconnected} exactly once, last; nothing runs after it. Callbacks must not block: the loop
 * serves many sessions (see HELP.md, "Threads").
 *
 * <p>A session its client made resumable (PROTOCOL.md v3, Resume) outlives its connection: a connection that ends
 * in a way the server did not choose (reset, end of stream, idle timeout, failed write) detaches it
 * ({@link #onDetached}); it keeps its id, its rooms and what is sent to it, and a {@code C_Resume} on a new
 * connection within the window moves it there ({@link #onResumed}), on the same loop. {@code onDisconnected} still
 * runs once, last, when the session really ends: its window passed, or the server closed it.
 *
 * <p>{@link #send} may be called from any thread and never waits for the network. Sends made on the
 * session's loop (inside a callback) are gathered and written once the loop has handled its ready
 * connections, in one write; sends from other threads are queued and the loop woken. A peer that does
 * not read ends as a slow consumer: its queue is bounded, and so is the time a write may wait.
 *
 * <p>Instances come from a session factory (a prototype-scoped bean): the engine never knows the class.
 */
public abstract class Session {

    private static final Log log = LogFactory.getLog(Session.class);
    /** Set by the engine as the session opens, before any callback (then read through safe publication). */
    private int id;
    private volatile SessionConnection connection;
    private volatile CloseReason endedWith;
    private volatile String principal;
    private List<Runnable> endHooks;
    /** Guarded by this: the end hooks have run (onDisconnected is over). */
    private boolean hooksRan;
    /**
     * Sends from threads other than the loop, in order, until the loop of the session's connection takes them: the
     * session's, not the connection's, so that a resume moving it to another connection keeps their order.
     */
    final ConcurrentLinkedQueue<byte[]> inbox = new ConcurrentLinkedQueue<>();
    final AtomicLong inboxBytes = new AtomicLong();
    final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** Bytes held for the peer (queued, and kept for a replay) as of the loop's last look, for other threads. */
    volatile long heldPublished;
    /** Numbering and replay, once the client made the session resumable; its loop's only. */
    Resumption resumption;
    /** When the partial frame held by the decoder began (loop nanos), or 0: for the frame timeout. */
    long partialFrameSince;

    /**
     * Positive, and unique among open sessions: of the process (one sequence for every endpoint, see
     * {@link SessionIds}) or of the cluster when one is set. 0 before the session opens.
     */
    public final int id() {
        return id;
    }

    /**
     * The peer's address: the client a PROXY protocol header named ({@code servercore.listener.proxy-protocol}),
     * else the socket's peer; null before the session is bound to a connection.
     */
    public final InetSocketAddress remoteAddress() {
        SessionConnection c = connection;
        return c == null ? null : c.remoteAddress();
    }

    /** Open, on a connection, and not asked to close. */
    public final boolean isConnected() {
        SessionConnection c = connection;
        return c != null && c.isAccepting() && !c.isDetached();
    }

    /** Resumable, and its connection is gone: what is sent to it is kept until it resumes or its window passes. */
    public final boolean isDetached() {
        SessionConnection c = connection;
        return c != null && c.isDetached();
    }

    /** Its client made it resumable ({@code C_ResumeEnable}): a drop detaches it rather than end it. */
    public final boolean isResumable() {
        SessionConnection c = connection;
        return c != null && c.isResumable();
    }

    /**
     * Who the session logged in as ({@code C_Login}, verified by the listener's {@link Authenticator}), or null
     * before a login (and always without one).
     */
    public final String principal() {
        return principal;
    }

    /** Why the session ended, or null while it is open. */
    public final CloseReason closeReason() {
        return endedWith;
    }

    /** Bytes queued for this session and not yet written to its socket, and (resumable) kept for a replay. */
    public final long queuedBytes() {
        SessionConnection c = connection;
        return c == null ? 0 : c.queuedBytes();
    }

    /** Called once, before any {@link #onRecv}; what it sends is the first thing the peer receives. */
    protected void onConnected(InetSocketAddress endpoint) {
    }

    /** One read's worth of bytes, in arrival order; valid only during the call. */
    protected abstract void onRecv(ByteBuffer data);

    /** After a write of {@code numBytes} bytes reached the socket. */
    protected void onSend(int numBytes) {
    }

    /**
     * A resumable session lost its connection in a way the server did not choose: it waits for its client to resume,
     * keeping what is sent to it. {@link #closeReason()} is still null; {@link #isDetached()} is true.
     */
    protected void onDetached() {
    }

    /**
     * The client resumed the session on a new connection: what was kept is being replayed, and frames from the new
     * connection follow this call. Runs on the session's loop, as every callback.
     */
    protected void onResumed() {
    }

    /** Called exactly once when the session ends, after every other callback; {@link #closeReason()} says why. */
    protected void onDisconnected(InetSocketAddress endpoint) {
    }

    /**
     * Queues bytes for the peer; never blocks. The array must not change afterwards (so one array may be
     * sent to many sessions).
     *
     * @return false if the session is closed or closing, or was closed because this send overflowed its queue
     */
    public boolean send(byte[] data) {
        SessionConnection c = connection;
        return c != null && c.send(this, data);
    }

    /**
     * Closes the session once what was sent before has been written (within the write timeout), so a
     * peer can be told why it is kicked. Sends after it are refused; frames not yet handed to
     * {@link #onRecv} are not delivered. Idempotent, any thread.
     */
    public final void disconnect() {
        SessionConnection c = connection;
        if (c != null && c.carries(this)) {
            c.requestClose(CloseReason.LOCAL, true);
        }
    }

    /**
     * Ends the session with a reason its peer is told: a framed session of a listener gets PROTOCOL.md's
     * {@code S_Kick} (reason, then {@code text}) after what was sent before, then the close; a raw or client
     * session is closed the same way without it. Counted in {@code servercore.sessions.closed} by the reason's
     * close. Reads stop at once, sends after it are refused. Idempotent, any thread: the first end asked for wins.
     */
    public final void kick(KickReason reason, String text) {
        SessionConnection c = connection;
        if (c != null && c.carries(this)) {
            c.kick(reason, text);
        }
    }

    /** {@link #kick(KickReason, String)} for a reason of the game's: {@code S_Kick(kicked)}. */
    public final void kick(String text) {
        kick(KickReason.KICKED, text);
    }

    /** Closes the session at once, dropping whatever is still queued. Idempotent, any thread. */
    public final void abort() {
        SessionConnection c = connection;
        if (c != null && c.carries(this)) {
            c.requestClose(CloseReason.LOCAL, false);
        }
    }

    /**
     * Closes the session's connection at once with a TCP reset (RST, not FIN), dropping what is queued: what a
     * network failure looks like to the peer (the dummy client's chaos uses it). Counted as an error close.
     */
    public final void abortWithReset() {
        SessionConnection c = connection;
        if (c != null && c.carries(this)) {
            c.reset();
        }
    }

    final void loggedIn(String principal) {
        this.principal = principal;
    }

    final void assignId(int id) {
        this.id = id;
    }

    final void bind(SessionConnection connection) {
        this.connection = connection;
    }

    final SessionConnection connection() {
        return connection;
    }

    /**
     * Packets of one array given to {@link #send} that end within its bytes {@code [from, to)}: in raw mode
     * the send itself, once its last byte is written.
     */
    int packetsEndingIn(byte[] data, int from, int to) {
        return to == data.length ? 1 : 0;
    }

    /** The frame that tells the peer why it is kicked, or null where there is no framing (raw mode). */
    byte[] kickFrame(KickReason reason, String text, int maxFrameSize) {
        return null;
    }

    /** A resumable session's connection dropped: what it held of an unfinished read is dropped with it. */
    void connectionLost() {
        partialFrameSince = 0;
    }

    /** One read, on the loop; in raw mode it is one packet. */
    void received(ByteBuffer data, EventLoop loop) {
        loop.packetsReceived++;
        onRecv(data);
    }

    final void ended(CloseReason reason) {
        endedWith = reason;
    }

    /**
     * Runs {@code hook} once the session has ended, after {@link #onDisconnected} returned, on the thread that
     * ended it (its loop); at once, on the caller's thread, if that is over already. Any number of hooks.
     */
    public final void whenEnded(Runnable hook) {
        synchronized (this) {
            if (!hooksRan) {
                if (endHooks == null) {
                    endHooks = new ArrayList<>(2);
                }
                endHooks.add(hook);
                return;
            }
        }
        hook.run();
    }

    /** After {@link #onDisconnected}: the hooks run, and any added later run at once. */
    final void runEndHooks() {
        List<Runnable> hooks;
        synchronized (this) {
            hooksRan = true;
            hooks = endHooks;
            endHooks = null;
        }
        if (hooks != null) {
            for (Runnable hook : hooks) {
                try {
                    hook.run();
                } catch (Throwable t) {
                    log.error(this + ": an end hook threw", t);
                }
            }
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "#" + id + "(" + remoteAddress() + ")";
    }
}
