package dev.servercore.core;

/**
 * The peer broke the wire protocol. Thrown by the framing, or by session code that finds a packet it
 * cannot accept; either way the engine closes that session with {@link CloseReason#PROTOCOL_ERROR}.
 */
public class ProtocolException extends RuntimeException {

    public ProtocolException(String message) {
        super(message, null, false, false);
    }
}
