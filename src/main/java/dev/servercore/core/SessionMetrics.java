package dev.servercore.core;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * The meters of one listener or connector, tagged {@code role} ({@code server} for a listener's sessions,
 * {@code client} for a connector's) and {@code endpoint} (its name, so a process with several connectors
 * keeps them apart). Bytes are counted where they cross the socket: a read as it returns, a write as it
 * returns, so the counters equal the wire exactly. Packets are frames in framed mode, reads and sends in
 * raw mode. Traffic and loop figures are plain fields of each event loop, summed when read: counting a
 * packet costs no atomic operation. {@code active} moves with {@code opened} and {@code closed}.
 */
public final class SessionMetrics {

    private final Counter opened;
    private final Map<CloseReason, Counter> closed = new EnumMap<>(CloseReason.class);
    private final Map<RefusalReason, Counter> refused = new EnumMap<>(RefusalReason.class);
    private final Counter connectFailures;
    private final Map<String, Counter> resumes = new java.util.HashMap<>();
    private final Counter detachments;
    private final Counter replayed;
    private final Timer detachedTime;

    SessionMetrics(MeterRegistry meters, String role, EndpointContext endpoint, List<EventLoop> loops) {
        Tags tags = Tags.of("role", role, "endpoint", endpoint.name());
        Gauge.builder("servercore.sessions.active", endpoint, EndpointContext::openSessions)
                .description("Sessions open now").tags(tags).register(meters);
        Gauge.builder("servercore.connections.opening", endpoint, EndpointContext::opening)
                .description("Connections whose session has not opened yet (PROXY header, TLS handshake)")
                .tags(tags).register(meters);
        Gauge.builder("servercore.send.queue.bytes", endpoint.registry(), SessionRegistry::queuedBytes)
                .description("Bytes queued for sending and not yet written, over all sessions").baseUnit("bytes")
                .tags(tags).register(meters);
        Gauge.builder("servercore.event.loops", loops, List::size)
                .description("Event loops (selector threads) serving the endpoint").tags(tags).register(meters);
        opened = Counter.builder("servercore.sessions.opened").description("Sessions opened")
                .tags(tags).register(meters);
        for (CloseReason reason : CloseReason.values()) {
            closed.put(reason, Counter.builder("servercore.sessions.closed").description("Sessions closed, by reason")
                    .tags(tags).tag("reason", reason.tag()).register(meters));
        }
        for (RefusalReason reason : RefusalReason.values()) {
            refused.put(reason, Counter.builder("servercore.sessions.refused")
                    .description("Connections closed before their session opened, by reason")
                    .tags(tags).tag("reason", reason.tag()).register(meters));
        }
        connectFailures = Counter.builder("servercore.connect.failures").description("Outbound connects that failed")
                .tags(tags).register(meters);
        Gauge.builder("servercore.sessions.detached", endpoint.resumable(), ResumableSessions::detachedCount)
                .description("Resumable sessions whose connection dropped, waiting for their client to resume")
                .tags(tags).register(meters);
        Gauge.builder("servercore.sessions.detached.bytes", endpoint.resumable(), ResumableSessions::detachedBytes)
                .description("Bytes held for detached sessions").baseUnit("bytes").tags(tags).register(meters);
        for (String outcome : new String[] {"resumed", "unknown", "gap"}) {
            resumes.put(outcome, Counter.builder("servercore.sessions.resumes")
                    .description("C_Resume answered, by outcome: resumed, unknown (S_ResumeFailed(resume_unknown)), gap")
                    .tags(tags).tag("outcome", outcome).register(meters));
        }
        detachments = Counter.builder("servercore.sessions.detachments")
                .description("Resumable sessions detached by a dropped connection").tags(tags).register(meters);
        replayed = Counter.builder("servercore.sessions.replayed.frames")
                .description("Numbered frames sent again after a resume").tags(tags).register(meters);
        detachedTime = Timer.builder("servercore.sessions.detached.time")
                .description("How long sessions stayed detached, until resumed or ended").tags(tags).register(meters);
        sum(meters, "servercore.bytes.received", "Bytes read from sockets", "bytes", tags, loops, l -> l.bytesReceived);
        sum(meters, "servercore.bytes.sent", "Bytes written to sockets", "bytes", tags, loops, l -> l.bytesSent);
        sum(meters, "servercore.packets.received", "Packets received (frames; reads in raw mode)", null, tags, loops,
                l -> l.packetsReceived);
        sum(meters, "servercore.packets.sent", "Packets written (frames; sends in raw mode)", null, tags, loops,
                l -> l.packetsSent);
        sum(meters, "servercore.writes", "Socket writes (system calls): each carries every frame a session had queued",
                null, tags, loops, l -> l.writes);
        sum(meters, "servercore.reads.paused", "Times a session's reading stopped because it was over its budget "
                + "(servercore.session.rate-limit)", null, tags, loops, l -> l.readPauses);
        sum(meters, "servercore.callbacks.blocked",
                "Callbacks that held an event loop past servercore.session.blocked-callback-warning", null, tags, loops,
                l -> l.blockedWarnings);
        FunctionTimer.builder("servercore.callbacks", loops, all -> total(all, l -> l.workUnits),
                        all -> total(all, l -> l.workNanos), TimeUnit.NANOSECONDS)
                .description("Work units of the event loops (a read with its callbacks, a flush, a task) and their time")
                .tags(tags).register(meters);
    }

    private static void sum(MeterRegistry meters, String name, String description, String unit, Tags tags,
            List<EventLoop> loops, ToLongFunction<EventLoop> field) {
        FunctionCounter.builder(name, loops, all -> total(all, field)).description(description).baseUnit(unit)
                .tags(tags).register(meters);
    }

    private static long total(List<EventLoop> loops, ToLongFunction<EventLoop> field) {
        long total = 0;
        for (EventLoop loop : loops) {
            total += field.applyAsLong(loop);
        }
        return total;
    }

    void opened() {
        opened.increment();
    }

    void closed(CloseReason reason) {
        closed.get(reason).increment();
    }

    void refused(RefusalReason reason) {
        refused.get(reason).increment();
    }

    void detached() {
        detachments.increment();
    }

    void resumed(String outcome) {
        resumes.get(outcome).increment();
    }

    void replayed(long frames) {
        if (frames > 0) {
            replayed.increment(frames);
        }
    }

    void detachedFor(long nanos) {
        detachedTime.record(nanos, TimeUnit.NANOSECONDS);
    }

    void connectFailed() {
        connectFailures.increment();
    }
}
