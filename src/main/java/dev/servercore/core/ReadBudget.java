package dev.servercore.core;

/**
 * One session's budget of what it may send, in the generic cell rate algorithm's form of a token bucket: each
 * bucket keeps the time at which it would be full again (its debt), so a read costs two multiplications and
 * no clock of its own. Over budget, the loop stops reading the socket until a quarter of the burst is back:
 * TCP then pushes back on the sender, and the server spends nothing on what it does not read. Loop only.
 */
final class ReadBudget {

    /** Bytes the smallest read may take: enough for a header and a small body. */
    private static final int MIN_READ = 64;

    private final long packetCost;
    private final long packetTolerance;
    private final long byteCost;
    private final long byteTolerance;
    private final long kickAfterNanos;
    /** When each bucket is full again (loop nanos); at or before now: full. */
    private long packetsDueAt;
    private long bytesDueAt;
    /** Paused reading in this stretch over budget, which ends once both buckets are full again. */
    private long pausedInStretch;
    private long pausedSince;

    ReadBudget(RateLimits limits, long now) {
        packetCost = limits.packetsPerSecond() == 0 ? 0 : 1_000_000_000L / limits.packetsPerSecond();
        packetTolerance = packetCost * limits.packetBurst();
        byteCost = limits.bytesPerSecond() == 0 ? 0 : 1_000_000_000L / limits.bytesPerSecond();
        byteTolerance = byteCost * limits.byteBurst();
        kickAfterNanos = limits.kickAfterNanos();
        packetsDueAt = now;
        bytesDueAt = now;
    }

    /**
     * Most bytes the next read may take: what the byte bucket holds, and no more frames than the packet
     * bucket holds (a frame has at least its 4-byte header).
     */
    int allowance(long now, int capacity) {
        long bytes = capacity;
        if (byteCost > 0) {
            bytes = Math.min(bytes, (byteTolerance - Math.max(0, bytesDueAt - now)) / byteCost);
        }
        if (packetCost > 0) {
            bytes = Math.min(bytes, (packetTolerance - Math.max(0, packetsDueAt - now)) / packetCost
                    * Frames.HEADER_SIZE);
        }
        return (int) Math.max(Math.min(MIN_READ, capacity), bytes);
    }

    /**
     * A read of {@code bytes} holding {@code packets} packets is paid for.
     *
     * @return 0 to go on reading, else the nanoseconds until a quarter of the burst is back
     */
    long spend(long now, int bytes, long packets) {
        if (packetsDueAt - now <= 0 && bytesDueAt - now <= 0) {
            pausedInStretch = 0; // both full: the stretch over budget, if there was one, is over
        }
        long wait = 0;
        if (packetCost > 0) {
            packetsDueAt = Math.max(packetsDueAt, now) + packets * packetCost;
            wait = Math.max(wait, overBy(packetsDueAt - now, packetTolerance));
        }
        if (byteCost > 0) {
            bytesDueAt = Math.max(bytesDueAt, now) + bytes * byteCost;
            wait = Math.max(wait, overBy(bytesDueAt - now, byteTolerance));
        }
        if (wait > 0) {
            pausedSince = now;
        }
        return wait;
    }

    /** A debt past the whole burst waits until a quarter of the burst is back; below it, no wait. */
    private static long overBy(long debt, long tolerance) {
        return debt > tolerance ? debt - tolerance + tolerance / 4 : 0;
    }

    /**
     * Reading goes on after a pause.
     *
     * @return true when this stretch over budget has lasted past {@code kick-after}: the session is to be kicked
     */
    boolean resumed(long now) {
        pausedInStretch += now - pausedSince;
        return kickAfterNanos > 0 && pausedInStretch >= kickAfterNanos;
    }

    long pausedInStretchNanos() {
        return pausedInStretch;
    }
}
