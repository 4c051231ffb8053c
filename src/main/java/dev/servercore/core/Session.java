package dev.servercore.core;

import java.net.InetSocketAddress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * One TCP connection, as game code sees it: the C# ServerCore {@code Session}.
 *
 * <p>Callbacks: {@link #onConnected} once, then {@link #onRecv} once per read, in order, on the
 * connection's own reading thread; {@link #onSend} after each socket write; {@link #onDisconnected}
 * exactly once, whatever ends the session. {@link #send} and {@link #disconnect} may be called from any
 * thread and never wait for the network: sends are queued, and everything queued while a write is in
 * flight goes out together in the next write (the C# {@code _pendingList}). Sends made while the session
 * is handling a read are written once that read has been handled, in one write, by the reading thread
 * itself; sends from other threads are written by an I/O thread of their own. A write that cannot
 * complete within the write timeout, or a queue past its limit, means the peer does not read: the
 * session ends as a slow consumer.
 *
 * <p>Instances come from a session factory (a prototype-scoped bean): the engine never knows the class.
 */
public abstract class Session {

    private static final Log log = LogFactory.getLog(Session.class);
    private static final AtomicInteger ids = new AtomicInteger();

    private final int id = ids.incrementAndGet();
    private final ConcurrentLinkedQueue<byte[]> sendQueue = new ConcurrentLinkedQueue<>();
    /**
     * Bytes accepted by {@link #send} and not yet written, the write in flight included. Whoever takes an
     * array off the queue (the writer, or {@link #ended} dropping the queue) subtracts it, once.
     */
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicReference<CloseReason> closeReason = new AtomicReference<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicBoolean endHookRan = new AtomicBoolean();
    private volatile Runnable endHook;

    private volatile SessionConnection connection;
    private volatile SessionDispatcher dispatcher;
    /** The thread inside {@link #onConnected} or {@link #onRecv}: its sends are written when it returns. */
    private volatile Thread callbackThread;
    /**
     * What the thread inside a callback sends, in order, written (or queued) when the callback returns:
     * only that thread touches them, so a reply costs no atomic operation.
     */
    private final ArrayList<byte[]> replies = new ArrayList<>(0);
    private int replyBytes;
    /** When the write in progress began (System.nanoTime()), or 0: read by the stalled-write check. */
    private volatile long writeStartedAt;

    /** Unique for the life of the process, positive. */
    public final int id() {
        return id;
    }

    /** The peer's address, or null before the session is bound to a connection. */
    public final InetSocketAddress remoteAddress() {
        SessionConnection c = connection;
        return c == null ? null : c.remoteAddress();
    }

    public final boolean isConnected() {
        return dispatcher != null && closeReason.get() == null;
    }

    /** Why the session ended, or null while it is open. */
    public final CloseReason closeReason() {
        return ended.get() ? closeReason.get() : null;
    }

    /** Bytes queued for this session and not yet written to its socket. */
    public final long queuedBytes() {
        return queuedBytes.get();
    }

    /** Called once, before any {@link #onRecv}. */
    protected void onConnected(InetSocketAddress endpoint) {
    }

    /** One read's worth of bytes, in arrival order; valid only during the call. */
    protected abstract void onRecv(ByteBuffer data);

    /** After a write of {@code numBytes} bytes reached the socket; on the writing thread. */
    protected void onSend(int numBytes) {
    }

    /** Called exactly once when the session ends; {@link #closeReason()} says why. */
    protected void onDisconnected(InetSocketAddress endpoint) {
    }

    /**
     * Queues bytes for the peer; never blocks on the network. The array must not change afterwards (so one
     * array may be sent to many sessions).
     *
     * @return false if the session is closed, or was closed because this send overflowed its queue
     */
    public boolean send(byte[] data) {
        SessionDispatcher d = dispatcher;
        if (d == null || closeReason.get() != null) {
            return false;
        }
        if (Thread.currentThread() == callbackThread) {
            replies.add(data);
            replyBytes += data.length;
            return !overLimit(queuedBytes.get() + replyBytes, d);
        }
        long queued = queuedBytes.addAndGet(data.length);
        sendQueue.offer(data);
        if (overLimit(queued, d)) {
            return false;
        }
        scheduleWrite();
        return true;
    }

    private boolean overLimit(long queued, SessionDispatcher d) {
        if (queued <= d.settings().sendQueueLimit()) {
            return false;
        }
        if (closeReason.get() == null) {
            log.info("Session " + id + " " + remoteAddress() + ": " + queued + " bytes queued, over the limit of "
                    + d.settings().sendQueueLimit() + "; closing it as a slow consumer");
        }
        close(CloseReason.SLOW_CONSUMER);
        return true;
    }

    /** Closes the session; idempotent, any thread. */
    public final void disconnect() {
        close(CloseReason.LOCAL);
    }

    /** The first reason wins; the close itself runs once, through the connection. */
    final void close(CloseReason reason) {
        if (!closeReason.compareAndSet(null, reason)) {
            return;
        }
        SessionConnection c = connection;
        if (c != null) {
            c.close();
        }
        ended(); // in case the connection was never registered with a dispatcher
    }

    /** A read ended with this reason; recorded unless the session is already closing for another. */
    final void noteReadEnded(CloseReason reason) {
        closeReason.compareAndSet(null, reason);
    }

    final void bind(SessionConnection connection) {
        this.connection = connection;
    }

    /**
     * The connection is registered: the session opens. Called before its reading thread starts. What
     * {@link #onConnected} sends (a welcome) is written only once the session is in the registry: so the
     * welcome is the first thing the peer gets, and a peer that has it is already reached by broadcasts.
     */
    final void opened(SessionDispatcher dispatcher) {
        this.dispatcher = dispatcher;
        dispatcher.metrics().opened();
        callbackThread = Thread.currentThread();
        try {
            onConnected(remoteAddress());
        } catch (RuntimeException e) {
            callbackFailed("onConnected", e);
        } finally {
            callbackThread = null;
        }
        dispatcher.registry().add(this);
        if (ended.get()) {
            dispatcher.registry().remove(this); // it ended during onConnected, before it was added
        }
        flushReplies(false); // the accepting thread must not block on a write
    }

    /** One read from the socket, on the connection's reading thread; the buffer is reused after the call. */
    final void received(byte[] buffer, int length) {
        SessionDispatcher d = dispatcher;
        d.metrics().bytesReceived(length);
        callbackThread = Thread.currentThread();
        try {
            if (countsReadsAsPackets()) {
                d.metrics().packetsReceived(1);
            }
            onRecv(ByteBuffer.wrap(buffer, 0, length));
        } catch (ProtocolException e) {
            log.info("Session " + id + " " + remoteAddress() + ": protocol error: " + e.getMessage());
            close(CloseReason.PROTOCOL_ERROR);
        } catch (RuntimeException e) {
            callbackFailed("onRecv", e);
        } finally {
            callbackThread = null;
        }
        flushReplies(true);
    }

    /**
     * After a callback: its replies go out in one write. The reading thread ({@code writeHere}) writes them
     * itself, with no hand-off per read, unless a writer is busy; should the peer stop reading, that blocks
     * only this session's reads, and the stalled-write check ends it.
     */
    private void flushReplies(boolean writeHere) {
        int count = replies.size();
        if (count > 0 && closeReason.get() == null) {
            int bytes = replyBytes;
            if (writeHere && bytes <= dispatcher.settings().writeBatchBytes() && sendQueue.isEmpty()
                    && writing.compareAndSet(false, true)) {
                byte[] batch = count == 1 ? replies.get(0) : concatenate(replies, bytes);
                replies.clear();
                replyBytes = 0;
                queuedBytes.addAndGet(bytes);
                writeQueued(batch, bytes, count);
                return;
            }
            queuedBytes.addAndGet(bytes);
            sendQueue.addAll(replies);
        }
        replies.clear();
        replyBytes = 0;
        if (!writeHere) {
            scheduleWrite();
        } else if (!sendQueue.isEmpty() && writing.compareAndSet(false, true)) {
            writeQueued(null, 0, 0);
        }
    }

    private static byte[] concatenate(List<byte[]> arrays, int length) {
        byte[] joined = new byte[length];
        int position = 0;
        for (byte[] array : arrays) {
            System.arraycopy(array, 0, joined, position, array.length);
            position += array.length;
        }
        return joined;
    }

    /** In raw mode a packet is a read; {@link PacketSession} counts frames instead. */
    boolean countsReadsAsPackets() {
        return true;
    }

    final SessionSettings settings() {
        return dispatcher.settings();
    }

    final SessionMetrics metrics() {
        return dispatcher.metrics();
    }

    /** The connection is gone; may be called more than once, acts once. */
    final void ended() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        closeReason.compareAndSet(null, CloseReason.PEER_CLOSED);
        if (writing.compareAndSet(false, true)) {
            dropQueue(); // no writer is running, and none will start: `writing` stays taken
        } // else the running writer sees `ended` and drops the queue itself
        SessionDispatcher d = dispatcher;
        if (d != null) {
            d.sessionEnded(this);
            try {
                onDisconnected(remoteAddress());
            } catch (RuntimeException e) {
                log.error("Session " + id + ": onDisconnected threw", e);
            }
        }
        runEndHook();
    }

    /** Runs {@code hook} once the session has ended (at once if it has), after {@link #onDisconnected}. */
    final void whenEnded(Runnable hook) {
        endHook = hook;
        if (ended.get()) {
            runEndHook();
        }
    }

    private void runEndHook() {
        Runnable hook = endHook;
        if (hook != null && endHookRan.compareAndSet(false, true)) {
            hook.run();
        }
    }

    private void callbackFailed(String callback, RuntimeException e) {
        log.error("Session " + id + " " + remoteAddress() + ": " + callback + " threw; closing the session", e);
        close(CloseReason.HANDLER_ERROR);
    }

    private void scheduleWrite() {
        if (!sendQueue.isEmpty() && writing.compareAndSet(false, true)) {
            try {
                dispatcher.writeExecutor().execute(() -> writeQueued(null, 0, 0));
            } catch (RejectedExecutionException e) {
                close(CloseReason.SHUTDOWN); // the endpoint stopped: its I/O threads are gone
            }
        }
    }

    /** Ends the session as a slow consumer if a write has been blocked since before {@code deadline}. */
    final void closeIfWriteStalledSince(long deadline) {
        long started = writeStartedAt;
        if (started != 0 && started - deadline < 0) {
            log.info("Session " + id + " " + remoteAddress() + ": a write has been blocked for over "
                    + dispatcher.settings().writeTimeout() + "; closing it as a slow consumer");
            try {
                // not on the timer's thread: onDisconnected is game code
                dispatcher.writeExecutor().execute(() -> close(CloseReason.SLOW_CONSUMER));
            } catch (RejectedExecutionException stopped) {
                close(CloseReason.SLOW_CONSUMER);
            }
        }
    }

    /**
     * The only consumer of the send queue: one at a time, guarded by {@link #writing}. It runs on the
     * session's reading thread after a read, or on an I/O thread of its own for sends from elsewhere,
     * never on a caller's: a blocking write to a peer that does not read must not stall game code.
     */
    private void writeQueued(byte[] first, int firstLength, int firstPackets) {
        SessionDispatcher d = dispatcher;
        SessionConnection c = connection;
        int batchLimit = d.settings().writeBatchBytes();
        try {
            if (first != null) {
                writeOut(c, d, first, firstLength, firstPackets);
            }
            while (true) {
                if (ended.get()) {
                    dropQueue();
                    return;
                }
                byte[] head = sendQueue.poll();
                if (head == null) {
                    writing.set(false);
                    // A send may have queued after the poll and seen writing == true: look again.
                    if (sendQueue.isEmpty() || !writing.compareAndSet(false, true)) {
                        return;
                    }
                    continue;
                }
                int length = head.length;
                int packets = 1;
                for (byte[] queued : sendQueue) {
                    if (length + queued.length > batchLimit) {
                        break;
                    }
                    length += queued.length;
                    packets++;
                }
                byte[] batch = head;
                if (packets > 1) {
                    // Only this writer takes from the queue, so the next polls return what was just counted.
                    batch = new byte[length];
                    System.arraycopy(head, 0, batch, 0, head.length);
                    for (int i = 1, position = head.length; i < packets; i++) {
                        byte[] queued = sendQueue.poll();
                        System.arraycopy(queued, 0, batch, position, queued.length);
                        position += queued.length;
                    }
                }
                writeOut(c, d, batch, length, packets);
            }
        } catch (Exception e) {
            if (closeReason.get() == null) {
                log.debug("Session " + id + ": write failed: " + e);
            }
            close(c.failureReason(e));
            dropQueue(); // `writing` stays taken: the session writes no more
        }
    }

    /** One socket write; the bytes leave the queued count whether it succeeds or not. */
    private void writeOut(SessionConnection c, SessionDispatcher d, byte[] batch, int length, int packets)
            throws IOException {
        writeStartedAt = System.nanoTime() | 1; // never 0 while writing
        try {
            c.write(batch, length);
        } finally {
            writeStartedAt = 0;
            queuedBytes.addAndGet(-length);
        }
        d.metrics().sent(length, packets);
        try {
            onSend(length);
        } catch (RuntimeException e) {
            callbackFailed("onSend", e);
        }
    }

    /** Only the holder of {@link #writing} calls this. */
    private void dropQueue() {
        for (byte[] dropped; (dropped = sendQueue.poll()) != null; ) {
            queuedBytes.addAndGet(-dropped.length);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "#" + id + "(" + remoteAddress() + ")";
    }
}
