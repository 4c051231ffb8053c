package dev.servercore.core;

import java.util.Locale;

/**
 * Why a connection was closed before its session opened; the {@code reason} tag of
 * {@code servercore.sessions.refused}. Such a connection never reached game code.
 */
public enum RefusalReason {
    /** The endpoint had {@code max-sessions} connections already. */
    MAX_SESSIONS,
    /** Its client address had {@code per-address.max-sessions} connections already. */
    PER_ADDRESS,
    /** Its client address connected faster than {@code per-address.connect-rate} allows. */
    CONNECT_RATE,
    /** PROXY protocol expected: no valid header within {@code proxy-protocol-timeout}. */
    PROXY_HEADER,
    /** TLS: more handshakes were waiting for a handshake thread than {@code tls.handshake-queue}. */
    TLS_BUSY,
    /** TLS: the handshake failed, or was not done within {@code tls.handshake-timeout}. */
    TLS_ERROR,
    /** The endpoint was stopping. */
    SHUTDOWN;

    private final String tag = name().toLowerCase(Locale.ROOT);

    public String tag() {
        return tag;
    }
}
