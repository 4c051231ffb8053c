package dev.servercore.core;

import java.util.Locale;

/** Why a session ended; the {@code reason} tag of {@code servercore.sessions.closed}. */
public enum CloseReason {
    /** The peer closed its end (end of stream). */
    PEER_CLOSED,
    /** An I/O error on the socket, e.g. a connection reset. */
    ERROR,
    /** The peer broke the framing of PROTOCOL.md, or session code threw {@link ProtocolException}. */
    PROTOCOL_ERROR,
    /** Session code threw an unexpected exception from a callback. */
    HANDLER_ERROR,
    /** {@link Session#disconnect()} was called. */
    LOCAL,
    /** The listener or connector was stopped. */
    SHUTDOWN,
    /** The peer did not read and the session's send queue exceeded its bound. */
    SLOW_CONSUMER,
    /** Nothing was received for the idle timeout. */
    IDLE_TIMEOUT,
    /** The TLS handshake or a TLS record failed, e.g. a plain-text client on a TLS listener. */
    TLS_ERROR,
    /** Kicked ({@code S_Kick(unauthenticated)}): no login in time, another packet first, or a refused credential. */
    UNAUTHENTICATED,
    /** Kicked ({@code S_Kick(duplicate_login)}): its principal logged in again. */
    DUPLICATE_LOGIN,
    /** Kicked ({@code S_Kick(rate_limited)}): over its budget for too long, or over a limit of client-driven state. */
    RATE_LIMITED,
    /** Kicked by game code ({@link Session#kick}). */
    KICKED,
    /** A resumable session was detached and its client did not resume it within the window. */
    RESUME_EXPIRED,
    /** The fresh session of a connection whose client resumed an older session on it: it ends, the older goes on. */
    RESUMED;

    private final String tag = name().toLowerCase(Locale.ROOT);

    public String tag() {
        return tag;
    }
}
