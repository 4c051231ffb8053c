package dev.servercore.game;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.servercore.core.Session;
import dev.servercore.core.Sessions;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * A room: its members, a job queue and a tick, the C# course's {@code GameRoom} with its {@code JobQueue}.
 * Jobs of one room run one at a time, in the order they were submitted, on the rooms' worker threads
 * (never on an event loop): a room's state needs no lock as long as only its jobs touch it. Each tick
 * (a job too) runs the {@link RoomListener}s' {@code onTick}, then writes what {@link #broadcast} gathered
 * during the tick to every member, in one send per member. With a {@link RoomBackplane}, what the tick
 * writes is also published once for the room's members on other nodes.
 */
public final class Room {

    private static final Log log = LogFactory.getLog(Room.class);
    /** Jobs run in one go before the worker is handed to another room. */
    private static final int JOBS_PER_TURN = 256;

    private final String name;
    private final Rooms rooms;
    private final Queue<Runnable> jobs = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicBoolean tickQueued = new AtomicBoolean();
    private final AtomicBoolean flushQueued = new AtomicBoolean();
    /** The latest tick whose flush is due (from the ticker). */
    private volatile long flushDue;
    private volatile Thread runner;
    private volatile int size;
    /** Members on the other nodes, as the backplane counted them at the latest join here. */
    private volatile int otherNodesMembers;
    /** Joins on their way (counted under the rooms' lock): a room with one is not dropped. */
    int pendingJoins;
    boolean dropped;

    // Confined to the room's jobs.
    private final Set<Session> members = new LinkedHashSet<>();
    private final List<byte[]> gathered = new ArrayList<>();
    private int gatheredBytes;
    /** With a flush delay: what the last tick wrote, and other nodes' frames, waiting for the flush. */
    private final List<byte[]> unflushed = new ArrayList<>();
    private int unflushedBytes;
    private final List<Runnable> afterFlush = new ArrayList<>();
    /** The tick (wall clock's period count) of the tick job running, and of the last flush. */
    private long tick;
    private long flushedTick;
    private Object attachment;

    Room(String name, Rooms rooms) {
        this.name = name;
        this.rooms = rooms;
    }

    public String name() {
        return name;
    }

    /** Whether {@link #broadcast} waits for the tick (servercore.rooms.batching). */
    public boolean isBatching() {
        return rooms.isBatching();
    }

    /** Members now (from any thread: a snapshot as of the last join or leave). */
    public int size() {
        return size;
    }

    /**
     * Members on every node that shares the rooms: this node's now, the others' as counted at the latest
     * join here ({@link #size()} on a single node).
     */
    public int clusterSize() {
        return size + otherNodesMembers;
    }

    /** Runs {@code job} after the jobs already submitted, on a rooms' worker thread. Any thread. */
    public void execute(Runnable job) {
        jobs.offer(job);
        rooms.jobQueued();
        schedule();
    }

    private void schedule() {
        if (!jobs.isEmpty() && scheduled.compareAndSet(false, true)) {
            try {
                java.util.concurrent.ExecutorService workers = rooms.workers();
                if (workers == null) {
                    throw new java.util.concurrent.RejectedExecutionException("rooms stopped");
                }
                workers.execute(this::runJobs);
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                scheduled.set(false); // the jobs wait for the rooms' next start
            }
        }
    }

    /** The rooms started (again): jobs that waited run. */
    void resume() {
        schedule();
    }

    /** True on the thread running one of this room's jobs. */
    public boolean inRoom() {
        return runner == Thread.currentThread();
    }

    /** The members; inside a job of the room only. */
    public Set<Session> members() {
        requireInRoom("members()");
        return Collections.unmodifiableSet(members);
    }

    /**
     * Gathers a frame for every member, written at the end of this tick together with the tick's other
     * broadcasts (one send per member). The array is shared, not copied. From outside the room's jobs it
     * is submitted as one.
     */
    public void broadcast(byte[] frame) {
        if (!inRoom()) {
            execute(() -> broadcast(frame));
            return;
        }
        if (!rooms.isBatching()) {
            broadcastNow(frame);
            return;
        }
        gathered.add(frame);
        gatheredBytes += frame.length;
    }

    /** Sends a frame to every member at once (not waiting for the tick); the array is shared. */
    public void broadcastNow(byte[] frame) {
        if (!inRoom()) {
            execute(() -> broadcastNow(frame));
            return;
        }
        sendToMembers(frame);
        rooms.backplane().publish(name, 0, frame);
    }

    /** In a job of the room: this node's members get the frames (one task per event loop; the array shared). */
    void sendToMembers(byte[] frames) {
        Sessions.sendAll(members, frames);
    }

    /** State of the game's own for this room; inside its jobs only. */
    @SuppressWarnings("unchecked")
    public <T> T attachment() {
        requireInRoom("attachment()");
        return (T) attachment;
    }

    public void attach(Object attachment) {
        requireInRoom("attach()");
        this.attachment = attachment;
    }

    private void requireInRoom(String what) {
        if (!inRoom()) {
            throw new IllegalStateException(what + " of room " + name + " outside its jobs: use room.execute(...)");
        }
    }

    private void runJobs() {
        runner = Thread.currentThread();
        try {
            for (int i = 0; i < JOBS_PER_TURN; i++) {
                Runnable job = jobs.poll();
                if (job == null) {
                    break;
                }
                rooms.jobStarted();
                long start = System.nanoTime();
                try {
                    job.run();
                } catch (Throwable t) {
                    rooms.jobFailed();
                    log.error("Room " + name + ": a job threw; the room goes on", t);
                } finally {
                    rooms.jobTime(System.nanoTime() - start);
                }
            }
        } finally {
            runner = null;
            scheduled.set(false);
            schedule();
        }
    }

    /** From the rooms' ticker: one tick job at a time; a tick still queued when the next is due is an overrun. */
    void scheduleTick(long dueAt, long periodNanos, long tickNumber) {
        if (!tickQueued.compareAndSet(false, true)) {
            rooms.tickOverran();
            return;
        }
        execute(() -> {
            tickQueued.set(false);
            tick = tickNumber;
            long start = System.nanoTime();
            if (start - dueAt > periodNanos) {
                rooms.tickOverran();
            }
            tick();
            rooms.tickTime(System.nanoTime() - start);
        });
    }

    private void tick() {
        for (RoomListener listener : rooms.listeners()) {
            try {
                listener.onTick(this);
            } catch (RuntimeException e) {
                rooms.jobFailed();
                log.error("Room " + name + ": onTick of " + listener + " threw; the room goes on", e);
            }
        }
        if (gathered.isEmpty()) {
            return;
        }
        byte[] batch = concat(gathered, gatheredBytes);
        gathered.clear();
        gatheredBytes = 0;
        rooms.backplane().publish(name, tick, batch); // once per room per tick, for the other nodes' members
        if (rooms.flushDelayNanos() == 0) {
            sendToMembers(batch);
        } else {
            unflushed.add(batch); // written with the other nodes' batches of this tick, at the flush
            unflushedBytes += batch.length;
        }
    }

    /**
     * A job of this room: frames another node's room of this name wrote at its tick {@code fromTick}. With a
     * flush delay, those of a tick whose flush is still to come wait for it, so that each member gets one
     * write per tick with every node's frames in it; the others (late, sent at once by their node, or
     * without a flush delay) go out now. {@code afterDelivery} runs once they are sent.
     */
    void fromOtherNode(byte[] frames, long fromTick, Runnable afterDelivery) {
        if (rooms.flushDelayNanos() == 0 || !rooms.isBatching() || fromTick == 0 || fromTick <= flushedTick
                || dropped) {
            sendToMembers(frames);
            afterDelivery.run();
            return;
        }
        unflushed.add(frames);
        unflushedBytes += frames.length;
        afterFlush.add(afterDelivery);
    }

    /**
     * From the rooms' ticker, the flush delay after tick {@code tickNumber}: one flush job at a time, which
     * flushes up to the latest tick due when it runs (a flush still queued covers the next tick too).
     */
    void scheduleFlush(long tickNumber) {
        flushDue = tickNumber;
        if (flushQueued.compareAndSet(false, true)) {
            execute(() -> {
                flushQueued.set(false);
                flushedTick = Math.max(flushedTick, flushDue);
                flush();
            });
        }
    }

    /** A job of this room, as it is dropped: nobody to write to; what waited for the flush is done with. */
    void discardUnflushed() {
        unflushed.clear();
        unflushedBytes = 0;
        afterFlush.forEach(Runnable::run);
        afterFlush.clear();
    }

    private void flush() {
        if (unflushed.isEmpty()) {
            return;
        }
        sendToMembers(concat(unflushed, unflushedBytes));
        unflushed.clear();
        unflushedBytes = 0;
        for (Runnable done : afterFlush) {
            done.run();
        }
        afterFlush.clear();
    }

    private static byte[] concat(List<byte[]> frames, int bytes) {
        if (frames.size() == 1) {
            return frames.get(0);
        }
        byte[] all = new byte[bytes];
        int position = 0;
        for (byte[] frame : frames) {
            System.arraycopy(frame, 0, all, position, frame.length);
            position += frame.length;
        }
        return all;
    }

    /** A job of this room: the session becomes a member; {@code otherNodes}: the members elsewhere. */
    void addMember(Session session, int otherNodes) {
        if (!members.add(session)) {
            return;
        }
        otherNodesMembers = otherNodes;
        size = members.size();
        rooms.backplane().membersChanged(name, size);
        for (RoomListener listener : rooms.listeners()) {
            listener.onJoin(this, session);
        }
    }

    /** A job of this room: the session leaves; true when it was a member. */
    boolean removeMember(Session session) {
        if (!members.remove(session)) {
            return false;
        }
        size = members.size();
        rooms.backplane().membersChanged(name, size);
        for (RoomListener listener : rooms.listeners()) {
            listener.onLeave(this, session);
        }
        return true;
    }

    boolean isEmpty() {
        return members.isEmpty();
    }

    @Override
    public String toString() {
        return "Room(" + name + ", " + size + " members)";
    }
}
