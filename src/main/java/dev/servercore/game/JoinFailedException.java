package dev.servercore.game;

import java.util.Locale;
import java.util.concurrent.CompletionException;

/**
 * Why {@link Rooms#join} did not make the session a member. A join refused for a cap ends the session that
 * asked with {@code S_Kick(rate_limited)} (PROTOCOL.md has no failed join); a join superseded by a later one,
 * or asked for a session that ended, ends nothing.
 *
 * <p>A {@link CompletionException}, with no stack trace: a client can provoke any number of them (a flood of
 * joins supersedes one join after another), and the stages that depend on a failed join take it as it is
 * instead of wrapping it in a new exception, with a stack trace, each. {@code join()} of the stage throws it.
 */
public final class JoinFailedException extends CompletionException {

    public enum Reason {
        /** A new room would pass {@code servercore.rooms.max-rooms}. */
        TOO_MANY_ROOMS,
        /** The room has {@code servercore.rooms.max-members} members here already (joins on their way included). */
        ROOM_FULL,
        /** The session asked for another room before this join was done: the latest join wins. */
        SUPERSEDED,
        /** The room's logic could not be made (its type's factory threw): a bug of the server's, logged. */
        ROOM_FAILED,
        /** The session ended first. */
        SESSION_ENDED;

        private final String tag = name().toLowerCase(Locale.ROOT);

        /** The name of the reason in meters. */
        public String tag() {
            return tag;
        }
    }

    private final Reason reason;

    JoinFailedException(Reason reason, String message) {
        super(message, null);
        this.reason = reason;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    public Reason reason() {
        return reason;
    }
}
