package dev.servercore.dummyclient;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import dev.servercore.core.PacketSession;
import dev.servercore.protocol.Welcome;

/**
 * One TCP connection of a {@link ResumableLink}: the connector makes it (one per connection, from the prototype
 * factory) before it knows which link it serves, so it remembers a welcome that comes before the link is attached
 * and hands it over then. Every frame after that goes to the link.
 */
final class LinkConnection extends PacketSession {

    /** Guarded by this. */
    private ResumableLink link;
    /** Guarded by this: S_Welcome came before the link was attached. */
    private boolean welcomedEarly;

    void attach(ResumableLink link) {
        boolean welcomed;
        synchronized (this) {
            this.link = link;
            welcomed = welcomedEarly;
        }
        if (welcomed) {
            link.welcomed(this);
        }
    }

    @Override
    protected void onRecvPacket(int packetId, ByteBuffer body) {
        ResumableLink target;
        synchronized (this) {
            target = link;
            if (target == null) {
                // anything else before the link is attached belongs to no one: only the welcome matters
                welcomedEarly |= packetId == Welcome.ID;
                return;
            }
        }
        target.onFrame(this, packetId, body);
    }

    /** Ends the connection at once with a TCP RST, as a network failure would. */
    void reset() {
        abortWithReset();
    }

    @Override
    protected void onDisconnected(InetSocketAddress endpoint) {
        ResumableLink target;
        synchronized (this) {
            target = link;
        }
        if (target != null) {
            target.connectionLost(this);
        }
    }
}
