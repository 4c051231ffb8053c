package com.example.tag;

import dev.servercore.game.Packet;
import dev.servercore.game.PacketType;

/** Packet 104, server to client: {@code by} caught {@code player}, who is "it" now. */
public record Tagged(int by, int player) implements Packet {

    public static final PacketType<Tagged> TYPE = PacketType.of(104, in -> new Tagged(in.i32(), in.i32()),
            (tagged, out) -> out.i32(tagged.by()).i32(tagged.player()));

    @Override
    public PacketType<Tagged> type() {
        return TYPE;
    }
}
