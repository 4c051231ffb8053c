package dev.servercore.game;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What makes a room one room across several gateway nodes (Socket.IO's adapter, SignalR's backplane):
 * what a room sends is published to the other nodes, and what they publish is handed to
 * {@link Rooms#deliverFromOtherNode}. {@link #LOCAL}, the default, is a single node. Calls come from room
 * jobs and must not block them.
 */
public interface RoomBackplane {

    /** One node: nothing is published, nothing comes in. */
    RoomBackplane LOCAL = new RoomBackplane() {
    };

    /**
     * How long after each tick a room writes what the tick gathered, together with the other nodes' batches
     * of that tick that arrived meanwhile: one write per member per tick whatever the number of nodes (the
     * nodes tick together, on the wall clock). 0: a tick writes at once, and other nodes' batches as they
     * come.
     */
    default Duration flushDelay() {
        return Duration.ZERO;
    }

    /** Called once, by the rooms it serves. */
    default void attach(Rooms rooms) {
    }

    /** A room was made on this node (its first join is on its way): its traffic from other nodes is wanted. */
    default void roomOpened(String room) {
    }

    /** The room is gone from this node (its last member left, no join on its way). */
    default void roomClosed(String room) {
    }

    /**
     * A session is about to join {@code room} here. Completes once the other nodes' traffic of that room
     * reaches this node (as far as the backplane can tell), with their member count (0 when unknown).
     * Must complete, promptly, even when the backplane is unreachable.
     */
    default CompletionStage<Integer> joining(String room) {
        return CompletableFuture.completedFuture(0);
    }

    /** The room's members on this node are now {@code members}. */
    default void membersChanged(String room, int members) {
    }

    /**
     * Frames this node wrote to its members of {@code room}, for the other nodes' members (shared array):
     * the batch of tick {@code tick} (the wall clock's period count), or 0 for a broadcast made at once.
     */
    default void publish(String room, long tick, byte[] frames) {
    }
}
