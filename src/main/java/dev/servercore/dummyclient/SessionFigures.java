package dev.servercore.dummyclient;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.servercore.core.CloseReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What any dummy session can be counted for, whatever protocol it speaks, read from the engine's meters of the
 * dummy client's connectors: sessions connected (TCP, session open), connects that failed, disconnects by
 * reason, and packets and bytes both ways.
 */
final class SessionFigures {

    private final MeterRegistry meters;
    private final List<String> endpoints;

    SessionFigures(MeterRegistry meters, List<String> endpoints) {
        this.meters = meters;
        this.endpoints = List.copyOf(endpoints);
    }

    /** Sessions opened: TCP connected and handed to their session. */
    long connected() {
        return (long) counter("servercore.sessions.opened", null);
    }

    long connectFailures() {
        return (long) counter("servercore.connect.failures", null);
    }

    /** Sessions closed so far, by reason (only the reasons that occurred). */
    Map<CloseReason, Long> disconnects() {
        Map<CloseReason, Long> byReason = new EnumMap<>(CloseReason.class);
        for (CloseReason reason : CloseReason.values()) {
            long count = (long) counter("servercore.sessions.closed", reason.tag());
            if (count > 0) {
                byReason.put(reason, count);
            }
        }
        return byReason;
    }

    /** {@code connected=N connect_failures=N disconnects_REASON=N ...} */
    String describeSessions() {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "connected=%d connect_failures=%d",
                connected(), connectFailures()));
        disconnects().forEach((reason, count) -> line.append(" disconnects_").append(reason.tag()).append('=')
                .append(count));
        return line.toString();
    }

    /** {@code bytes_sent=N bytes_received=N packets_sent=N packets_received=N}: what crossed the wire. */
    String describeWire() {
        return String.format(Locale.ROOT, "bytes_sent=%.0f bytes_received=%.0f packets_sent=%.0f packets_received=%.0f",
                functionCounter("servercore.bytes.sent"), functionCounter("servercore.bytes.received"),
                functionCounter("servercore.packets.sent"), functionCounter("servercore.packets.received"));
    }

    private double counter(String name, String reason) {
        double sum = 0;
        for (String endpoint : endpoints) {
            var search = meters.find(name).tag("endpoint", endpoint);
            if (reason != null) {
                search = search.tag("reason", reason);
            }
            Counter counter = search.counter();
            sum += counter == null ? 0 : counter.count();
        }
        return sum;
    }

    private double functionCounter(String name) {
        double sum = 0;
        for (String endpoint : endpoints) {
            FunctionCounter counter = meters.find(name).tag("endpoint", endpoint).functionCounter();
            sum += counter == null ? 0 : counter.count();
        }
        return sum;
    }
}
