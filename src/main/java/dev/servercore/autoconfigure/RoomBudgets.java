package dev.servercore.autoconfigure;

import dev.servercore.core.ServerCoreProperties.SessionProperties;
import dev.servercore.game.RoomsProperties;

/**
 * The rooms' budgets against the session limits, which only the auto-configuration sees together: a member's
 * budget must take the largest frame (or that frame would never reach its room), and a tick of the members'
 * traffic alone must never put a member over its send-queue limit.
 */
final class RoomBudgets {

    static final String MESSAGE = "servercore.rooms.member-bytes-per-tick must be at least "
            + "servercore.session.max-frame-size, and servercore.rooms.room-bytes-per-tick below "
            + "servercore.session.send-queue-limit";

    private RoomBudgets() {
    }

    static boolean withinTheSessionLimits(RoomsProperties rooms, SessionProperties session) {
        return rooms.memberBytesPerTick().toBytes() >= session.getMaxFrameSize()
                && rooms.roomBytesPerTick().toBytes() < session.getSendQueueLimit().toBytes();
    }

    /** Stops the startup, naming the settings, when the budgets do not fit the session limits. */
    static void requireWithinTheSessionLimits(RoomsProperties rooms, SessionProperties session) {
        if (!withinTheSessionLimits(rooms, session)) {
            throw new IllegalStateException(MESSAGE);
        }
    }
}
