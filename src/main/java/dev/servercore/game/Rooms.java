package dev.servercore.game;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.servercore.core.Session;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.context.SmartLifecycle;

/**
 * Every room of the application, by name: a session is in one room at a time, joins by name (the room is
 * made on first use), leaves when it joins another or disconnects, and a room is dropped when its last
 * member leaves. Rooms run their jobs on a few worker threads of their own and tick at
 * {@code servercore.rooms.tick-rate}.
 */
public final class Rooms implements SmartLifecycle {

    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final Map<Session, Membership> memberships = new ConcurrentHashMap<>();
    private final List<RoomListener> listeners;
    private final int workerThreads;
    /** Made by each start (a stopped context may be started again, as Spring's test context cache does). */
    private volatile ExecutorService workers;
    private volatile ScheduledExecutorService ticker;
    private final long periodNanos;
    private final AtomicLong queuedJobs = new AtomicLong();
    private final Counter jobErrors;
    private final Counter overruns;
    private final Timer jobTimer;
    private final Timer tickTimer;
    private volatile ScheduledFuture<?> ticking;

    private volatile boolean batching = true;
    private volatile RoomBackplane backplane = RoomBackplane.LOCAL;
    private volatile long flushDelayNanos;

    public Rooms(int tickRate, int workerThreads, List<RoomListener> listeners, MeterRegistry meters) {
        if (tickRate < 1 || tickRate > 1000) {
            throw new IllegalArgumentException("servercore.rooms.tick-rate must be within 1..1000, not " + tickRate);
        }
        this.listeners = List.copyOf(listeners);
        this.periodNanos = Duration.ofSeconds(1).toNanos() / tickRate;
        this.workerThreads = Math.max(1, workerThreads);
        Gauge.builder("servercore.rooms", rooms, Map::size).description("Rooms that exist now").register(meters);
        Gauge.builder("servercore.rooms.members", rooms, all -> all.values().stream().mapToInt(Room::size).sum())
                .description("Sessions in a room now").register(meters);
        Gauge.builder("servercore.rooms.jobs.queued", queuedJobs, AtomicLong::get)
                .description("Room jobs submitted and not yet started").register(meters);
        jobErrors = Counter.builder("servercore.rooms.job.errors").description("Room jobs that threw")
                .register(meters);
        overruns = Counter.builder("servercore.rooms.ticks.overrun")
                .description("Ticks that started later than one period after they were due").register(meters);
        jobTimer = Timer.builder("servercore.rooms.job").description("Time of room jobs (ticks included)")
                .register(meters);
        tickTimer = Timer.builder("servercore.rooms.tick").description("Time of room ticks").register(meters);
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
     * For backplanes.
     *
     * @return false when no room of that name is here (nothing is sent, {@code afterDelivery} does not run)
     */
    public boolean deliverFromOtherNode(String name, long tick, byte[] frames, Runnable afterDelivery) {
        Room room = rooms.get(name);
        if (room == null) {
            return false;
        }
        room.execute(() -> room.fromOtherNode(frames, tick, afterDelivery));
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

    public int count() {
        return rooms.size();
    }

    /**
     * Moves the session to the room {@code name}, made if need be: it leaves its room first (a job of that
     * room), then joins (a job of the new one, where {@link RoomListener#onJoin} runs). A session's joins
     * and leaves happen one after another, in the order asked: nothing of an old room reaches it once it
     * is in the new one. Any thread.
     *
     * @return the room it is joining
     */
    public Room join(Session session, String name) {
        Room target;
        Membership membership;
        synchronized (this) {
            target = rooms.computeIfAbsent(name, n -> {
                backplane.roomOpened(n); // under the lock: in order with the closing of an earlier room n
                return new Room(n, this);
            });
            membership = membership(session);
            if (membership.intended == target) {
                return target;
            }
            membership.intended = target;
            target.pendingJoins++; // not dropped before this join has run
        }
        membership.then(() -> moveTo(session, membership, target));
        return target;
    }

    /** The session leaves its room (on disconnect this happens by itself). Any thread. */
    public void leave(Session session) {
        leave(session, false);
    }

    private void leave(Session session, boolean ended) {
        Membership membership;
        synchronized (this) {
            membership = memberships.get(session);
            if (membership == null) {
                return;
            }
            if (membership.intended == null && !ended) {
                return;
            }
            membership.intended = null;
        }
        membership.then(() -> leaveCurrent(session, membership, () -> {
            if (ended) {
                memberships.remove(session, membership); // the session is gone: so is what the rooms kept of it
            }
            membership.done();
        }));
    }

    private Membership membership(Session session) {
        Membership membership = memberships.get(session);
        if (membership == null) {
            membership = new Membership();
            memberships.put(session, membership);
            session.whenEnded(() -> leave(session, true)); // once per session, however often it moves
        }
        return membership;
    }

    /** A step of the session's membership: out of its current room, then into {@code target}. */
    private void moveTo(Session session, Membership membership, Room target) {
        leaveCurrent(session, membership, () -> backplane.joining(target.name()).whenComplete((others, failed) ->
                target.execute(() -> {
                    boolean stillWanted;
                    synchronized (this) {
                        target.pendingJoins--;
                        stillWanted = membership.intended == target && session.isConnected();
                    }
                    if (stillWanted) {
                        membership.current = target;
                        target.addMember(session, others == null ? 0 : others);
                    } else {
                        dropIfEmpty(target);
                    }
                    membership.done();
                })));
    }

    /** Leaves the current room (a job of it), then runs {@code next}; at once if in none. */
    private void leaveCurrent(Session session, Membership membership, Runnable next) {
        Room current = membership.current;
        if (current == null) {
            next.run();
            return;
        }
        current.execute(() -> {
            membership.current = null;
            current.removeMember(session);
            dropIfEmpty(current);
            next.run();
        });
    }

    /** In a job of the room. */
    private void dropIfEmpty(Room room) {
        boolean dropped = false;
        synchronized (this) {
            if (room.isEmpty() && room.pendingJoins == 0 && !room.dropped) {
                room.dropped = true;
                rooms.remove(room.name(), room);
                backplane.roomClosed(room.name());
                dropped = true;
            }
        }
        if (dropped) {
            room.discardUnflushed(); // the ticker no longer reaches it: its flush would never come
        }
        if (dropped) {
            for (RoomListener listener : listeners) {
                listener.onDropped(room);
            }
        }
    }

    /**
     * Where a session is and is going. Its joins and leaves are steps run one after another (each
     * may take jobs of two rooms), so they never overlap and keep the order they were asked in.
     */
    private static final class Membership {
        /** The room asked for last (under the rooms' lock). */
        Room intended;
        /** The room it is a member of: written by the steps, read by any thread. */
        volatile Room current;
        private final java.util.ArrayDeque<Runnable> steps = new java.util.ArrayDeque<>();
        private boolean running;

        void then(Runnable step) {
            synchronized (this) {
                if (running) {
                    steps.add(step);
                    return;
                }
                running = true;
            }
            step.run();
        }

        void done() {
            Runnable next;
            synchronized (this) {
                next = steps.poll();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            next.run();
        }
    }

    List<RoomListener> listeners() {
        return listeners;
    }

    /** Where rooms run their jobs; null while stopped (jobs then wait in their rooms for the next start). */
    ExecutorService workers() {
        return workers;
    }

    void jobQueued() {
        queuedJobs.incrementAndGet();
    }

    void jobStarted() {
        queuedJobs.decrementAndGet();
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

    /** Start and stop: a lock of their own (jobs and joins take the rooms' monitor, and stop waits for jobs). */
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
            workers = Executors.newFixedThreadPool(workerThreads, task -> {
                Thread thread = new Thread(task, "servercore-room-" + count.getAndIncrement());
                thread.setDaemon(true);
                return thread;
            });
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
     * Every room's tick, then (with a flush delay) its flush, and the next ticks: they fall on multiples of
     * the period on the wall clock, so that the nodes of a cluster tick together (each tick is placed anew:
     * no drift from the wall clock).
     */
    private void tickAll(ScheduledExecutorService clock) {
        long due = System.nanoTime();
        long tick = Math.round((double) epochMicros() / periodMicros());
        for (Room room : rooms.values()) {
            room.scheduleTick(due, periodNanos, tick);
        }
        try {
            if (flushDelayNanos > 0) {
                clock.schedule(() -> rooms.values().forEach(room -> room.scheduleFlush(tick)), flushDelayNanos,
                        TimeUnit.NANOSECONDS);
            }
            synchronized (lifecycle) {
                if (ticking != null && ticker == clock) { // not a chain of a ticker stopped since
                    ticking = clock.schedule(() -> tickAll(clock), nanosToNextTick(), TimeUnit.NANOSECONDS);
                }
            }
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            // the rooms stopped (a start since has its own ticker)
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
