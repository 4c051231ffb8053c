package dev.servercore.game;

import java.util.Map;

import dev.servercore.core.ServerCoreProperties;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * {@code servercore.rooms.*}: rooms of game code, their tick, their worker threads and their bounds. Reference:
 * HELP.md. Code that builds {@link Rooms} by hand (tests, tools) gets these from {@link #defaults()} or
 * {@link #of(Map)}.
 *
 * @param tickRate Ticks per second of every room: what rooms broadcast during a tick goes out together
 * @param workerThreads Threads that run room jobs (never an event loop); 0 means one per core
 * @param batching Whether broadcasts wait for the tick (one write per member per tick). Off, each broadcast goes
 *     out at once: for measuring what batching saves
 * @param maxRooms Rooms that may exist at once; a join that would make one more is refused (S_Kick rate_limited)
 * @param maxMembers Sessions of this node in one room (members and joins on their way); a join beyond it is
 *     refused
 * @param maxQueuedJobs Jobs waiting in one room (broadcasts from outside its jobs, game code's execute); beyond
 *     it a job is refused and counted. The engine's own jobs (joins, leaves, ticks, flushes, other nodes'
 *     traffic) are never refused
 * @param memberBytesPerTick Bytes one member's broadcasts may put into one tick; the excess is dropped and
 *     counted
 * @param roomBytesPerTick Bytes all members' broadcasts together may put into one tick of a room; the excess is
 *     dropped
 * @param roomFanoutBytesPerTick Bytes the members' broadcasts of one tick may make a room write, each counted
 *     once per member of this node that gets it: a big room takes less from each member; the excess is dropped
 */
@ConfigurationProperties("servercore.rooms")
@Validated
public record RoomsProperties(
        @DefaultValue("20") @Min(1) @Max(1000) int tickRate,
        @DefaultValue("0") @Min(0) @Max(1024) int workerThreads,
        @DefaultValue("true") boolean batching,
        @DefaultValue("10000") @Min(1) int maxRooms,
        @DefaultValue("20000") @Min(1) int maxMembers,
        @DefaultValue("1000") @Min(1) int maxQueuedJobs,
        @DefaultValue("4KB") @NotNull DataSize memberBytesPerTick,
        @DefaultValue("16KB") @NotNull DataSize roomBytesPerTick,
        @DefaultValue("4MB") @NotNull DataSize roomFanoutBytesPerTick) {

    /** Every setting at its default. */
    public static RoomsProperties defaults() {
        return of(Map.of());
    }

    /**
     * Settings as the application would bind them, from keys under {@code servercore.rooms.} (e.g.
     * {@code "tick-rate" -> 50}); the rest at their defaults.
     */
    public static RoomsProperties of(Map<String, ?> settings) {
        return ServerCoreProperties.bind("servercore.rooms", settings, RoomsProperties.class);
    }

    /** The threads to run: as configured, or one per core. */
    public int workerThreadCount() {
        return workerThreads > 0 ? workerThreads : Runtime.getRuntime().availableProcessors();
    }

    @AssertTrue(message = "servercore.rooms.member-bytes-per-tick must be at least 1B, room-bytes-per-tick at "
            + "least member-bytes-per-tick, and room-fanout-bytes-per-tick at least member-bytes-per-tick, "
            + "each at most 1GB")
    public boolean isBudgetsValid() {
        if (memberBytesPerTick == null || roomBytesPerTick == null || roomFanoutBytesPerTick == null) {
            return true;
        }
        long member = memberBytesPerTick.toBytes();
        long giga = DataSize.ofGigabytes(1).toBytes();
        return member >= 1 && roomBytesPerTick.toBytes() >= member && roomFanoutBytesPerTick.toBytes() >= member
                && roomBytesPerTick.toBytes() <= giga && roomFanoutBytesPerTick.toBytes() <= giga;
    }
}
