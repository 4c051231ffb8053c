package dev.servercore.test;

/** A {@link GameClient} wait ran out: the packet it awaited did not come in time. */
public class PacketTimeoutException extends RuntimeException {

    public PacketTimeoutException(String message) {
        super(message);
    }
}
