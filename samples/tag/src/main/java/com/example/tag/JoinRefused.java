package com.example.tag;

import dev.servercore.game.Packet;
import dev.servercore.game.PacketType;

/** Packet 105, server to client: the join did not happen, and why (the arena is full, the name is not one). */
public record JoinRefused(String reason) implements Packet {

    public static final PacketType<JoinRefused> TYPE = PacketType.of(105, in -> new JoinRefused(in.stringToEnd()),
            (refused, out) -> out.stringToEnd(refused.reason()));

    @Override
    public PacketType<JoinRefused> type() {
        return TYPE;
    }
}
