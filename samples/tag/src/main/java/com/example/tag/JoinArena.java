package com.example.tag;

import dev.servercore.game.Packet;
import dev.servercore.game.PacketType;

/** Packet 100, client to server: play in the arena of this name (letters, digits and dashes, at most 16). */
public record JoinArena(String arena) implements Packet {

    public static final PacketType<JoinArena> TYPE = PacketType.of(100, in -> new JoinArena(in.stringToEnd()),
            (join, out) -> out.stringToEnd(join.arena())).maxBodySize(16);

    @Override
    public PacketType<JoinArena> type() {
        return TYPE;
    }
}
