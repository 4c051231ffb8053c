package dev.servercore.dummyclient;

import java.util.Locale;
import java.util.function.IntSupplier;

import dev.servercore.core.CloseReason;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * A run of the application's own sessions (a {@link DummySessionFactory} bean): they drive themselves from their
 * callbacks; the dummy client opens them, waits, and judges what any session can be judged by. With a duration,
 * the run lasts that long; without, until every session has closed itself ({@code disconnect()}: a scripted
 * bot's "done"), within the timeout. OK only if every session connected, none was closed otherwise (by the
 * server, an error, a reset), no connect failed, and the sessions reported no error.
 */
final class OwnSessionsScenario {

    private static final Log log = LogFactory.getLog(OwnSessionsScenario.class);

    private final DummyClientProperties properties;
    private final SessionFigures figures;
    private final SessionReport report;

    OwnSessionsScenario(DummyClientProperties properties, SessionFigures figures, SessionReport report) {
        this.properties = properties;
        this.figures = figures;
        this.report = report;
    }

    /** After the sessions were connected: waits, logs the summary, and returns whether the run passed. */
    boolean run(IntSupplier open) throws InterruptedException {
        long start = System.nanoTime();
        boolean finished;
        if (properties.getDuration().isZero()) {
            finished = DummyClient.await(() -> open.getAsInt() == 0, properties.getTimeout());
            if (!finished) {
                log.error(open.getAsInt() + " sessions still open after " + properties.getTimeout()
                        + " (with no duration, the run ends once every session has disconnected itself)");
            }
        } else {
            DummyClient.sleep(properties.getDuration());
            finished = true;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long unexpected = unexpectedDisconnects();
        boolean ok = finished && figures.connected() == properties.getSessions() && figures.connectFailures() == 0
                && unexpected == 0 && report.errors() == 0;
        log.info(String.format(Locale.ROOT, "Dummy client summary: mode=own sessions=%d seconds=%.1f %s "
                        + "unexpected_disconnects=%d errors=%d %s %s result=%s", properties.getSessions(), seconds,
                figures.describeSessions(), unexpected, report.errors(), figures.describeWire(), report.describe(),
                ok ? "OK" : "FAILED").replace("  ", " "));
        return ok;
    }

    /** Continuous mode: the figures of each report interval, until interrupted. */
    void runContinuously(IntSupplier open) throws InterruptedException {
        while (!Thread.currentThread().isInterrupted()) {
            DummyClient.sleep(properties.getReportInterval());
            log.info("Dummy client: open=" + open.getAsInt() + "/" + properties.getSessions() + " "
                    + figures.describeSessions() + " errors=" + report.errors() + " " + figures.describeWire() + " "
                    + report.describe());
        }
    }

    /** Closes that the sessions did not choose themselves. */
    private long unexpectedDisconnects() {
        return figures.disconnects().entrySet().stream().filter(e -> e.getKey() != CloseReason.LOCAL)
                .mapToLong(e -> e.getValue()).sum();
    }
}
