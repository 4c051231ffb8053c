package dev.servercore.core;

/**
 * Per-session limits shared by the sessions of one listener or connector.
 *
 * @param maxFrameSize the largest frame accepted, header included (PROTOCOL.md: default 4096)
 * @param sendQueueLimit bytes a session may have queued and unwritten before it is dropped as a slow consumer
 * @param writeBatchBytes the most bytes gathered from the queue into one socket write
 * @param writeTimeout how long one write may stay blocked before the session is dropped as a slow consumer
 */
public record SessionSettings(int maxFrameSize, long sendQueueLimit, int writeBatchBytes,
        java.time.Duration writeTimeout) {
}
