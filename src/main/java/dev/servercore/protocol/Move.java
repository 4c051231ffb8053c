package dev.servercore.protocol;

import dev.servercore.game.Packet;
import dev.servercore.game.PacketType;

/** C_Move (10): client to server, the sender's new position. */
public record Move(int x, int y) implements Packet {

    public static final int ID = 10;
    public static final PacketType<Move> TYPE = PacketType.of(ID, in -> new Move(in.i32(), in.i32()),
            (move, out) -> out.i32(move.x()).i32(move.y())).sized(move -> 8);

    @Override
    public PacketType<Move> type() {
        return TYPE;
    }
}
