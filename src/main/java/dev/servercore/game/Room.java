package dev.servercore.game;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.servercore.core.Session;
import dev.servercore.core.Sessions;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * A room: its members, a job queue and a tick, the C# course's {@code GameRoom} with its {@code JobQueue}.
 * Jobs of one room run one at a time, in the order they were submitted, on the rooms' worker threads
 * (never on an event loop): a room's state needs no lock as long as only its jobs touch it. A tick (a job
 * too) runs its {@link RoomLogic}'s {@code onTick}, then writes what {@link #broadcast} gathered since
 * the last one to every member, in sends of whole frames of at most {@code servercore.session.write-batch-size}
 * each. A room ticks when a broadcast waits for the tick, or when asked ({@link #requestTick}); an idle room
 * is not visited (unless its type is steady: {@link RoomType#steady}). With a {@link RoomBackplane}, what the
 * tick writes is also published once for the room's members on other nodes.
 *
 * <p>What members put in is bounded per tick ({@code servercore.rooms.*-bytes-per-tick}): a broadcast on
 * behalf of a member ({@link #broadcast(Session, byte[])}) that would pass that member's budget, the room's,
 * or the room's fan-out budget is dropped and counted; the game's own broadcasts are not a member's and are
 * not capped. Jobs waiting in a room are bounded too ({@code max-queued-jobs}).
 */
public final class Room {

    private static final Log log = LogFactory.getLog(Room.class);
    /** Jobs run in one go before the worker is handed to another room. */
    private static final int JOBS_PER_TURN = 256;

    /** Why a broadcast did not go out (servercore.rooms.broadcasts.dropped). */
    enum Dropped {
        /** Its member's bytes of this tick would pass member-bytes-per-tick. */
        MEMBER_BUDGET,
        /** The members' bytes of this tick would pass room-bytes-per-tick. */
        ROOM_BUDGET,
        /** The members' bytes of this tick, times the members that get them, would pass room-fanout-bytes-per-tick. */
        FANOUT_BUDGET,
        /** The room had max-queued-jobs waiting. */
        QUEUE_FULL,
        /** Its sender is not (or no longer) a member. */
        NOT_MEMBER;

        private final String tag = name().toLowerCase(Locale.ROOT);

        String tag() {
            return tag;
        }
    }

    private final String name;
    private final Rooms rooms;
    private final Queue<Runnable> jobs = new ConcurrentLinkedQueue<>();
    /** Jobs submitted and not yet started. */
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Set while the room waits for a tick (it is in the ticker's list, or its tick job is queued). */
    private final AtomicBoolean tickWanted = new AtomicBoolean();
    /** Set while the room is in the ticker's list of flushes. */
    private final AtomicBoolean flushWanted = new AtomicBoolean();
    private final AtomicBoolean flushQueued = new AtomicBoolean();
    /** The latest tick whose flush is due (from the ticker). */
    private volatile long flushDue;
    private volatile Thread runner;
    private volatile int size;
    /** Members on the other nodes, as the backplane counted them at the latest join here. */
    private volatile int otherNodesMembers;
    /** Members and joins on their way (under the rooms' lock): the room is dropped when none is left. */
    int occupants;
    volatile boolean dropped;

    // Confined to the room's jobs.
    private final Map<Session, MemberBudget> members = new LinkedHashMap<>();
    private final List<byte[]> gathered = new ArrayList<>();
    private long gatheredBytes;
    /** The tick whose budget the room's counts below are of, and what members put into it. */
    private long budgetTick = Long.MIN_VALUE;
    private long tickBytes;
    private long tickFanoutBytes;
    /** With a flush delay: what the last tick wrote, and other nodes' frames, waiting for the flush. */
    private final List<byte[]> unflushed = new ArrayList<>();
    private long unflushedBytes;
    private final List<Runnable> afterFlush = new ArrayList<>();
    /** The tick (wall clock's period count) of the tick job running, and of the last flush. */
    private long tick;
    private long flushedTick;
    /** The room's type, its logic (made for it), and its type's ticks as a count of the rooms' ticks. */
    private final RoomTypes.Type type;
    private final RoomLogic logic;
    private final int stride;
    /** The logic's onTick, made once (a tick allocates nothing of its own for it). */
    private final Runnable onTick;

    /** What one member put into the room in one tick. */
    private static final class MemberBudget {
        long tick = Long.MIN_VALUE;
        long bytes;
    }

    Room(String name, Rooms rooms, RoomTypes.Type type, RoomLogic logic, int stride) {
        this.name = name;
        this.rooms = rooms;
        this.type = type;
        this.logic = logic;
        this.stride = stride;
        this.onTick = logic::onTick;
        logic.bind(this);
    }

    /**
     * The room's logic if it is a {@code logicType} (else null, a plain room's among them). Any thread may take
     * it; its state belongs to the room's jobs: touch it inside {@link #execute} (or in its own callbacks).
     */
    public <T extends RoomLogic> T logic(Class<T> logicType) {
        return logicType.isInstance(logic) ? logicType.cast(logic) : null;
    }

    /**
     * In a job of the room: the number of its latest tick (of its type's rate; the tick {@code onTick} runs in).
     * Tick numbers count periods of the wall clock, the same on every node of a cluster; 0 before the first tick.
     */
    public long tick() {
        requireInRoom("tick()");
        return tick / stride;
    }

    /** Ticks of the rooms' clock per tick of this room. */
    int stride() {
        return stride;
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

    /**
     * Runs {@code job} after the jobs already submitted, on a rooms' worker thread. Any thread. A room holds
     * at most {@code servercore.rooms.max-queued-jobs} jobs waiting: beyond them the job is refused, counted
     * ({@code servercore.rooms.jobs.refused}) and never runs.
     *
     * @return false if the job was refused
     */
    public boolean execute(Runnable job) {
        if (queued.incrementAndGet() > rooms.maxQueuedJobs()) {
            queued.decrementAndGet();
            rooms.jobRefused();
            return false;
        }
        jobs.offer(job);
        schedule();
        return true;
    }

    /** The engine's own jobs (joins, leaves, ticks, flushes, other nodes' traffic): never refused. */
    void executeEngine(Runnable job) {
        queued.incrementAndGet();
        jobs.offer(job);
        schedule();
    }

    int queuedJobs() {
        return queued.get();
    }

    private void schedule() {
        if (!jobs.isEmpty() && scheduled.compareAndSet(false, true)) {
            try {
                ExecutorService workers = rooms.workers();
                if (workers == null) {
                    throw new RejectedExecutionException("rooms stopped");
                }
                workers.execute(this::runJobs);
            } catch (RejectedExecutionException stopped) {
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
        return Collections.unmodifiableSet(members.keySet());
    }

    /**
     * Asks for the next tick (of the room's type's rate): it runs the logic's {@code onTick} even if nothing was
     * broadcast (a steady type's rooms ask by themselves while they have members).
     * A room ticks only when a broadcast waits for the tick or when asked: logic that steps every tick asks
     * again from its {@code onTick}, logic that reacts to input asks when input lands. Any thread; cheap when
     * already asked (one read).
     */
    public void requestTick() {
        if (!tickWanted.get() && !dropped && tickWanted.compareAndSet(false, true)) {
            rooms.tickDue(this);
        }
    }

    /**
     * The game's own frame for every member, written at the end of this tick together with the tick's other
     * broadcasts (one write per member). Not a member's, so no member's budget applies. The array is shared,
     * not copied. From outside the room's jobs it is submitted as one (and dropped, counted, if the room has
     * {@code max-queued-jobs} waiting).
     */
    public void broadcast(byte[] frame) {
        if (!inRoom()) {
            if (!execute(() -> broadcast(frame))) {
                rooms.broadcastDropped(Dropped.QUEUE_FULL);
            }
            return;
        }
        if (!rooms.isBatching()) {
            broadcastNow(frame);
            return;
        }
        gather(frame);
    }

    /**
     * A frame on behalf of the member {@code from} (its chat, say), for every member as {@link #broadcast(byte[])}
     * does, within the budgets of this tick: what {@code from} puts in ({@code member-bytes-per-tick}), what all
     * members put in ({@code room-bytes-per-tick}), and that times the members who get it
     * ({@code room-fanout-bytes-per-tick}). Beyond them, or if {@code from} is no member, it is dropped and
     * counted ({@code servercore.rooms.broadcasts.dropped}): a flooder loses its excess, the others nothing.
     */
    public void broadcast(Session from, byte[] frame) {
        if (!inRoom()) {
            if (!execute(() -> broadcast(from, frame))) {
                rooms.broadcastDropped(Dropped.QUEUE_FULL);
            }
            return;
        }
        if (!withinBudget(from, frame.length)) {
            return;
        }
        if (!rooms.isBatching()) {
            sendNow(frame);
            return;
        }
        gather(frame);
    }

    /** In a job of the room: takes {@code bytes} of this tick's budgets for {@code from}, or counts the drop. */
    private boolean withinBudget(Session from, int bytes) {
        MemberBudget member = members.get(from);
        if (member == null) {
            rooms.broadcastDropped(Dropped.NOT_MEMBER);
            return false;
        }
        long now = rooms.currentTick() / stride; // the budgets are of a tick of this room
        if (budgetTick != now) {
            budgetTick = now;
            tickBytes = 0;
            tickFanoutBytes = 0;
        }
        if (member.tick != now) {
            member.tick = now;
            member.bytes = 0;
        }
        long fanout = (long) bytes * members.size();
        Dropped over = member.bytes + bytes > rooms.memberBytesPerTick() ? Dropped.MEMBER_BUDGET
                : tickBytes + bytes > rooms.roomBytesPerTick() ? Dropped.ROOM_BUDGET
                : tickFanoutBytes + fanout > rooms.roomFanoutBytesPerTick() ? Dropped.FANOUT_BUDGET
                : null;
        if (over != null) {
            rooms.broadcastDropped(over);
            return false;
        }
        member.bytes += bytes;
        tickBytes += bytes;
        tickFanoutBytes += fanout;
        return true;
    }

    private void gather(byte[] frame) {
        gathered.add(frame);
        gatheredBytes += frame.length;
        requestTick();
    }

    /** {@code packet}, encoded once here, for every member as {@link #broadcast(byte[])} does. */
    public void broadcast(Packet packet) {
        broadcast(packet.encode());
    }

    /** {@code packet}, encoded once here, on behalf of {@code from}: as {@link #broadcast(Session, byte[])}. */
    public void broadcast(Session from, Packet packet) {
        broadcast(from, packet.encode());
    }

    /** {@code packet}, encoded once here, to every member at once: as {@link #broadcastNow(byte[])}. */
    public void broadcastNow(Packet packet) {
        broadcastNow(packet.encode());
    }

    /** Sends a frame to every member at once (not waiting for the tick); the array is shared. */
    public void broadcastNow(byte[] frame) {
        if (!inRoom()) {
            if (!execute(() -> broadcastNow(frame))) {
                rooms.broadcastDropped(Dropped.QUEUE_FULL);
            }
            return;
        }
        sendNow(frame);
    }

    private void sendNow(byte[] frame) {
        sendToMembers(frame);
        rooms.backplane().publish(name, 0, frame);
    }

    /** In a job of the room: this node's members get the frames (one task per event loop; the array shared). */
    void sendToMembers(byte[] frames) {
        Sessions.sendAll(members.keySet(), frames);
    }

    /** In a job of the room: what was gathered, in sends of whole frames within the bound of one send. */
    private void sendToMembers(List<byte[]> parts, long bytes) {
        for (byte[] send : SendBatches.of(parts, bytes, rooms.maxSendBytes())) {
            sendToMembers(send);
        }
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
                queued.decrementAndGet();
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

    /**
     * From the rooms' ticker, for a room that asked: its tick job. False if the room is gone (no tick).
     */
    boolean scheduleTick(long dueAt, long periodNanos, long tickNumber) {
        if (dropped) {
            return false;
        }
        executeEngine(() -> {
            tickWanted.set(false); // from now on, whatever asks asks for the next tick
            if (dropped) {
                return; // its last member left after this tick was handed out: onDispose was the logic's last call
            }
            tick = tickNumber;
            long start = System.nanoTime();
            if (start - dueAt > periodNanos) {
                rooms.tickOverran();
            }
            runTick();
            rooms.tickTime(System.nanoTime() - start);
        });
        return true;
    }

    private void runTick() {
        notify("onTick", onTick);
        if (type.steady() && !members.isEmpty()) {
            requestTick();
        }
        if (gathered.isEmpty()) {
            return;
        }
        List<byte[]> batch = List.copyOf(gathered);
        long bytes = gatheredBytes;
        gathered.clear();
        gatheredBytes = 0;
        if (rooms.backplane() != RoomBackplane.LOCAL) { // once per room per tick, for the other nodes' members
            rooms.backplane().publish(name, tick, SendBatches.concat(batch, (int) bytes));
        }
        if (rooms.flushDelayNanos() == 0) {
            sendToMembers(batch, bytes);
        } else {
            unflushed.addAll(batch); // written with the other nodes' batches of this tick, at the flush
            unflushedBytes += bytes;
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
        boolean flushBehind = flushQueued.get() && flushDue >= fromTick; // a flush job queued after this one
        if (!flushBehind && fromTick <= rooms.lastFlushPass()) {
            sendToMembers(frames); // late: the flush of its tick is past
            afterDelivery.run();
            return;
        }
        unflushed.add(frames);
        unflushedBytes += frames.length;
        afterFlush.add(afterDelivery);
        if (!flushBehind && !flushWanted.get() && flushWanted.compareAndSet(false, true)) {
            rooms.flushDue(this);
            if (fromTick <= rooms.lastFlushPass()) {
                flush(); // the ticker handed out that flush while this was asking for it
            }
        }
    }

    /**
     * From the rooms' ticker, the flush delay after tick {@code tickNumber}: one flush job at a time, which
     * flushes up to the latest tick due when it runs (a flush still queued covers the next tick too).
     */
    void scheduleFlush(long tickNumber) {
        flushDue = tickNumber;
        if (flushQueued.compareAndSet(false, true)) {
            executeEngine(() -> {
                flushQueued.set(false);
                flushWanted.set(false);
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
        sendToMembers(unflushed, unflushedBytes);
        unflushed.clear();
        unflushedBytes = 0;
        for (Runnable done : afterFlush) {
            done.run();
        }
        afterFlush.clear();
    }

    /** A job of this room: the session becomes a member; {@code otherNodes}: the members elsewhere. */
    void addMember(Session session, int otherNodes) {
        if (members.putIfAbsent(session, new MemberBudget()) != null) {
            return;
        }
        otherNodesMembers = otherNodes;
        size = members.size();
        rooms.backplane().membersChanged(name, size);
        notify("onJoin", () -> logic.onJoin(session));
        if (type.steady()) {
            requestTick();
        }
    }

    /** A job of this room: the session leaves; true when it was a member. */
    boolean removeMember(Session session) {
        if (members.remove(session) == null) {
            return false;
        }
        size = members.size();
        rooms.backplane().membersChanged(name, size);
        notify("onLeave", () -> logic.onLeave(session));
        return true;
    }

    /** A job of this room, queued as it is made, before any join: the logic's onCreate. */
    void created() {
        executeEngine(() -> notify("onCreate", logic::onCreate));
    }

    /** A job of this room, as it is dropped: the logic's last callback. */
    void disposed() {
        notify("onDispose", logic::onDispose);
    }

    /** A callback of the logic, in a job of this room: one that throws is counted and logged; the room goes on. */
    private void notify(String callback, Runnable call) {
        try {
            call.run();
        } catch (Throwable e) { // an Error too: the step of the membership that called it must go on
            rooms.jobFailed();
            log.error("Room " + name + ": " + callback + " of " + logic.getClass().getName()
                    + " threw; the room goes on", e);
        }
    }

    @Override
    public String toString() {
        return "Room(" + name + ", " + size + " members)";
    }
}
