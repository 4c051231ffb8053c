package com.example.tag;

import java.util.ArrayList;
import java.util.List;

import dev.servercore.game.Packet;
import dev.servercore.game.PacketType;

/** Packet 103, server to client, every tick of the arena: who is "it", and where everyone is. */
public record Positions(long tick, int it, List<Position> players) implements Packet {

    public record Position(int player, float x, float y) {
    }

    public static final PacketType<Positions> TYPE = PacketType.of(103, in -> {
        long tick = in.i64();
        int it = in.i32();
        int count = in.u16();
        List<Position> players = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            players.add(new Position(in.i32(), in.f32(), in.f32()));
        }
        return new Positions(tick, it, players);
    }, (positions, out) -> {
        out.i64(positions.tick()).i32(positions.it()).u16(positions.players().size());
        for (Position p : positions.players()) {
            out.i32(p.player()).f32(p.x()).f32(p.y());
        }
    }).sized(positions -> 14 + 12 * positions.players().size());

    @Override
    public PacketType<Positions> type() {
        return TYPE;
    }
}
