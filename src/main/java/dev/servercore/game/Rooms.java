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
    private final Map<Session, Room> roomOf = new ConcurrentHashMap<>();
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

    public Rooms(int tickRate, int workerThreads, List<RoomListener> listeners, MeterRegistry meters) {
        if (tickRate < 1 || tickRate > 1000) {
            throw new IllegalArgumentException("servercore.rooms.tick-rate must be within 1..1000, not " + tickRate);
        }
        this.listeners = List.copyOf(listeners);
        this.periodNanos = Duration.ofSeconds(1).toNanos() / tickRate;
        this.workerThreads = Math.max(1, workerThreads);
        Gauge.builder("servercore.rooms", rooms, Map::size).description("Rooms that exist now").register(meters);
        Gauge.builder("servercore.rooms.members", roomOf, Map::size).description("Sessions in a room now")
                .register(meters);
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

    /** The room of that name, if it exists. */
    public Room room(String name) {
        return rooms.get(name);
    }

    /** The session's room (the one it last joined), or null. */
    public Room roomOf(Session session) {
        return roomOf.get(session);
    }

    public int count() {
        return rooms.size();
    }

    /**
     * Moves the session to the room {@code name}, made if need be: it leaves its room first (a job of
     * that room), then joins (a job of the new one, where {@link RoomListener#onJoin} runs). Any thread.
     *
     * @return the room it is joining
     */
    public Room join(Session session, String name) {
        Room target;
        Room previous;
        synchronized (this) {
            target = rooms.computeIfAbsent(name, n -> new Room(n, this));
            previous = roomOf.put(session, target);
            if (previous == target) {
                return target;
            }
            target.pendingJoins++;
            if (previous == null) {
                session.whenEnded(() -> leave(session));
            }
        }
        Runnable join = () -> {
            synchronized (this) {
                target.pendingJoins--;
            }
            if (session.isConnected() && roomOf.get(session) == target) {
                target.addMember(session);
            } else {
                dropIfEmpty(target);
            }
        };
        if (previous == null) {
            target.execute(join);
        } else {
            previous.execute(() -> {
                previous.removeMember(session);
                dropIfEmpty(previous);
                target.execute(join); // after the leave: nothing of the old room reaches it after the join
            });
        }
        return target;
    }

    /** The session leaves its room (on disconnect this happens by itself). Any thread. */
    public void leave(Session session) {
        Room room = roomOf.remove(session);
        if (room != null) {
            room.execute(() -> {
                room.removeMember(session);
                dropIfEmpty(room);
            });
        }
    }

    /** In a job of the room. */
    private synchronized void dropIfEmpty(Room room) {
        if (room.isEmpty() && room.pendingJoins == 0 && !room.dropped) {
            room.dropped = true;
            rooms.remove(room.name(), room);
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

    @Override
    public synchronized void start() {
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
            ticking = ticker.scheduleAtFixedRate(() -> {
                long due = System.nanoTime();
                for (Room room : rooms.values()) {
                    room.scheduleTick(due, periodNanos);
                }
            }, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** After the listeners stopped (a later phase): their sessions have left. */
    @Override
    public synchronized void stop() {
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
