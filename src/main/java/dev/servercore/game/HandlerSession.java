package dev.servercore.game;

import java.nio.ByteBuffer;

import dev.servercore.core.PacketSession;
import dev.servercore.core.SessionLayer;

/**
 * A session whose packets go to the {@link PacketHandler} methods of the application's beans. Extend it
 * for a session type with state of its own (a player, its room); the auto-configuration binds it to the
 * handler table as the listener makes it.
 */
public class HandlerSession extends PacketSession {

    private PacketHandlers handlers;
    /** Per rate-limited handler, when its budget is full again (nanoTime); made on the first such packet. Loop only. */
    private long[] budgetsFullAt;

    /** Called once, before the session opens. */
    public final void bind(PacketHandlers handlers) {
        this.handlers = handlers;
    }

    @Override
    protected void onRecvPacket(int packetId, ByteBuffer body) {
        handlers.dispatch(this, packetId, body);
    }

    /**
     * Encodes {@code packet} into one frame and queues it, as {@link #send(byte[])} does. To send one packet to
     * many sessions, encode it once ({@link Packet#encode()}) and send the array, or broadcast it to a room.
     *
     * @return false if the session is closed or closing, or was closed because this send overflowed its queue
     */
    public boolean send(Packet packet) {
        int id = packet.type().id();
        if (SessionLayer.isSessionLayer(id)) {
            throw new IllegalArgumentException("packet id 0x" + Integer.toHexString(id) + " belongs to the session "
                    + "layer (0xFF00..0xFFFF); games use ids below 0xFF00");
        }
        return send(packet.encode());
    }

    /** One packet for the handler of budget {@code slot} (of {@code slots}) is paid for; false: over budget. */
    final boolean admit(int slot, int slots, long cost, long tolerance) {
        if (budgetsFullAt == null) {
            budgetsFullAt = new long[slots];
            java.util.Arrays.fill(budgetsFullAt, Long.MIN_VALUE);
        }
        long now = System.nanoTime();
        long fullAt = budgetsFullAt[slot];
        long due = (fullAt == Long.MIN_VALUE || fullAt - now < 0 ? now : fullAt) + cost;
        if (due - now > tolerance) {
            return false;
        }
        budgetsFullAt[slot] = due;
        return true;
    }
}
