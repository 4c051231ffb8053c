package dev.servercore.core;

import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;

import javax.net.ssl.SSLException;

import org.springframework.integration.ip.tcp.serializer.SoftEndOfStreamException;

/** Why a read or a write on a socket failed, as the close it is counted as. */
final class SocketFailures {

    private SocketFailures() {
    }

    static CloseReason reasonOf(Throwable failure) {
        Throwable cause = failure instanceof UncheckedIOException && failure.getCause() != null ? failure.getCause()
                : failure;
        if (cause instanceof SoftEndOfStreamException) {
            return CloseReason.PEER_CLOSED;
        }
        if (cause instanceof SocketTimeoutException) {
            return CloseReason.IDLE_TIMEOUT;
        }
        if (cause instanceof SSLException) {
            return CloseReason.TLS_ERROR;
        }
        return CloseReason.ERROR;
    }
}
