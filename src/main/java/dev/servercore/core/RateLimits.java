package dev.servercore.core;

/**
 * What one session of a listener may send, as two token buckets: packets and bytes per second, each with
 * a burst; a rate of 0 turns its bucket off. A session over budget for {@code kickAfterNanos} of paused
 * reading in one stretch is kicked ({@code S_Kick(rate_limited)}).
 */
public record RateLimits(long packetsPerSecond, long packetBurst, long bytesPerSecond, long byteBurst,
        long kickAfterNanos) {

    public RateLimits {
        if (packetsPerSecond < 0 || bytesPerSecond < 0 || packetsPerSecond > 1_000_000_000L
                || bytesPerSecond > 1_000_000_000L) {
            throw new IllegalArgumentException("rates must be within 0..1e9 per second");
        }
        if ((packetsPerSecond > 0 && packetBurst < 1) || (bytesPerSecond > 0 && byteBurst < 64)) {
            throw new IllegalArgumentException("a packet burst must be at least 1 and a byte burst at least 64 bytes");
        }
        if (kickAfterNanos < 0) {
            throw new IllegalArgumentException("kick-after must not be negative (0 means never)");
        }
    }

    boolean isOff() {
        return packetsPerSecond == 0 && bytesPerSecond == 0;
    }
}
