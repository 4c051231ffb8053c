package dev.servercore.cluster;

import java.time.Duration;
import java.util.Map;

import dev.servercore.core.ServerCoreProperties;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * {@code servercore.cluster.*}: several gateway nodes sharing rooms through a backplane. Reference: HELP.md.
 * Code that builds cluster parts by hand (tests, tools) gets these from {@link #defaults()} or {@link #of(Map)}.
 *
 * @param backplane None: a single node; redis: rooms, session ids and presence shared through Redis
 * @param heartbeatInterval How often a node renews its presence (its node key, its slot of session ids, its
 *     rooms' counts)
 * @param nodeTimeout How long a node that stopped renewing stays present: a killed node's members are gone from
 *     presence (room counts, nodes seen) at most this long after its last heartbeat
 * @param keyPrefix Prefix of every Redis key and channel, so that several clusters can share one Redis
 * @param maxPendingPublishes Publishes sent to Redis and not yet answered, at most; beyond it messages are
 *     dropped and counted
 * @param maxPendingDeliveries Messages from other nodes waiting for their room's job, at most; beyond it dropped
 *     and counted
 * @param maxPendingDeliveriesPerRoom Of those, at most this many for one room: a room that lags does not starve
 *     the others
 * @param maxPendingBytes Bytes of the messages waiting to be published, and of those waiting for their room,
 *     each at most
 * @param flushDelay How long after each tick a room writes, so that the other nodes' batches of the same tick go
 *     out with its own: one write per member per tick, whatever the number of nodes (nodes tick together on the
 *     wall clock). Shorter than the tick period; 0: each node's batch is written as it comes
 * @param joinTimeout How long a join waits for the backplane (subscription, the other nodes' count) before going
 *     on
 * @param startupTimeout How long startup waits for Redis to hand this node a slot of session ids
 */
@ConfigurationProperties("servercore.cluster")
@Validated
public record ClusterProperties(
        @DefaultValue("none") @NotNull Backplane backplane,
        @DefaultValue("1s") @NotNull Duration heartbeatInterval,
        @DefaultValue("3s") @NotNull Duration nodeTimeout,
        @DefaultValue("servercore") @NotBlank String keyPrefix,
        @DefaultValue("10000") @Min(1) int maxPendingPublishes,
        @DefaultValue("10000") @Min(1) int maxPendingDeliveries,
        @DefaultValue("1000") @Min(1) int maxPendingDeliveriesPerRoom,
        @DefaultValue("64MB") @NotNull DataSize maxPendingBytes,
        @DefaultValue("5ms") @NotNull Duration flushDelay,
        @DefaultValue("1s") @NotNull Duration joinTimeout,
        @DefaultValue("30s") @NotNull Duration startupTimeout) {

    /** What carries rooms across nodes. */
    public enum Backplane {
        /** A single node: nothing to install. */
        NONE,
        /** Redis pub/sub and keys, through Spring Data Redis (spring.data.redis.*). */
        REDIS
    }

    /** Every setting at its default. */
    public static ClusterProperties defaults() {
        return of(Map.of());
    }

    /**
     * Settings as the application would bind them, from keys under {@code servercore.cluster.} (e.g.
     * {@code "key-prefix" -> "test"}); the rest at their defaults.
     */
    public static ClusterProperties of(Map<String, ?> settings) {
        return ServerCoreProperties.bind("servercore.cluster", settings, ClusterProperties.class);
    }

    @AssertTrue(message = "servercore.cluster.heartbeat-interval must be positive and node-timeout at least "
            + "twice it (one missed heartbeat must not drop a node)")
    public boolean isNodeTimeoutValid() {
        return heartbeatInterval == null || nodeTimeout == null || (heartbeatInterval.toMillis() > 0
                && nodeTimeout.compareTo(heartbeatInterval.multipliedBy(2)) >= 0);
    }

    @AssertTrue(message = "servercore.cluster.join-timeout and startup-timeout must be positive")
    public boolean isTimeoutsValid() {
        return joinTimeout == null || startupTimeout == null
                || (joinTimeout.toMillis() > 0 && startupTimeout.toMillis() > 0);
    }
}
