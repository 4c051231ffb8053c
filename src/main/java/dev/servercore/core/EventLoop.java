package dev.servercore.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The event loop of one Spring Integration NIO connection factory: its selector thread. Each pass of the
 * factory's select loop ({@code processNioSelections}) comes here: tasks posted from other threads run,
 * ready connections are accepted, read, decoded and handed to their sessions inline, in order, and every
 * session that sent something during the pass is flushed once (Netty's {@code channelReadComplete}).
 * Everything a session's I/O state holds is touched by its loop thread only.
 *
 * <p>Counters are plain fields written by the loop alone and read by meters: no atomic operation per
 * packet.
 */
final class EventLoop implements Executor {

    private static final Log log = LogFactory.getLog(EventLoop.class);
    private static final int MAX_TASKS_PER_PASS = 4096;
    private static final VarHandle BUSY_SINCE;
    private static final VarHandle BUSY_WITH;

    static {
        try {
            BUSY_SINCE = MethodHandles.lookup().findVarHandle(EventLoop.class, "busySince", long.class);
            BUSY_WITH = MethodHandles.lookup().findVarHandle(EventLoop.class, "busyWith", Session.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final EndpointContext endpoint;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    /**
     * Shared by every connection of the loop: a read is handed out and done with before the next. On the
     * heap: the JDK reads through its own cached direct buffer anyway, and slicing a frame's body out of a
     * heap buffer costs far less than out of a direct one.
     */
    final ByteBuffer readBuffer;
    /** Where queued sends are gathered into one socket write. */
    final ByteBuffer writeBuffer;
    private final ArrayList<SessionConnection> toFlush = new ArrayList<>();
    /** Touched by the loop, and by a stop's last sweep after it: concurrent, and off the per-packet path. */
    private final Set<SessionConnection> connections = ConcurrentHashMap.newKeySet();
    /** Connections of resumable sessions, which send S_Ack on a timer: loop thread only (its size for the timer). */
    private final Set<SessionConnection> acking = new HashSet<>();
    private volatile int ackingCount;
    /** Connections still opening (a PROXY header, a TLS handshake): loop thread only. */
    private final Set<OpeningConnection> opening = new HashSet<>();
    private volatile Thread thread;
    private volatile Selector selector;
    private volatile boolean terminated;

    /** When the work unit in progress began (System.nanoTime()), or 0 when the loop waits: the watchdog's view. */
    @SuppressWarnings("unused")
    private volatile long busySince;
    /**
     * The session whose callback runs now, for the watchdog's warning. Like {@link #busySince}, written with
     * release semantics: no fence per unit of work on the loop.
     */
    @SuppressWarnings("unused")
    private volatile Session busyWith;
    private long lastWarnedBusySince;
    /** Nanoseconds at the start of the current unit of work; the loop's clock for timeouts. */
    long now = System.nanoTime();

    // Written by the loop only; read (racily, monotonic) by meters.
    long bytesReceived;
    long bytesSent;
    long packetsReceived;
    long packetsSent;
    long writes;
    long readPauses;
    long workUnits;
    long workNanos;
    long blockedWarnings;

    EventLoop(String name, EndpointContext endpoint) {
        this.name = name;
        this.endpoint = endpoint;
        this.readBuffer = ByteBuffer.allocate(endpoint.settings().readBufferSize());
        this.writeBuffer = ByteBuffer.allocateDirect(endpoint.settings().writeBatchBytes());
    }

    String name() {
        return name;
    }

    EndpointContext endpoint() {
        return endpoint;
    }

    /** The executor a factory runs its select loop on: one platform thread, which is this loop's. */
    Executor threadStarter() {
        return task -> {
            Thread previous = thread;
            if (previous != null && previous.isAlive()) {
                // its state (tasks, buffers, connections) is still the old thread's: a second one would share it
                throw new IllegalStateException(name + " cannot start again: its previous thread is still running"
                        + " (a callback blocks it; see the blocked-callback warnings)");
            }
            Thread t = new Thread(() -> {
                try {
                    task.run();
                } finally {
                    endRemaining();
                    terminated = true;
                    endRemaining(); // what was posted meanwhile
                }
            }, name);
            t.setDaemon(true);
            // a restart (stop, then start) gets a new thread and its factory a new selector
            selector = null;
            terminated = false;
            thread = t;
            t.start();
        };
    }

    /** For a loop driven by hand (a benchmark): the calling thread plays the loop's. */
    void driveFromCurrentThread() {
        thread = Thread.currentThread();
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    Thread thread() {
        return thread;
    }

    /** Runs {@code task} on the loop, soon; from the loop itself, after the current unit of work. */
    @Override
    public void execute(Runnable task) {
        if (terminated) {
            throw new RejectedExecutionException(name + " has stopped");
        }
        tasks.offer(task);
        if (terminated && tasks.remove(task)) {
            // the loop ended between the check above and the offer: its last sweep may have missed the task
            throw new RejectedExecutionException(name + " has stopped");
        }
        if (!inLoop()) {
            wakeup();
        }
    }

    private void wakeup() {
        Selector s = selector;
        if (s != null && !wakeupPending.get() && wakeupPending.compareAndSet(false, true)) {
            s.wakeup();
        }
    }

    /** The selector becomes known on the factory's first pass; until then nothing was registered with it. */
    void bind(Selector selector) {
        if (this.selector == null) {
            this.selector = selector;
        }
    }

    Selector selector() {
        return selector;
    }

    /** One pass of the select loop, after {@code select} returned {@code selected} keys. */
    void pass(int selected, Selector selector, KeyHandler acceptor) {
        bind(selector);
        now = System.nanoTime(); // the select may have waited
        wakeupPending.set(false);
        runTasks();
        if (selected > 0) {
            try {
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    handle(key, acceptor);
                }
            } catch (java.util.ConcurrentModificationException | java.nio.channels.ClosedSelectorException e) {
                if (selector.isOpen()) {
                    throw e;
                }
                // a stop closed the selector from its own thread (emptying the selected set) during this pass
                BUSY_SINCE.setRelease(this, 0L);
                return;
            }
        }
        runTasks();
        flushAll();
        BUSY_SINCE.setRelease(this, 0L);
    }

    private void handle(SelectionKey key, KeyHandler acceptor) {
        Object attachment = key.attachment();
        SessionConnection connection = attachment instanceof SessionConnection c ? c : null;
        beginUnit(connection == null ? null : connection.session());
        try {
            if (!key.isValid()) {
                return;
            }
            if (connection == null) {
                if (attachment instanceof OpeningConnection opening) {
                    opening.ready(key.readyOps());
                } else if (key.isAcceptable()) {
                    acceptor.acceptable(key);
                }
                return;
            }
            int ready = key.readyOps();
            if ((ready & SelectionKey.OP_WRITE) != 0) {
                connection.writable();
            }
            if ((ready & SelectionKey.OP_READ) != 0) {
                connection.readable();
            }
        } catch (CancelledKeyException e) {
            // closed while in the selected set
        } catch (Throwable t) {
            log.error(name + ": unexpected failure handling "
                    + (connection != null ? connection.session() : attachment), t);
            if (connection != null) {
                connection.abort(CloseReason.ERROR);
            } else if (attachment instanceof OpeningConnection opening) {
                opening.fail(RefusalReason.TLS_ERROR, "unexpected failure: " + t);
            }
        } finally {
            endUnit();
        }
    }

    private void runTasks() {
        for (int i = 0; i < MAX_TASKS_PER_PASS; i++) {
            Runnable task = tasks.poll();
            if (task == null) {
                return;
            }
            beginUnit(null);
            try {
                task.run();
            } catch (Throwable t) {
                log.error(name + ": a task failed", t);
            } finally {
                endUnit();
            }
        }
        // More remain: come back at once rather than starve the sockets.
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
    }

    private void beginUnit(Session session) {
        BUSY_WITH.setRelease(this, session);
        BUSY_SINCE.setRelease(this, now | 1);
    }

    /** One clock read per unit of work: its end is the next one's start. */
    private void endUnit() {
        long end = System.nanoTime();
        workUnits++;
        workNanos += end - now;
        now = end;
    }

    /** Called on the loop when a session's callback is about to run; the watchdog names it. */
    void running(Session session) {
        BUSY_WITH.setRelease(this, session);
    }

    /** A session that sent during this pass: flushed once at its end. */
    void flushLater(SessionConnection connection) {
        toFlush.add(connection);
    }

    private void flushAll() {
        // flush() may add connections again (a send from onSend): index-based, to the end as it grows
        for (int i = 0; i < toFlush.size(); i++) {
            SessionConnection connection = toFlush.get(i);
            beginUnit(connection.session());
            try {
                connection.flush();
            } catch (Throwable t) {
                log.error(name + ": unexpected failure flushing " + connection.session(), t);
                connection.abort(CloseReason.ERROR);
            } finally {
                endUnit();
            }
        }
        toFlush.clear();
    }

    void registered(SessionConnection connection) {
        connections.add(connection);
    }

    void deregistered(SessionConnection connection) {
        connections.remove(connection);
        notAcking(connection);
    }

    /** A resumable session's connection: looked at for its S_Ack four times a second (loop only). */
    void acking(SessionConnection connection) {
        if (acking.add(connection)) {
            ackingCount = acking.size();
        }
    }

    void notAcking(SessionConnection connection) {
        if (acking.remove(connection)) {
            ackingCount = acking.size();
        }
    }

    /** For the timer: whether a look for acks is worth a task (a loop with no resumable session is not woken). */
    boolean hasAcking() {
        return ackingCount > 0;
    }

    void checkAcks() {
        long at = System.nanoTime();
        for (SessionConnection connection : acking.toArray(new SessionConnection[0])) {
            connection.checkAck(at);
        }
    }

    void opening(OpeningConnection connection) {
        opening.add(connection);
    }

    /** Through (its session takes over) or failed. */
    void openingEnded(OpeningConnection connection) {
        opening.remove(connection);
    }

    /** The periodic check of every connection's deadlines, on the loop. */
    void checkTimeouts() {
        long at = System.nanoTime();
        for (OpeningConnection connection : opening.toArray(new OpeningConnection[0])) {
            connection.checkTimeouts(at);
        }
        for (SessionConnection connection : connections.toArray(new SessionConnection[0])) {
            connection.checkTimeouts(at);
        }
    }

    /**
     * The watchdog's look, from the timer thread: a unit of work running for longer than {@code limitNanos}
     * is reported once, with the session and the loop thread's stack.
     */
    void checkBlocked(long limitNanos) {
        long since = (long) BUSY_SINCE.getAcquire(this);
        if (since == 0 || since == lastWarnedBusySince || System.nanoTime() - since < limitNanos) {
            return;
        }
        lastWarnedBusySince = since;
        blockedWarnings++;
        Thread t = thread;
        Session session = (Session) BUSY_WITH.getAcquire(this);
        Throwable where = new Throwable("stack of " + name);
        if (t != null) {
            where.setStackTrace(t.getStackTrace());
        }
        log.warn(name + " has been blocked for " + (System.nanoTime() - since) / 1_000_000 + " ms"
                + (session != null ? " in a callback of " + session : "")
                + ": game code must not block an event loop; hand blocking work to another executor and send"
                + " the result from there", where);
    }

    /**
     * Asks every connection of the loop to close for a shutdown: after its queued bytes and an
     * {@code S_Kick(shutdown)} ({@code graceful}), or at once.
     */
    void closeAll(boolean graceful) {
        failOpening();
        for (SessionConnection connection : connections.toArray(new SessionConnection[0])) {
            if (graceful) {
                connection.kick(KickReason.SHUTDOWN, "the server is stopping");
            } else {
                connection.abort(CloseReason.SHUTDOWN);
            }
        }
    }

    /** The loop's thread ended (its factory stopped): sessions still open end here, with the loop gone. */
    private void endRemaining() {
        for (Runnable task; (task = tasks.poll()) != null; ) {
            try {
                task.run();
            } catch (Throwable t) {
                log.debug(name + ": a task failed after the loop ended", t);
            }
        }
        failOpening();
        for (SessionConnection connection : connections.toArray(new SessionConnection[0])) {
            connection.abort(CloseReason.SHUTDOWN);
        }
    }

    /** Connections still opening have no session to drain: they close at once. */
    private void failOpening() {
        for (OpeningConnection connection : opening.toArray(new OpeningConnection[0])) {
            connection.fail(RefusalReason.SHUTDOWN, "the endpoint is stopping");
        }
    }

    /** What the acceptor does with an acceptable key (server factories only). */
    @FunctionalInterface
    interface KeyHandler {
        void acceptable(SelectionKey key) throws Exception;
    }
}
