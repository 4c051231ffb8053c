package com.example.tag;

import dev.servercore.core.ProtocolException;
import dev.servercore.game.Packet;
import dev.servercore.game.PacketType;

/**
 * Packet 102, client to server: where the player wants to be. A coordinate that is not a finite number is the
 * sender's protocol error (the engine kicks that client, nobody else); one outside the arena is clamped by it.
 */
public record Move(float x, float y) implements Packet {

    public static final PacketType<Move> TYPE = PacketType.of(102, in -> new Move(finite(in.f32()), finite(in.f32())),
            (move, out) -> out.f32(move.x()).f32(move.y()));

    private static float finite(float coordinate) {
        if (!Float.isFinite(coordinate)) {
            throw new ProtocolException("a move to " + coordinate);
        }
        return coordinate;
    }

    @Override
    public PacketType<Move> type() {
        return TYPE;
    }
}
