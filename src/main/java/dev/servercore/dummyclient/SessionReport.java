package dev.servercore.dummyclient;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * What the dummy client's sessions report of their own, for its summary: named counts (e.g. {@code tags}),
 * named latencies (summarized as {@code NAME_p50_us}, {@code NAME_p99_us}, {@code NAME_max_us}), and errors (any
 * error fails the run). A bean under the {@code dummyclient} profile: give it to your sessions from your
 * {@link DummySessionFactory}. Thread-safe; cheap enough to call from a session's callbacks.
 */
public final class SessionReport {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,39}");
    private static final long MAX_MICROS = TimeUnit.SECONDS.toMicros(60);

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, PercentileRecorder> latencies = new ConcurrentHashMap<>();
    private final LongAdder errors = new LongAdder();

    /** Adds one to the count of that name ({@code [a-z][a-z0-9_]*}, at most 40 characters). */
    public void count(String name) {
        count(name, 1);
    }

    public void count(String name, long amount) {
        counts.computeIfAbsent(checked(name), n -> new LongAdder()).add(amount);
    }

    /** Records one latency of that name (kept in microseconds, at most 60 s). */
    public void latency(String name, Duration latency) {
        latencyNanos(name, latency.toNanos());
    }

    /** As {@link #latency(String, Duration)}, from a difference of {@link System#nanoTime()}s. */
    public void latencyNanos(String name, long nanos) {
        latencies.computeIfAbsent(checked(name), n -> new PercentileRecorder())
                .record(Math.min(TimeUnit.NANOSECONDS.toMicros(nanos), MAX_MICROS));
    }

    /** Something went wrong that the session saw (a reply that does not match, a packet out of place): the run fails. */
    public void error() {
        errors.increment();
    }

    public long errors() {
        return errors.sum();
    }

    /** The count of that name so far. */
    public long countOf(String name) {
        LongAdder count = counts.get(name);
        return count == null ? 0 : count.sum();
    }

    /** Counts, then latencies since the last call, by name, as {@code name=value} pairs. */
    String describe() {
        StringBuilder line = new StringBuilder();
        new TreeMap<>(counts).forEach((name, count) -> line.append(' ').append(name).append('=').append(count.sum()));
        new TreeMap<>(latencies).forEach((name, recorder) -> {
            PercentileRecorder.Snapshot s = recorder.snapshot();
            line.append(String.format(Locale.ROOT, " %s_n=%d %s_p50_us=%d %s_p99_us=%d %s_max_us=%d", name, s.count(),
                    name, s.valueAt(50), name, s.valueAt(99), name, s.max()));
        });
        return line.toString().trim();
    }

    private static String checked(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a report name is [a-z][a-z0-9_]*, at most 40 characters: " + name);
        }
        return name;
    }
}
