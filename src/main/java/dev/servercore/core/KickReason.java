package dev.servercore.core;

import java.util.Locale;

/**
 * The reasons of PROTOCOL.md v3's {@code S_Kick} and {@code S_ResumeFailed} (one table, one code each), and
 * the close each kick is counted as in {@code servercore.sessions.closed}.
 */
public enum KickReason {
    /** Login required and not done in time, another packet first, or the credential refused. */
    UNAUTHENTICATED(1, CloseReason.UNAUTHENTICATED),
    /** The same principal logged in again, here or on another gateway of the cluster. */
    DUPLICATE_LOGIN(2, CloseReason.DUPLICATE_LOGIN),
    /** The client sent more than the gateway allows, for too long. */
    RATE_LIMITED(3, CloseReason.RATE_LIMITED),
    /** A malformed frame or body. */
    PROTOCOL_ERROR(4, CloseReason.PROTOCOL_ERROR),
    /** The gateway is stopping and will not hand the session over. */
    SHUTDOWN(5, CloseReason.SHUTDOWN),
    /** Game code ended the session. */
    KICKED(6, CloseReason.KICKED),
    /** {@code S_ResumeFailed}: no session with that token, or its window passed. */
    RESUME_UNKNOWN(7, null),
    /** {@code S_ResumeFailed}: the client's count is outside what the server holds. */
    RESUME_GAP(8, null);

    private final int code;
    private final CloseReason closeReason;
    private final String tag = name().toLowerCase(Locale.ROOT);

    KickReason(int code, CloseReason closeReason) {
        this.code = code;
        this.closeReason = closeReason;
    }

    /** The u16 on the wire. */
    public int code() {
        return code;
    }

    /** The name PROTOCOL.md gives it. */
    public String tag() {
        return tag;
    }

    /** What a session kicked for this reason is counted as; null for the resume failures, which close nothing. */
    public CloseReason closeReason() {
        return closeReason;
    }

    /** The reason of a wire code, or null. */
    public static KickReason ofCode(int code) {
        for (KickReason reason : values()) {
            if (reason.code == code) {
                return reason;
            }
        }
        return null;
    }
}
