package com.example.tag;

import dev.servercore.game.Packet;
import dev.servercore.game.PacketType;

/** Packet 101, server to client: you are in the arena, as this player, where {@code it} is "it". */
public record Joined(int you, int it, float x, float y) implements Packet {

    public static final PacketType<Joined> TYPE = PacketType.of(101,
            in -> new Joined(in.i32(), in.i32(), in.f32(), in.f32()),
            (joined, out) -> out.i32(joined.you()).i32(joined.it()).f32(joined.x()).f32(joined.y()));

    @Override
    public PacketType<Joined> type() {
        return TYPE;
    }
}
