package dev.servercore.dummyclient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;

/**
 * The resumable players of a chat or move run ({@code servercore.dummyclient.resume}): opens a
 * {@link ResumableLink} per player, reconnects links whose connection dropped, sends their acks on a timer,
 * and, with {@code servercore.dummyclient.chaos.drop-rate}, resets random connections at that rate across the
 * fleet. Counts resets, resumes that worked and that failed, and the interruptions: from a connection's loss to
 * the first frame received after its {@code S_Resumed}.
 */
final class ResumeFleet implements ApplicationListener<ContextClosedEvent> {

    private static final Log log = LogFactory.getLog(ResumeFleet.class);
    private static final long TICK_MILLIS = 250;
    private static final long RECONNECT_RETRY_MILLIS = 100;
    private static final long REPLACE_DELAY_MILLIS = 1_000;

    private final DummyClientConnectors connectors;
    private final RoomTraffic traffic;
    /** Null: no login. */
    private final DummyLogin login;
    private final double dropRate;
    private final List<ResumableLink> links = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "dummyclient-resume");
        thread.setDaemon(true);
        return thread;
    });
    private final LongAdder resets = new LongAdder();
    private final LongAdder resumed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    /** Client frames sent again after an S_Resumed: the server had not received them. */
    private final LongAdder resent = new LongAdder();
    private final PercentileRecorder interruptions = new PercentileRecorder();
    private volatile ScheduledFuture<?> chaos;
    private volatile boolean closing;
    /** Continuous runs: a lost player is replaced by a new one. */
    private volatile boolean replacing;

    private final Timer interruptionTimer;

    ResumeFleet(DummyClientConnectors connectors, RoomTraffic traffic, DummyLogin login, double dropRate,
            MeterRegistry meters) {
        FunctionCounter.builder("servercore.dummyclient.resets", resets, LongAdder::sum)
                .description("Connections the dummy client's chaos reset").register(meters);
        FunctionCounter.builder("servercore.dummyclient.resumes", resumed, LongAdder::sum).tag("outcome", "ok")
                .description("Resumes of the dummy client's sessions, by outcome").register(meters);
        FunctionCounter.builder("servercore.dummyclient.resumes", failed, LongAdder::sum).tag("outcome", "failed")
                .description("Resumes of the dummy client's sessions, by outcome").register(meters);
        interruptionTimer = Timer.builder("servercore.dummyclient.interruption")
                .description("From a connection's loss to the first frame after its S_Resumed")
                .publishPercentileHistogram().register(meters);
        this.connectors = connectors;
        this.traffic = traffic;
        this.login = login;
        this.dropRate = dropRate;
        timer.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Opens {@code count} players, at most {@code concurrency} connects at a time; returns once each connect ended. */
    List<RoomPlayer> open(int count, int concurrency) throws InterruptedException {
        Semaphore inProgress = new Semaphore(concurrency);
        List<CompletableFuture<?>> connects = new ArrayList<>();
        List<RoomPlayer> players = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            inProgress.acquire();
            ResumableLink link = newLink();
            players.add(link.player());
            connects.add(connect(link).whenComplete((done, failure) -> inProgress.release()));
        }
        for (CompletableFuture<?> connect : connects) {
            try {
                connect.join();
            } catch (RuntimeException counted) {
                // counted in connect
            }
        }
        return players;
    }

    private ResumableLink newLink() {
        ResumableLink link = new ResumableLink(this, connectors.nextConnector(), login, traffic);
        links.add(link);
        return link;
    }

    /** The first connect of a link. */
    private CompletableFuture<?> connect(ResumableLink link) {
        return connectors.connectTo(link.connector()).whenComplete((session, failure) -> {
            if (failure == null) {
                link.use((LinkConnection) session);
            } else {
                link.connectFailed();
                traffic.errors.increment(); // logged by the connector
                lost(link);
            }
        });
    }

    /** Continuous runs: from now on each player lost is replaced by a new one, a second later. */
    void keepPlaying() {
        replacing = true;
    }

    /** The players still playing. */
    List<RoomPlayer> players() {
        return links.stream().map(ResumableLink::player).filter(p -> !p.isLost()).toList();
    }

    private void lost(ResumableLink link) {
        if (replacing && !closing) {
            links.remove(link);
            traffic.forget(link.player().index());
            timer.schedule(() -> {
                if (!closing) {
                    connect(newLink());
                }
            }, REPLACE_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** A new connection for a link that lost its own; tried again while the link waits for one. */
    void reconnect(ResumableLink link) {
        if (closing) {
            return;
        }
        connectors.connectTo(link.connector()).whenComplete((session, failure) -> {
            if (failure == null) {
                link.use((LinkConnection) session);
            } else if (link.connectFailed() && !closing) {
                timer.schedule(() -> reconnect(link), RECONNECT_RETRY_MILLIS, TimeUnit.MILLISECONDS);
            }
        });
    }

    /** Starts resetting random connections, {@code drop-rate} a second across the fleet (nothing at 0). */
    void startChaos() {
        if (dropRate > 0) {
            long periodMicros = Math.max(1, Math.round(1_000_000 / dropRate));
            chaos = timer.scheduleAtFixedRate(this::resetOne, periodMicros, periodMicros, TimeUnit.MICROSECONDS);
        }
    }

    void stopChaos() {
        ScheduledFuture<?> running = chaos;
        if (running != null) {
            running.cancel(false);
        }
    }

    private void resetOne() {
        if (links.isEmpty()) {
            return;
        }
        // a few tries: a link in the middle of a resume is not reset again
        for (int attempt = 0; attempt < 8; attempt++) {
            ResumableLink link = links.get(ThreadLocalRandom.current().nextInt(links.size()));
            if (link.reset()) {
                resets.increment();
                return;
            }
        }
    }

    private void tick() {
        long now = System.nanoTime();
        for (ResumableLink link : links) {
            try {
                link.tick(now);
            } catch (RuntimeException e) {
                log.error(link + ": tick failed", e);
            }
        }
    }

    /** Waits until no link is in the middle of a resume. */
    boolean awaitSettled(Duration timeout) throws InterruptedException {
        return DummyClient.await(() -> links.stream().allMatch(ResumableLink::isSettled), timeout);
    }

    /** The run is over: drops from now on are the client's own closing, not resumed. */
    void close() {
        closing = true;
        stopChaos();
        links.forEach(ResumableLink::close);
        timer.shutdownNow();
    }

    /** Before the connectors stop: their closes are not resumed. */
    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        close();
    }

    boolean isClosing() {
        return closing;
    }

    void resumed(int framesSentAgain) {
        resumed.increment();
        resent.add(framesSentAgain);
    }

    void interrupted(long nanos) {
        interruptionTimer.record(nanos, TimeUnit.NANOSECONDS);
        interruptions.record(Math.min(TimeUnit.NANOSECONDS.toMicros(nanos), TimeUnit.SECONDS.toMicros(60)));
    }

    void resumeFailed(ResumableLink link, String reason) {
        failed.increment();
        log.warn(link + ": resume failed (" + reason + "), the player is lost");
        lost(link);
    }

    /** The gateway keeps no sessions for resume (its window is 0): a failure too, though the player plays on. */
    void enableRefused(ResumableLink link) {
        failed.increment();
        log.warn(link + ": the gateway refused C_ResumeEnable, the player plays on unresumable");
    }

    void unexpectedDisconnect(ResumableLink link) {
        traffic.unexpectedDisconnects.increment();
        log.warn(link + ": its connection ended and it cannot resume, the player is lost");
        lost(link);
    }

    void error(String what) {
        traffic.errors.increment();
        log.error(what);
    }

    long failedCount() {
        return failed.sum();
    }

    /** The summary's figures; the interruption percentiles are those since the last call. */
    String describe() {
        PercentileRecorder.Snapshot s = interruptions.snapshot();
        return String.format(Locale.ROOT, "resets=%d resumes_ok=%d resumes_failed=%d resent=%d interruption_n=%d "
                + "interruption_p50_us=%d interruption_p99_us=%d interruption_max_us=%d", resets.sum(), resumed.sum(),
                failed.sum(), resent.sum(), s.count(), s.valueAt(50), s.valueAt(99), Math.max(0, s.max()));
    }
}
