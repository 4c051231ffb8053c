package dev.servercore.game;

import dev.servercore.core.Session;

/**
 * Game logic of rooms, declared as beans (Colyseus' onJoin / onLeave / simulation interval). Every
 * callback runs as a job of its room: one at a time per room, never on an event loop.
 */
public interface RoomListener {

    /** The session is now a member; {@link Room#size()} counts it. */
    default void onJoin(Room room, Session session) {
    }

    /** The session left (it joined another room, or disconnected). */
    default void onLeave(Room room, Session session) {
    }

    /** Once per tick; what it {@link Room#broadcast}s goes out with the tick's other broadcasts. */
    default void onTick(Room room) {
    }

    /** The room's last member left and no join is on its way: the room is gone (drop its state). */
    default void onDropped(Room room) {
    }
}
