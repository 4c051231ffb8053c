package dev.servercore.game;

import java.nio.ByteBuffer;

import dev.servercore.core.PacketSession;

/**
 * A session whose packets go to the {@link PacketHandler} methods of the application's beans. Extend it
 * for a session type with state of its own (a player, its room); the auto-configuration binds it to the
 * handler table as the listener makes it.
 */
public class HandlerSession extends PacketSession {

    private PacketHandlers handlers;

    /** Called once, before the session opens. */
    public final void bind(PacketHandlers handlers) {
        this.handlers = handlers;
    }

    @Override
    protected void onRecvPacket(int packetId, ByteBuffer body) {
        handlers.dispatch(this, packetId, body);
    }
}
