package dev.servercore.game;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.servercore.core.KickReason;
import dev.servercore.core.ServerCoreProperties;
import dev.servercore.core.Session;
import dev.servercore.core.ThrottledLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Every room of the application, by name: a session is in one room at a time, joins by name (the room is
 * made on first use), leaves when it joins another or disconnects, and a room is dropped when its last
 * member leaves. Rooms run their jobs on a few worker threads of their own and tick at
 * {@code servercore.rooms.tick-rate}; a room ticks only when it has something to write or asked for the tick.
 *
 * <p>What clients can make grow is bounded ({@code servercore.rooms.*}): rooms, members of a room, joins
 * waiting per session (one: the latest wins), jobs waiting per room, and the bytes members' broadcasts put
 * into a tick. Asking to join or leave never waits for a lock or for the backplane: it is safe on an event loop.
 */
public final class Rooms implements SmartLifecycle {

    private static final Log log = LogFactory.getLog(Rooms.class);
    private static final ThrottledLog refusals = new ThrottledLog(log);

    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final Map<Session, Membership> memberships = new ConcurrentHashMap<>();
    /** Making and dropping rooms, and counting who is in or on the way: worker threads only, never a loop. */
    private final Object roomsLock = new Object();
    private final RoomTypes types;
    private final int tickRate;
    private final int workerThreads;
    private final int maxRooms;
    private final int maxMembers;
    private final int maxQueuedJobs;
    private final int memberBytesPerTick;
    private final int roomBytesPerTick;
    private final long roomFanoutBytesPerTick;
    private final int maxSendBytes;
    /** Made by each start (a stopped context may be started again, as Spring's test context cache does). */
    private volatile ExecutorService workers;
    private volatile ScheduledExecutorService ticker;
    private final long periodNanos;
    /** Rooms that asked for the next tick, and rooms that hold frames for the next flush. */
    private final Queue<Room> tickDue = new ConcurrentLinkedQueue<>();
    private final Queue<Room> flushDue = new ConcurrentLinkedQueue<>();
    /** The latest tick (the wall clock's period count): the window of the broadcast budgets. */
    private volatile long currentTick;
    /** The tick of the latest flush the ticker handed out. */
    private volatile long lastFlushPass;
    private final Counter jobErrors;
    private final Counter overruns;
    private final Counter jobsRefused;
    private final Counter[] broadcastsDropped = new Counter[Room.Dropped.values().length];
    private final Map<JoinFailedException.Reason, Counter> joinsFailed = new EnumMap<>(JoinFailedException.Reason.class);
    private final Map<JoinFailedException.Reason, JoinFailedException> failures =
            new EnumMap<>(JoinFailedException.Reason.class);
    private final Timer jobTimer;
    private final Timer tickTimer;
    private volatile ScheduledFuture<?> ticking;

    private volatile boolean batching = true;
    private volatile RoomBackplane backplane = RoomBackplane.LOCAL;
    private volatile long flushDelayNanos;

    /**
     * @param maxSendBytes the most bytes of one send a room makes of what it writes in one go
     *     ({@code servercore.session.write-batch-size}: one socket write takes no more anyway)
     */
    public Rooms(RoomsProperties settings, int maxSendBytes, RoomTypes types, MeterRegistry meters) {
        int tickRate = settings.tickRate();
        if (tickRate < 1 || tickRate > 1000) {
            throw new IllegalArgumentException("servercore.rooms.tick-rate must be within 1..1000, not " + tickRate);
        }
        this.maxRooms = atLeastOne("max-rooms", settings.maxRooms());
        this.maxMembers = atLeastOne("max-members", settings.maxMembers());
        this.maxQueuedJobs = atLeastOne("max-queued-jobs", settings.maxQueuedJobs());
        if (!settings.isBudgetsValid()) {
            throw new IllegalArgumentException("servercore.rooms.member-bytes-per-tick must be at least 1B, and "
                    + "room-bytes-per-tick and room-fanout-bytes-per-tick at least it, each at most 1GB");
        }
        this.memberBytesPerTick = (int) settings.memberBytesPerTick().toBytes();
        this.roomBytesPerTick = (int) settings.roomBytesPerTick().toBytes();
        this.roomFanoutBytesPerTick = settings.roomFanoutBytesPerTick().toBytes();
        this.maxSendBytes = atLeastOne("the most bytes of one send", maxSendBytes);
        this.tickRate = tickRate;
        for (RoomTypes.Type type : types.types()) {
            int rate = type.tickRate();
            if (rate != 0 && (rate > tickRate || tickRate % rate != 0)) {
                throw new IllegalArgumentException("The room type " + type.logicClass().getName() + " ticks " + rate
                        + " times a second: that must divide servercore.rooms.tick-rate (" + tickRate + ")");
            }
        }
        this.types = types;
        this.periodNanos = Duration.ofSeconds(1).toNanos() / tickRate;
        this.workerThreads = Math.max(1, settings.workerThreadCount());
        Gauge.builder("servercore.rooms", rooms, Map::size).description("Rooms that exist now").register(meters);
        Gauge.builder("servercore.rooms.members", rooms, all -> all.values().stream().mapToInt(Room::size).sum())
                .description("Sessions in a room now").register(meters);
        Gauge.builder("servercore.rooms.jobs.queued", rooms,
                        all -> all.values().stream().mapToInt(Room::queuedJobs).sum())
                .description("Room jobs submitted and not yet started").register(meters);
        jobErrors = Counter.builder("servercore.rooms.job.errors").description("Room jobs that threw")
                .register(meters);
        overruns = Counter.builder("servercore.rooms.ticks.overrun")
                .description("Ticks that started later than one period after they were due").register(meters);
        jobsRefused = Counter.builder("servercore.rooms.jobs.refused")
                .description("Jobs refused because their room had servercore.rooms.max-queued-jobs waiting")
                .register(meters);
        for (Room.Dropped reason : Room.Dropped.values()) {
            broadcastsDropped[reason.ordinal()] = Counter.builder("servercore.rooms.broadcasts.dropped")
                    .description("Broadcasts dropped, by reason").tag("reason", reason.tag()).register(meters);
        }
        for (JoinFailedException.Reason reason : JoinFailedException.Reason.values()) {
            joinsFailed.put(reason, Counter.builder("servercore.rooms.joins.failed")
                    .description("Joins that did not make the session a member, by reason")
                    .tag("reason", reason.tag()).register(meters));
        }
        failures.put(JoinFailedException.Reason.TOO_MANY_ROOMS,
                new JoinFailedException(JoinFailedException.Reason.TOO_MANY_ROOMS, "too many rooms"));
        failures.put(JoinFailedException.Reason.ROOM_FULL,
                new JoinFailedException(JoinFailedException.Reason.ROOM_FULL, "the room is full"));
        failures.put(JoinFailedException.Reason.SUPERSEDED,
                new JoinFailedException(JoinFailedException.Reason.SUPERSEDED, "a later join or leave replaced it"));
        failures.put(JoinFailedException.Reason.ROOM_FAILED,
                new JoinFailedException(JoinFailedException.Reason.ROOM_FAILED, "the room's logic could not be made"));
        failures.put(JoinFailedException.Reason.SESSION_ENDED,
                new JoinFailedException(JoinFailedException.Reason.SESSION_ENDED, "the session ended"));
        jobTimer = Timer.builder("servercore.rooms.job").description("Time of room jobs (ticks included)")
                .register(meters);
        tickTimer = Timer.builder("servercore.rooms.tick").description("Time of room ticks").register(meters);
    }

    /** Rooms with the defaults of {@code servercore.rooms.*} but these two (for tools and tests). */
    public Rooms(int tickRate, int workerThreads, RoomTypes types, MeterRegistry meters) {
        this(RoomsProperties.of(Map.of("tick-rate", tickRate, "worker-threads", workerThreads)),
                (int) ServerCoreProperties.defaults().getSession().getWriteBatchSize().toBytes(), types, meters);
    }

    private static int atLeastOne(String setting, int value) {
        if (value < 1) {
            throw new IllegalArgumentException("servercore.rooms." + setting + " must be at least 1, not " + value);
        }
        return value;
    }

    /** Off: {@link Room#broadcast} writes at once instead of at the tick (to measure what batching saves). */
    public void setBatching(boolean batching) {
        this.batching = batching;
    }

    public boolean isBatching() {
        return batching;
    }

    /**
     * Makes each room one room across the nodes that share the backplane (before the rooms start). By
     * default, {@link RoomBackplane#LOCAL}: this node only.
     */
    public void setBackplane(RoomBackplane backplane) {
        long delay = backplane.flushDelay().toNanos();
        if (delay < 0 || delay >= periodNanos) {
            throw new IllegalArgumentException("The backplane's flush delay " + backplane.flushDelay()
                    + " must be at least 0 and shorter than the tick period " + tickPeriod());
        }
        backplane.attach(this);
        this.backplane = backplane;
        this.flushDelayNanos = delay;
    }

    /** How long after each tick the rooms write what it gathered together with other nodes' (0: at the tick). */
    long flushDelayNanos() {
        return flushDelayNanos;
    }

    RoomBackplane backplane() {
        return backplane;
    }

    /**
     * Frames another node's room of that name wrote at its tick {@code tick} (0: a broadcast made at once),
     * for this node's members of it: sent to each of them by a job of the room (with the backplane's flush
     * delay, at the flush of that tick, or at once if that flush is past), then {@code afterDelivery} runs.
     * For backplanes, which bound what waits.
     *
     * @return false when no room of that name is here (nothing is sent, {@code afterDelivery} does not run)
     */
    public boolean deliverFromOtherNode(String name, long tick, byte[] frames, Runnable afterDelivery) {
        Room room = rooms.get(name);
        if (room == null) {
            return false;
        }
        room.executeEngine(() -> room.fromOtherNode(frames, tick, afterDelivery));
        return true;
    }

    /** The room of that name, if it exists. */
    public Room room(String name) {
        return rooms.get(name);
    }

    /** The room the session is a member of now, or null (also while it moves from one room to another). */
    public Room roomOf(Session session) {
        Membership membership = memberships.get(session);
        return membership == null ? null : membership.current;
    }

    /**
     * Runs {@code job} as a job of the session's room: the room it is a member of, or, while a join it asked for
     * is on its way, the room it is in once that join is done (a leave asked meanwhile: none). Jobs asked for
     * one session run in the order asked. Where a packet needs its sender's room (a chat), this instead of
     * {@link #roomOf}, which is null until the join is done: the client sent it after the join, and it goes to
     * the room it was sent to. Any thread; never blocks.
     *
     * @return false if the job is dropped: the session is in no room and joins none, has ended, or has
     *     {@code servercore.rooms.max-queued-jobs} jobs waiting for its join ({@code servercore.rooms.jobs.refused})
     */
    public boolean executeInRoomOf(Session session, Consumer<Room> job) {
        Membership membership = memberships.get(session);
        return membership != null && membership.executeInRoom(job);
    }

    /**
     * The logic of the session's room if it is a {@code logicType}, else null (no room, or another type). Any
     * thread (a handler on an event loop): its state is its room's, to touch inside {@code room().execute(...)}.
     */
    public <T extends RoomLogic> T logicOf(Session session, Class<T> logicType) {
        Room room = roomOf(session);
        return room == null ? null : room.logic(logicType);
    }

    public int count() {
        return rooms.size();
    }

    /**
     * Moves the session to the room {@code name}, made if need be: it leaves its room first (a job of that
     * room), then joins (a job of the new one, where its {@link RoomLogic#onJoin} runs). A session's joins
     * and leaves happen one after another, in the order asked: nothing of an old room reaches it once it
     * is in the new one. One request waits at most: a join or leave asked before this join made the session
     * a member replaces it. Any thread; never blocks.
     *
     * <p>A join over {@code servercore.rooms.max-rooms} or {@code max-members} is refused: the session is
     * kicked ({@code S_Kick(rate_limited)}). The stage completes once the session is a member (in a job of
     * the room, after {@code onJoin}); else with a {@link JoinFailedException} saying why (refused,
     * superseded, or the session ended), on the thread that settled it (the one that asked a later join, for
     * one superseded). What depends on it must not block.
     */
    public CompletionStage<Room> join(Session session, String name) {
        return membership(session).join(name);
    }

    /** The session leaves its room (on disconnect this happens by itself). Any thread; never blocks. */
    public void leave(Session session) {
        Membership membership = memberships.get(session);
        if (membership != null) {
            membership.leave();
        }
    }

    private Membership membership(Session session) {
        Membership membership = memberships.get(session);
        if (membership != null) {
            return membership;
        }
        Membership fresh = new Membership(this, session);
        membership = memberships.putIfAbsent(session, fresh);
        if (membership != null) {
            return membership;
        }
        session.whenEnded(fresh::end); // once per session, however often it moves; at once if it has ended
        return fresh;
    }

    /** The session is gone and out of its room: so is what the rooms kept of it. */
    void forget(Session session, Membership membership) {
        memberships.remove(session, membership);
    }

    /** Runs a membership's step on a worker (on the caller's thread while the rooms are stopped). */
    void runStep(Runnable step) {
        ExecutorService running = workers;
        if (running != null) {
            try {
                running.execute(step);
                return;
            } catch (RejectedExecutionException stopping) {
                // the step only hands jobs to rooms, which wait for the next start
            }
        }
        step.run();
    }

    /** A place in the room {@code name} (made if need be) for a joiner on its way; refused over the caps. */
    Room reserve(String name) {
        synchronized (roomsLock) {
            Room room = rooms.get(name);
            if (room == null) {
                if (rooms.size() >= maxRooms) {
                    throw failure(JoinFailedException.Reason.TOO_MANY_ROOMS);
                }
                room = newRoom(name);
                rooms.put(name, room);
                room.created();
                backplane.roomOpened(name); // under the lock: in order with the closing of an earlier room name
            } else if (room.occupants >= maxMembers) {
                throw failure(JoinFailedException.Reason.ROOM_FULL);
            }
            room.occupants++;
            return room;
        }
    }

    /** A room of the type its name has, with a new logic of that type. */
    private Room newRoom(String name) {
        RoomTypes.Type type = types.typeOf(name);
        RoomLogic logic;
        try {
            logic = type.factory().get();
        } catch (RuntimeException e) {
            jobFailed();
            log.error("Room " + name + ": its logic " + type.logicClass().getName() + " could not be made", e);
            throw failure(JoinFailedException.Reason.ROOM_FAILED);
        }
        if (!type.logicClass().isInstance(logic)) {
            jobFailed();
            log.error("Room " + name + ": its type's factory made " + logic + ", not a " + type.logicClass().getName());
            throw failure(JoinFailedException.Reason.ROOM_FAILED);
        }
        int rate = type.tickRate() == 0 ? tickRate : type.tickRate();
        return new Room(name, this, type, logic, tickRate / rate);
    }

    /** In a job of the room: a member left, or a joiner gave up its place; the room goes with its last one. */
    void release(Room room) {
        boolean drop;
        synchronized (roomsLock) {
            drop = --room.occupants == 0 && !room.dropped;
            if (drop) {
                room.dropped = true;
                rooms.remove(room.name(), room);
                backplane.roomClosed(room.name());
            }
        }
        if (drop) {
            room.discardUnflushed(); // the ticker no longer reaches it: its flush would never come
            room.disposed();
        }
    }

    /** A join refused for a cap: its session is told and closed. */
    void refuse(Session session, JoinFailedException refused) {
        refusals.info(() -> session + ": join refused (" + refused.getMessage() + "); kicked as rate_limited");
        session.kick(KickReason.RATE_LIMITED, refused.getMessage());
    }

    JoinFailedException failure(JoinFailedException.Reason reason) {
        return failures.get(reason);
    }

    void joinFailed(JoinFailedException.Reason reason) {
        joinsFailed.get(reason).increment();
    }

    /** Where rooms run their jobs; null while stopped (jobs then wait in their rooms for the next start). */
    ExecutorService workers() {
        return workers;
    }

    int maxQueuedJobs() {
        return maxQueuedJobs;
    }

    int memberBytesPerTick() {
        return memberBytesPerTick;
    }

    int roomBytesPerTick() {
        return roomBytesPerTick;
    }

    long roomFanoutBytesPerTick() {
        return roomFanoutBytesPerTick;
    }

    int maxSendBytes() {
        return maxSendBytes;
    }

    /** The window of the broadcast budgets: the latest tick. */
    long currentTick() {
        return currentTick;
    }

    long lastFlushPass() {
        return lastFlushPass;
    }

    /** The room asked for the next tick (once until that tick starts). */
    void tickDue(Room room) {
        tickDue.add(room);
    }

    /** The room holds frames for the next flush (once until that flush starts). */
    void flushDue(Room room) {
        flushDue.add(room);
    }

    void jobRefused() {
        jobsRefused.increment();
    }

    void broadcastDropped(Room.Dropped reason) {
        broadcastsDropped[reason.ordinal()].increment();
    }

    void jobFailed() {
        jobErrors.increment();
    }

    void jobTime(long nanos) {
        jobTimer.record(nanos, TimeUnit.NANOSECONDS);
    }

    void tickTime(long nanos) {
        tickTimer.record(nanos, TimeUnit.NANOSECONDS);
    }

    void tickOverran() {
        overruns.increment();
    }

    public Duration tickPeriod() {
        return Duration.ofNanos(periodNanos);
    }

    /** Start and stop: a lock of their own (jobs and joins take the rooms' lock, and stop waits for jobs). */
    private final Object lifecycle = new Object();

    @Override
    public void start() {
        synchronized (lifecycle) {
            startTicking();
        }
    }

    private void startTicking() {
        if (ticking == null) {
            AtomicInteger count = new AtomicInteger();
            // a lock-free queue, and every thread started now: whoever hands a room its work (an event loop among
            // them) never waits on a lock of the pool's
            ThreadPoolExecutor pool = new ThreadPoolExecutor(workerThreads, workerThreads, 0, TimeUnit.SECONDS,
                    new LinkedTransferQueue<>(), task -> {
                        Thread thread = new Thread(task, "servercore-room-" + count.getAndIncrement());
                        thread.setDaemon(true);
                        return thread;
                    });
            pool.prestartAllCoreThreads();
            workers = pool;
            ticker = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "servercore-room-ticker");
                thread.setDaemon(true);
                return thread;
            });
            rooms.values().forEach(Room::resume);
            ScheduledExecutorService clock = ticker;
            ticking = clock.schedule(() -> tickAll(clock), nanosToNextTick(), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * The tick of every room that asked for it (or has broadcasts waiting), then (with a flush delay) their
     * flushes and those of rooms holding other nodes' frames, and the next tick: ticks fall on multiples of
     * the period on the wall clock, so that the nodes of a cluster tick together (each tick is placed anew:
     * no drift from the wall clock). An idle room costs the ticker nothing.
     */
    private void tickAll(ScheduledExecutorService clock) {
        long due = System.nanoTime();
        long tick = Math.round((double) epochMicros() / periodMicros());
        currentTick = tick;
        // the rooms that asked before this pass, all taken before any tick job is handed out: a room asking again
        // from the tick job this pass gave it (a steady one does) waits for the next pass, not this one
        List<Room> asked = new ArrayList<>();
        for (Room room; (room = tickDue.poll()) != null; ) {
            asked.add(room);
        }
        List<Room> ticked = new ArrayList<>(asked.size());
        List<Room> notThisTick = null;
        for (Room room : asked) {
            if (tick % room.stride() != 0) { // a slower type's: it stays asked, for its next tick
                if (notThisTick == null) {
                    notThisTick = new ArrayList<>();
                }
                notThisTick.add(room);
            } else if (room.scheduleTick(due, periodNanos, tick)) {
                ticked.add(room);
            }
        }
        if (notThisTick != null) {
            tickDue.addAll(notThisTick);
        }
        try {
            if (flushDelayNanos > 0) {
                clock.schedule(() -> flushAll(tick, ticked), flushDelayNanos, TimeUnit.NANOSECONDS);
            }
            synchronized (lifecycle) {
                if (ticking != null && ticker == clock) { // not a chain of a ticker stopped since
                    ticking = clock.schedule(() -> tickAll(clock), nanosToNextTick(), TimeUnit.NANOSECONDS);
                }
            }
        } catch (RejectedExecutionException stopped) {
            // the rooms stopped (a start since has its own ticker)
        }
    }

    /** The flush of tick {@code tick}: the rooms that ticked in it, and those holding frames for it. */
    private void flushAll(long tick, List<Room> ticked) {
        lastFlushPass = tick; // before the rooms that hold frames are taken: see Room.fromOtherNode
        for (Room room : ticked) {
            room.scheduleFlush(tick);
        }
        for (Room room; (room = flushDue.poll()) != null; ) {
            room.scheduleFlush(tick);
        }
    }

    private long nanosToNextTick() {
        return (periodMicros() - Math.floorMod(epochMicros(), periodMicros())) * 1_000;
    }

    private long periodMicros() {
        return Math.max(1, periodNanos / 1_000);
    }

    private static long epochMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }

    /** After the listeners stopped (a later phase): their sessions have left. */
    @Override
    public void stop() {
        synchronized (lifecycle) {
            stopTicking();
        }
    }

    private void stopTicking() {
        if (ticking == null) {
            return;
        }
        ticking.cancel(false);
        ticking = null;
        ticker.shutdown();
        ExecutorService stopping = workers;
        workers = null;
        stopping.shutdown();
        try {
            stopping.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return ticking != null;
    }

    /** Started before, stopped after the listeners (whose phase is the default, the latest). */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1;
    }
}
