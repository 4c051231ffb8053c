package dev.servercore.game;

import dev.servercore.core.Session;

/**
 * The game logic of one room and its state, in plain fields of a subclass (Colyseus' {@code Room}): made for each
 * room as the room is made, from the factory of its {@link RoomTypes.Type} (in a Spring application a
 * prototype-scoped bean annotated {@link RoomType}), and dropped with the room. Every callback runs as a job of its
 * room: one at a time, in order, on the rooms' worker threads, never on an event loop, so its fields need no lock
 * as long as only the room's jobs touch them. From elsewhere (a packet handler on an event loop), reach it with
 * {@link Rooms#logicOf} or {@link Room#logic} and touch its state inside {@link Room#execute} only; fields meant for
 * other threads (a mailbox filled from event loops) must be thread-safe themselves.
 */
public abstract class RoomLogic {

    private Room room;

    /** The room this logic runs: to broadcast, read its tick number, size and members. */
    protected final Room room() {
        return room;
    }

    /** Once, before the room's first join is handled. */
    protected void onCreate() {
    }

    /** The session is now a member; {@link Room#size()} counts it. */
    protected void onJoin(Session session) {
    }

    /** The session left (it joined another room, or disconnected). */
    protected void onLeave(Session session) {
    }

    /**
     * Once per tick of the room (its type's rate): what it {@link Room#broadcast}s goes out with the tick's other
     * broadcasts. {@link Room#tick()} is the number of this tick.
     */
    protected void onTick() {
    }

    /** The room's last member left and no join is on its way: the room is gone (the last callback). */
    protected void onDispose() {
    }

    final void bind(Room room) {
        if (this.room != null) {
            throw new IllegalStateException(this + " runs room " + this.room.name() + " already: a room type's "
                    + "logic must be a new object for each room (a prototype-scoped bean)");
        }
        this.room = room;
    }
}
