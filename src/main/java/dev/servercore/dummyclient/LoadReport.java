package dev.servercore.dummyclient;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * What the dummy sessions saw, gathered from all of them: welcomes, replies and their round trips,
 * mismatches, errors. Round trips go to a percentile recorder (the summary's percentiles, within 0.4 %)
 * and to a Micrometer timer (for Prometheus). Thread-safe.
 */
public final class LoadReport {

    private final AtomicInteger welcomed = new AtomicInteger();
    private final LongAdder replies = new LongAdder();
    private final LongAdder mismatches = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder unexpectedDisconnects = new LongAdder();
    private final PercentileRecorder roundTrips = new PercentileRecorder();
    private final Timer roundTripTimer;
    private final Counter replyCounter;
    private final Counter mismatchCounter;
    private final Counter errorCounter;
    private volatile boolean measuring = true;
    private volatile boolean sending = true;
    private volatile boolean closing;

    public LoadReport(MeterRegistry meters) {
        roundTripTimer = Timer.builder("servercore.dummyclient.rtt").description("Echo round-trip time")
                .publishPercentiles(0.5, 0.99).publishPercentileHistogram().register(meters);
        replyCounter = Counter.builder("servercore.dummyclient.echoes").description("Echo replies received")
                .register(meters);
        mismatchCounter = Counter.builder("servercore.dummyclient.mismatches")
                .description("Echo replies that differed from their request").register(meters);
        errorCounter = Counter.builder("servercore.dummyclient.errors").description("Protocol errors and unexpected disconnects")
                .register(meters);
    }

    void welcomed() {
        welcomed.incrementAndGet();
    }

    void reply(long roundTripNanos, boolean matches) {
        replyCounter.increment();
        roundTripTimer.record(roundTripNanos, TimeUnit.NANOSECONDS);
        if (!matches) {
            mismatches.increment();
            mismatchCounter.increment();
        }
        if (measuring) {
            replies.increment();
            roundTrips.record(Math.min(TimeUnit.NANOSECONDS.toMicros(roundTripNanos), TimeUnit.SECONDS.toMicros(60)));
        }
    }

    void error() {
        errors.increment();
        errorCounter.increment();
    }

    void disconnected(boolean expected) {
        if (!expected && !closing) {
            unexpectedDisconnects.increment();
            errorCounter.increment();
        }
    }

    int welcomedCount() {
        return welcomed.get();
    }

    boolean isSending() {
        return sending;
    }

    /** Starts a measuring window: what came before (a warm-up) is forgotten. */
    void startMeasuring() {
        replies.reset();
        roundTrips.reset();
        measuring = true;
    }

    /** Replies are checked but not counted or timed in the summary until {@link #startMeasuring()}. */
    void pauseMeasuring() {
        measuring = false;
    }

    /** Sessions send no new requests from now on; the replies to those in flight are still checked. */
    void stopSending() {
        sending = false;
    }

    /** The client is closing its sessions: the disconnects that follow are expected. */
    void closing() {
        closing = true;
    }

    /** Takes the figures since the last snapshot (or since measuring started). */
    Snapshot snapshot(double seconds) {
        PercentileRecorder.Snapshot histogram = roundTrips.snapshot();
        return new Snapshot(welcomed.get(), replies.sumThenReset(), seconds, histogram.valueAt(50),
                histogram.valueAt(99), histogram.max(), mismatches.sum(), errors.sum(),
                unexpectedDisconnects.sum());
    }

    /** Figures of one measuring window. Mismatches, errors and disconnects are totals since the start. */
    record Snapshot(int welcomed, long replies, double seconds, long p50Micros, long p99Micros, long maxMicros,
            long mismatches, long errors, long disconnects) {

        boolean clean() {
            return mismatches == 0 && errors == 0 && disconnects == 0;
        }

        String describe() {
            return String.format(Locale.ROOT,
                    "welcomed=%d echoes=%d echoes_per_s=%.1f rtt_p50_us=%d rtt_p99_us=%d rtt_max_us=%d"
                            + " mismatches=%d errors=%d disconnects=%d",
                    welcomed, replies, seconds > 0 ? replies / seconds : 0.0, p50Micros, p99Micros, maxMicros,
                    mismatches, errors, disconnects);
        }
    }
}
