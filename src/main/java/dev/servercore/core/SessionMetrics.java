package dev.servercore.core;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * The meters of one listener or connector, tagged {@code role} ({@code server} for a listener's sessions,
 * {@code client} for a connector's) and {@code endpoint} (its name, so a process with several connectors
 * keeps them apart). Bytes are counted where they cross the socket: a read as it returns, a write once
 * it has completed, so the counters equal the wire exactly. Packets are frames in framed mode, reads and
 * sends in raw mode. {@code active} moves with {@code opened} and {@code closed}, so that
 * opened - closed == active whenever no session is opening or closing.
 */
public final class SessionMetrics {

    private final AtomicInteger active = new AtomicInteger();
    private final Counter opened;
    private final Map<CloseReason, Counter> closed = new EnumMap<>(CloseReason.class);
    private final Counter refused;
    private final Counter connectFailures;
    private final Counter bytesReceived;
    private final Counter bytesSent;
    private final Counter packetsReceived;
    private final Counter packetsSent;

    public SessionMetrics(MeterRegistry meters, String role, String endpoint, SessionRegistry sessions) {
        Tags tags = Tags.of("role", role, "endpoint", endpoint);
        Gauge.builder("servercore.sessions.active", active, AtomicInteger::get)
                .description("Sessions open now").tags(tags).register(meters);
        Gauge.builder("servercore.send.queue.bytes", sessions, SessionRegistry::queuedBytes)
                .description("Bytes queued for sending and not yet written, over all sessions").baseUnit("bytes")
                .tags(tags).register(meters);
        opened = Counter.builder("servercore.sessions.opened").description("Sessions opened")
                .tags(tags).register(meters);
        for (CloseReason reason : CloseReason.values()) {
            closed.put(reason, Counter.builder("servercore.sessions.closed").description("Sessions closed, by reason")
                    .tags(tags).tag("reason", reason.tag()).register(meters));
        }
        refused = Counter.builder("servercore.sessions.refused")
                .description("Connections closed at once because the session limit was reached")
                .tags(tags).register(meters);
        connectFailures = Counter.builder("servercore.connect.failures").description("Outbound connects that failed")
                .tags(tags).register(meters);
        bytesReceived = Counter.builder("servercore.bytes.received").baseUnit("bytes")
                .description("Bytes read from sockets").tags(tags).register(meters);
        bytesSent = Counter.builder("servercore.bytes.sent").baseUnit("bytes")
                .description("Bytes written to sockets").tags(tags).register(meters);
        packetsReceived = Counter.builder("servercore.packets.received")
                .description("Packets received (frames; reads in raw mode)").tags(tags).register(meters);
        packetsSent = Counter.builder("servercore.packets.sent")
                .description("Packets written (frames; sends in raw mode)").tags(tags).register(meters);
    }

    void opened() {
        opened.increment();
        active.incrementAndGet();
    }

    void closed(CloseReason reason) {
        closed.get(reason).increment();
        active.decrementAndGet();
    }

    int active() {
        return active.get();
    }

    void refused() {
        refused.increment();
    }

    void connectFailed() {
        connectFailures.increment();
    }

    void bytesReceived(int bytes) {
        bytesReceived.increment(bytes);
    }

    void packetsReceived(int packets) {
        packetsReceived.increment(packets);
    }

    void sent(int bytes, int packets) {
        bytesSent.increment(bytes);
        packetsSent.increment(packets);
    }
}
