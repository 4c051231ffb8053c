package dev.servercore.dummyclient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;

import dev.servercore.core.Session;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;

/**
 * Drives the dummy client: opens the sessions, lets them exchange echoes (the five hellos, or load for a
 * duration, or load until stopped), or play the room scenarios, or run the application's own sessions
 * ({@link DummySessionFactory}), then logs one summary. The exit code is 0 only if the run passed (echo: every
 * session was welcomed, every reply matched its request, and nothing failed or disconnected unexpectedly). A run
 * that is not continuous ends the process with that code once the application is ready
 * ({@code servercore.dummyclient.exit-when-done}), whatever the application's {@code main}.
 */
public class DummyClient implements ApplicationRunner, ExitCodeGenerator, ApplicationListener<ApplicationReadyEvent> {

    private static final Log log = LogFactory.getLog(DummyClient.class);
    /** The property Boot's test support sets in the environment of every {@code @SpringBootTest} context. */
    private static final String SPRING_BOOT_TEST = "org.springframework.boot.test.context.SpringBootTestContextBootstrapper";

    private final DummyClientConnectors connector;
    private final DummyClientProperties properties;
    private final LoadReport report;
    private final RoomScenario rooms;
    /** Null: the demo protocol's sessions; else the application's own. */
    private final OwnSessionsScenario own;
    private final SessionFigures figures;
    /** Null: the room scenarios' sessions are not resumable. */
    private final ResumeFleet fleet;
    private final List<DummyClientSession> sessions = new ArrayList<>();
    private final List<RoomDummySession> roomSessions = new ArrayList<>();
    private volatile int exitCode = 1;

    DummyClient(DummyClientConnectors connector, DummyClientProperties properties, LoadReport report, MeterRegistry meters,
            RoomScenario rooms, OwnSessionsScenario own, ResumeFleet fleet) {
        this.connector = connector;
        this.fleet = fleet;
        this.rooms = rooms;
        this.own = own;
        this.properties = properties;
        this.report = report;
        this.figures = new SessionFigures(meters, connector.names());
    }

    public boolean isContinuous() {
        return properties.isContinuous();
    }

    @Override
    public int getExitCode() {
        return exitCode;
    }

    @Override
    public void run(ApplicationArguments args) throws InterruptedException {
        if (properties.isContinuous()) {
            exitCode = 0; // it runs until stopped; what goes wrong meanwhile is logged, counted, and reconnected
            Thread driver = new Thread(this::runContinuously, "dummyclient-driver");
            driver.setDaemon(true);
            driver.start();
            return;
        }
        exitCode = runOnce() ? 0 : 1;
    }

    /**
     * A run that has ended ends the process with its verdict (a continuous one runs until stopped), unless the
     * application is a {@code @SpringBootTest}'s: a test reads {@link #getExitCode()} instead.
     */
    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        boolean inTest = event.getApplicationContext().getEnvironment().containsProperty(SPRING_BOOT_TEST);
        if (!properties.isContinuous() && properties.isExitWhenDone() && !inTest) {
            System.exit(SpringApplication.exit(event.getApplicationContext()));
        }
    }

    private boolean runOnce() throws InterruptedException {
        if (own != null) {
            connectAll();
            boolean ok = own.run(connector::open);
            report.closing();
            return ok;
        }
        if (properties.getScenario() != DummyClientProperties.Scenario.ECHO) {
            List<RoomPlayer> players;
            if (fleet != null) {
                players = fleet.open(properties.getSessions(), properties.getConnectConcurrency());
            } else {
                connectAll();
                players = roomSessions.stream().map(RoomDummySession::player).toList();
            }
            boolean ok = rooms.run(players, () -> figures.describeSessions() + " " + wireFigures(), fleet);
            if (fleet != null) {
                fleet.close();
            }
            report.closing();
            return ok;
        }
        boolean load = properties.isLoad();
        Duration warmup = load ? properties.getWarmup() : Duration.ZERO;
        if (!warmup.isZero()) {
            report.pauseMeasuring();
        }
        long start = System.nanoTime();
        connectAll();
        boolean welcomed = await(() -> report.welcomedCount() == properties.getSessions(), properties.getTimeout());
        if (!welcomed) {
            log.error("Only " + report.welcomedCount() + " of " + properties.getSessions()
                    + " sessions were welcomed within " + properties.getTimeout());
        }
        boolean finished = false;
        if (!welcomed) {
            report.stopSending();
        } else if (load) {
            sleep(warmup);
            report.startMeasuring();
            start = System.nanoTime();
            sleep(properties.getDuration());
            report.stopSending();
            finished = await(() -> outstanding() == 0, properties.getTimeout());
        } else {
            finished = await(() -> sessions.stream().allMatch(s -> s.echoes().isDone()), properties.getTimeout());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        LoadReport.Snapshot figures = report.snapshot(seconds);
        long unanswered = outstanding();
        boolean ok = welcomed && finished && figures.clean() && unanswered == 0;
        log.info(String.format(Locale.ROOT, "Dummy client summary: mode=%s sessions=%d %s %s unanswered=%d %s result=%s",
                load ? "load" : "hello", properties.getSessions(), this.figures.describeSessions(), figures.describe(),
                unanswered, wireFigures(), ok ? "OK" : "FAILED"));
        report.closing();
        return ok;
    }

    /** Keeps the sessions connected (lost ones come back, with backoff) and logs the figures now and then. */
    private void runContinuously() {
        if (fleet == null) {
            connector.keepConnected(properties.getSessions());
        }
        try {
            if (own != null) {
                own.runContinuously(connector::open);
                return;
            }
            if (fleet != null) {
                // resumable players: the fleet keeps them, resumes them, and replaces those lost
                fleet.keepPlaying();
                fleet.open(properties.getSessions(), properties.getConnectConcurrency());
                fleet.startChaos();
                rooms.runContinuously(fleet::players, fleet);
                return;
            }
            if (properties.getScenario() != DummyClientProperties.Scenario.ECHO) {
                rooms.runContinuously(() -> connector.sessions().stream()
                        .filter(RoomDummySession.class::isInstance).map(RoomDummySession.class::cast)
                        .filter(RoomDummySession::isConnected).map(RoomDummySession::player).toList(), null);
                return;
            }
            while (!Thread.currentThread().isInterrupted()) {
                long start = System.nanoTime();
                sleep(properties.getReportInterval());
                LoadReport.Snapshot figures = report.snapshot((System.nanoTime() - start) / 1e9);
                log.info("Dummy client: open=" + connector.open() + "/" + properties.getSessions() + " "
                        + figures.describe() + " " + wireFigures());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Opens every session, a bounded number of connects at a time. */
    private void connectAll() throws InterruptedException {
        Semaphore inProgress = new Semaphore(properties.getConnectConcurrency());
        List<CompletableFuture<Session>> connects = new ArrayList<>();
        for (int i = 0; i < properties.getSessions(); i++) {
            inProgress.acquire();
            connects.add(connector.connect().whenComplete((session, failure) -> inProgress.release()));
        }
        for (CompletableFuture<Session> connect : connects) {
            try {
                Session session = connect.join();
                synchronized (sessions) {
                    if (session instanceof RoomDummySession room) {
                        roomSessions.add(room);
                    } else if (session instanceof DummyClientSession echoing) {
                        sessions.add(echoing);
                    }
                }
            } catch (RuntimeException failed) {
                report.error(); // logged and counted by the connector
            }
        }
    }

    private long outstanding() {
        synchronized (sessions) {
            return sessions.stream().mapToLong(s -> s.echoes().outstanding()).sum();
        }
    }

    /** Figures of the connector's meters: what crossed the wire. */
    private String wireFigures() {
        return figures.describeWire();
    }

    static boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        return await(condition, timeout, 10);
    }

    /** As {@link #await(BooleanSupplier, Duration)}, asking every {@code pollMillis} (a condition that costs). */
    static boolean await(BooleanSupplier condition, Duration timeout, long pollMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(pollMillis);
        }
        return true;
    }

    static void sleep(Duration duration) throws InterruptedException {
        if (!duration.isZero()) {
            Thread.sleep(duration.toMillis());
        }
    }
}
