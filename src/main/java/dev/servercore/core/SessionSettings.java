package dev.servercore.core;

/**
 * What the sessions of one listener or connector share, resolved from {@code servercore.*}. Durations are
 * in nanoseconds, 0 meaning "off".
 *
 * @param maxFrameSize the largest frame accepted, header included (PROTOCOL.md: default 4096)
 * @param sendQueueLimit bytes a session may have queued and unwritten before it is dropped as a slow consumer
 * @param writeBatchBytes the most bytes gathered from the queue into one socket write (a buffer per loop)
 * @param readBufferSize the most bytes one read takes from a socket (a buffer per loop)
 * @param writeTimeoutNanos how long a write may wait for the peer to read before the session is dropped
 * @param idleTimeoutNanos how long a session may receive nothing before it is closed
 * @param frameTimeoutNanos how long a frame may take to arrive once its first byte has
 * @param blockedWarningNanos a callback running longer than this is reported with its stack
 * @param maxSessions most sessions open at once
 * @param rateLimits what each session of a listener may send (null: no budget)
 * @param resume how a listener keeps sessions for a resume
 */
public record SessionSettings(int maxFrameSize, long sendQueueLimit, int writeBatchBytes, int readBufferSize,
        long writeTimeoutNanos, long idleTimeoutNanos, long frameTimeoutNanos, long blockedWarningNanos,
        int maxSessions, RateLimits rateLimits, ResumeSettings resume) {

    /** The shortest deadline in force, or 0 if none is: how often connections need looking at. */
    long shortestTimeoutNanos() {
        long shortest = 0;
        // a detached session's window (S_Ack has a timer of its own, for resumable sessions only)
        for (long timeout : new long[] {writeTimeoutNanos, idleTimeoutNanos, frameTimeoutNanos, resume.windowNanos()}) {
            if (timeout > 0 && (shortest == 0 || timeout < shortest)) {
                shortest = timeout;
            }
        }
        return shortest;
    }
}
