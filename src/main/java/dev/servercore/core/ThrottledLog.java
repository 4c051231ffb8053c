package dev.servercore.core;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;

/**
 * A log line that a hostile peer can make the engine write as often as it likes (a refusal, a protocol
 * error): written at most once per interval, with how many like it were left out since the last one. The
 * message is only built when it is written. Any thread; no lock.
 */
public final class ThrottledLog {

    private final Log log;
    private final long intervalNanos;
    private final AtomicLong nextAt = new AtomicLong(System.nanoTime());
    private final AtomicLong skipped = new AtomicLong();

    public ThrottledLog(Log log, long intervalMillis) {
        this.log = log;
        this.intervalNanos = intervalMillis * 1_000_000;
    }

    /** Once a second at most. */
    public ThrottledLog(Log log) {
        this(log, 1_000);
    }

    public void warn(Supplier<String> message) {
        if (log.isWarnEnabled() && due()) {
            log.warn(message.get() + suffix());
        }
    }

    public void info(Supplier<String> message) {
        if (log.isInfoEnabled() && due()) {
            log.info(message.get() + suffix());
        }
    }

    private boolean due() {
        long now = System.nanoTime();
        long next = nextAt.get();
        if (now - next >= 0 && nextAt.compareAndSet(next, now + intervalNanos)) {
            return true;
        }
        skipped.incrementAndGet();
        return false;
    }

    private String suffix() {
        long left = skipped.getAndSet(0);
        return left == 0 ? "" : " (and " + left + " more like it since the last such line)";
    }
}
